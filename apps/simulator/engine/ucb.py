"""The simulated UCB (RL training) service: a GPU, running trainings and trained models."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from apps.simulator.engine.records import SlotKey

GPU_NAME = "NVIDIA H100 80GB HBM3"
GPU_MEMORY_TOTAL_MB = 81559
EPISODE_SECONDS = 30  # simulated seconds per training episode
EPISODES_PER_TRAINING = 3000
MAX_ACTIVE_TRAININGS = 2
MAX_MODELS = 200  # older models are pruned, as a real registry would
REWARD_QUANTUM = Decimal("0.01")


@dataclass
class Training:
    """A training run of one strategy on one symbol."""

    strategy_id: str
    symbol: str
    started_at: datetime
    episode: int = 0
    best_reward: Decimal = Decimal("0")
    _episode_clock: float = 0.0

    @property
    def progress_pct(self) -> int:
        """Whole percent of the planned episodes done."""
        return min(100, self.episode * 100 // EPISODES_PER_TRAINING)


@dataclass(frozen=True)
class Model:
    """A finished model, scored by its best reward."""

    strategy_id: str
    symbol: str
    score: Decimal
    created_at: datetime


class UcbState:
    """GPU load, active trainings and models, drifting slowly and deterministically."""

    def __init__(self, rng: random.Random, strategies: list[SlotKey], start: datetime) -> None:
        self._rng = rng
        self.strategies = strategies
        self.utilization_pct = 70
        self.memory_used_mb = 30100
        self.gpu_hours = Decimal("212.5")
        self.episodes_total = 51200
        self.models: list[Model] = [
            Model(strategy_id, symbol, Decimal("1.50") + Decimal(index) / 10, start)
            for index, (strategy_id, symbol) in enumerate(strategies[:3])
        ]
        self.trainings: list[Training] = []
        self._next_pick = 0
        self._fill_trainings(start)

    def loaded(self) -> set[SlotKey]:
        """Strategies with a finished model the traders can load."""
        return {(model.strategy_id, model.symbol) for model in self.models}

    def step(self, now: datetime, seconds: float) -> None:
        """Advance the GPU and every training by `seconds` simulated seconds."""
        self.utilization_pct = _wander(self._rng, self.utilization_pct, 3, 35, 98)
        self.memory_used_mb = _wander(self._rng, self.memory_used_mb, 400, 18000, 76000)
        self.gpu_hours += Decimal(f"{seconds / 3600:.6f}")
        for training in list(self.trainings):
            self._advance(training, seconds, now)
        self._fill_trainings(now)

    def _advance(self, training: Training, seconds: float, now: datetime) -> None:
        """Run the episodes that fit in the step and finish the training when done."""
        training._episode_clock += seconds
        episodes = int(training._episode_clock // EPISODE_SECONDS)
        training._episode_clock -= episodes * EPISODE_SECONDS
        training.episode += episodes
        self.episodes_total += episodes
        if episodes and self._rng.random() < 0.3:
            gain = Decimal(f"{self._rng.uniform(0.0, 0.05):.2f}")
            training.best_reward = (training.best_reward + gain).quantize(REWARD_QUANTUM)
        if training.progress_pct >= 100:
            self.trainings.remove(training)
            self.models.append(Model(training.strategy_id, training.symbol, training.best_reward, now))
            del self.models[:-MAX_MODELS]

    def _fill_trainings(self, now: datetime) -> None:
        """Start trainings round-robin over the strategies until enough run."""
        while len(self.trainings) < MAX_ACTIVE_TRAININGS and self.strategies:
            strategy_id, symbol = self.strategies[self._next_pick % len(self.strategies)]
            self._next_pick += 1
            self.trainings.append(Training(strategy_id, symbol, started_at=now, best_reward=Decimal("0.50")))


def _wander(rng: random.Random, value: int, step: int, low: int, high: int) -> int:
    """An integer random walk kept within [low, high]."""
    return max(low, min(high, value + rng.randint(-step, step)))
