"""Deterministic random-walk marks for the simulated symbols."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

SECONDS_PER_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class SymbolSpec:
    """A tradable symbol: where it starts, its tick, size step and volatility."""

    symbol: str
    start_price: Decimal
    tick: Decimal
    size_step: Decimal
    annual_volatility: float  # a model parameter, not money
    max_leverage: int

    @property
    def size_decimals(self) -> int:
        """Decimals of the size step (Hyperliquid's szDecimals)."""
        return max(0, -self.size_step.as_tuple().exponent)


DEFAULT_SYMBOLS = (
    SymbolSpec("BTC", Decimal("64000"), Decimal("1"), Decimal("0.00001"), 0.8, 40),
    SymbolSpec("ETH", Decimal("3200"), Decimal("0.1"), Decimal("0.0001"), 0.9, 25),
    SymbolSpec("SOL", Decimal("150"), Decimal("0.01"), Decimal("0.01"), 1.1, 20),
    SymbolSpec("DOGE", Decimal("0.16"), Decimal("0.00001"), Decimal("1"), 1.2, 10),
)


class Market:
    """Marks per symbol moved by a seeded geometric random walk, quantized to ticks."""

    def __init__(self, rng: random.Random, symbols: tuple[SymbolSpec, ...] = DEFAULT_SYMBOLS) -> None:
        self._rng = rng
        self.specs = {spec.symbol: spec for spec in symbols}
        self._marks = {spec.symbol: spec.start_price for spec in symbols}

    @property
    def symbols(self) -> list[str]:
        """Symbols in a stable order."""
        return list(self.specs)

    def mark(self, symbol: str) -> Decimal:
        """The current mark price of a symbol."""
        return self._marks[symbol]

    def marks(self) -> dict[str, Decimal]:
        """All current marks."""
        return dict(self._marks)

    def step(self, seconds: float) -> None:
        """Move every mark by one random-walk step of `seconds` simulated seconds."""
        for symbol, spec in self.specs.items():
            sigma = spec.annual_volatility * math.sqrt(seconds / SECONDS_PER_YEAR)
            # Log-normal step without drift: marks stay positive and wander around the start.
            factor = math.exp(self._rng.gauss(0.0, 1.0) * sigma - sigma * sigma / 2)
            moved = self._marks[symbol] * Decimal(f"{factor:.12f}")
            self._marks[symbol] = max(spec.tick, self.round_price(symbol, moved))

    def round_price(self, symbol: str, price: Decimal, rounding: str = ROUND_HALF_EVEN) -> Decimal:
        """A price on the symbol's tick grid."""
        tick = self.specs[symbol].tick
        return (price / tick).quantize(Decimal(1), rounding=rounding) * tick
