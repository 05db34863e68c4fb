"""The whole simulated world: one clock, one market, the traders and the UCB service."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from apps.simulator.engine.catalog import DEFAULT_TRADERS, TraderConfig
from apps.simulator.engine.market import Market
from apps.simulator.engine.trader import TraderEngine
from apps.simulator.engine.ucb import UcbState

SIM_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # default start, so a bare seed fixes everything


class Simulation:
    """Deterministic: the same seed, start and steps always give the same state."""

    def __init__(
        self,
        *,
        seed: int = 0,
        start: datetime = SIM_EPOCH,
        step_seconds: float = 60.0,
        traders: tuple[TraderConfig, ...] = DEFAULT_TRADERS,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be an aware datetime")
        if step_seconds <= 0:
            raise ValueError("step_seconds must be > 0")
        self.seed = seed
        self.start = start.astimezone(UTC)
        self.now = self.start
        self.step_seconds = step_seconds
        self.steps_taken = 0
        self.market = Market(random.Random(f"{seed}:market"))
        self.traders = {config.name: TraderEngine(config, self.market, seed=seed, start=self.now) for config in traders}
        strategies = [spec.key for trader in self.traders.values() for spec in trader.strategies()]
        self.ucb = UcbState(random.Random(f"{seed}:ucb"), strategies, self.now)

    def trader(self, name: str) -> TraderEngine:
        """The trader engine for an exchange name ("hyperliquid", "lighter")."""
        return self.traders[name]

    def step(self, count: int = 1, *, seconds: float | None = None) -> None:
        """Advance `count` steps of `seconds` (default step_seconds) simulated seconds."""
        seconds = self.step_seconds if seconds is None else seconds
        for _ in range(count):
            self.now += timedelta(seconds=seconds)
            self.market.step(seconds)
            for trader in self.traders.values():
                trader.step(self.now, seconds)
            self.ucb.step(self.now, seconds)
            self.steps_taken += 1
