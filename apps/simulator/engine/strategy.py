"""One simulated strategy on one symbol: when it enters, where its stop goes, when it exits."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import Decimal

from apps.simulator.engine.records import Position, RiskSettings, StrategySpec, timeframe_seconds

TAKE_PROFIT_MULTIPLES = (Decimal("1.5"), Decimal("2"), Decimal("3"))
TAKE_PROFIT_CHANCE = 0.5
WAIT_TIMEFRAMES = 3  # mean flat time between trades, in bars of the strategy's timeframe
HOLD_TIMEFRAMES = 8  # mean time before a discretionary (signal) exit, in bars


@dataclass(frozen=True)
class EntryPlan:
    """What the strategy decided for a new position, before sizing."""

    side: str
    stop_fraction: Decimal  # stop distance as a fraction of the entry price
    take_profit_multiple: Decimal | None  # target distance in multiples of the stop distance


class StrategySlot:
    """A (strategy_id, symbol): its spec, settings, own random stream and open position.

    Each slot draws from its own seeded stream, so disabling or resizing one
    strategy never changes what the others do.
    """

    def __init__(self, spec: StrategySpec, settings: RiskSettings, rng: random.Random) -> None:
        self.spec = spec
        self.settings = settings
        self.position: Position | None = None
        self._rng = rng
        bar = timeframe_seconds(spec.timeframe)
        self._mean_wait = bar * WAIT_TIMEFRAMES
        self._mean_hold = bar * HOLD_TIMEFRAMES
        # Slower strategies put their stops further away, like their real counterparts.
        self._stop_scale = math.sqrt(bar / 3600)

    def wants_to_open(self, seconds: float) -> bool:
        """Whether a flat strategy enters during a step of `seconds`."""
        return self._rng.random() < _chance(seconds, self._mean_wait)

    def wants_to_exit(self, seconds: float) -> bool:
        """Whether the strategy closes its position on a signal during the step."""
        return self._rng.random() < _chance(seconds, self._mean_hold)

    def plan_entry(self) -> EntryPlan:
        """Side, stop and target of a new position (always the same number of draws)."""
        side = "long" if self._rng.random() < 0.5 else "short"
        stop_fraction = self._rng.uniform(0.004, 0.012) * self._stop_scale
        wants_target = self._rng.random() < TAKE_PROFIT_CHANCE
        multiple = self._rng.choice(TAKE_PROFIT_MULTIPLES)
        return EntryPlan(
            side=side,
            stop_fraction=Decimal(f"{stop_fraction:.6f}"),
            take_profit_multiple=multiple if wants_target else None,
        )


def _chance(seconds: float, mean_seconds: float) -> float:
    """Probability that an exponential clock with this mean fires within `seconds`."""
    return 1.0 - math.exp(-seconds / mean_seconds)
