"""The exchange's view of a trader: one netted position per coin and the fills behind it."""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from apps.simulator.engine.records import ZERO

MAX_FILLS = 10_000  # Hyperliquid only ever returns the last 10000 fills
ENTRY_QUANTUM = Decimal("0.00000001")
PNL_QUANTUM = Decimal("0.000001")  # Hyperliquid reports dollar figures to 6 decimals


@dataclass(frozen=True)
class Fill:
    """One exchange fill, with Hyperliquid's meaning of each field."""

    coin: str
    px: Decimal
    sz: Decimal
    side: str  # B (buy) | A (sell)
    time: datetime
    start_position: Decimal  # signed, before the fill
    dir: str
    closed_pnl: Decimal  # non-zero only on reducing fills, before fees
    oid: int
    tid: int
    fee: Decimal

    @property
    def hash(self) -> str:
        """A stable fake transaction hash."""
        return "0x" + hashlib.sha256(f"fill:{self.tid}".encode()).hexdigest()


@dataclass
class NetPosition:
    """The exchange position in one coin: signed size and average entry."""

    szi: Decimal = ZERO
    entry_px: Decimal = ZERO


class NettingLedger:
    """Nets every strategy's fills into per-coin positions, as the exchange does."""

    def __init__(self) -> None:
        self.positions: dict[str, NetPosition] = {}
        self.fills: deque[Fill] = deque(maxlen=MAX_FILLS)
        self.closed_pnl_total = ZERO
        self.fees_total = ZERO
        self._next_tid = 1

    def position(self, coin: str) -> NetPosition:
        """The netted position in a coin (flat when never traded)."""
        return self.positions.get(coin, NetPosition())

    def apply(
        self, *, coin: str, is_buy: bool, sz: Decimal, px: Decimal, time: datetime, oid: int, fee: Decimal
    ) -> Fill:
        """Book one fill and return it."""
        current = self.positions.setdefault(coin, NetPosition())
        start = current.szi
        signed = sz if is_buy else -sz
        closed_pnl, direction = self._reduce_or_open(current, signed, px)
        fill = Fill(
            coin=coin,
            px=px,
            sz=sz,
            side="B" if is_buy else "A",
            time=time,
            start_position=start,
            dir=direction,
            closed_pnl=closed_pnl,
            oid=oid,
            tid=self._next_tid,
            fee=fee,
        )
        self._next_tid += 1
        self.fills.append(fill)
        self.closed_pnl_total += closed_pnl
        self.fees_total += fee
        return fill

    @staticmethod
    def _reduce_or_open(current: NetPosition, signed: Decimal, px: Decimal) -> tuple[Decimal, str]:
        """Update the position for a signed fill; return (closedPnl, dir)."""
        start = current.szi
        new = start + signed
        if start == 0 or (start > 0) == (signed > 0):
            current.entry_px = _average_entry(current, signed, px)
            current.szi = new
            return ZERO, "Open Long" if signed > 0 else "Open Short"
        closing = min(abs(signed), abs(start))
        closed_pnl = ((px - current.entry_px) * closing * (1 if start > 0 else -1)).quantize(PNL_QUANTUM)
        current.szi = new
        if new == 0:
            current.entry_px = ZERO
            return closed_pnl, "Close Long" if start > 0 else "Close Short"
        if (new > 0) != (start > 0):
            # The fill flipped the position: the remainder opens at the fill price.
            current.entry_px = px
            return closed_pnl, "Long > Short" if start > 0 else "Short > Long"
        return closed_pnl, "Close Long" if start > 0 else "Close Short"


def _average_entry(current: NetPosition, signed: Decimal, px: Decimal) -> Decimal:
    """Size-weighted entry after adding to a position, rounded like an exchange shows it."""
    if current.szi == 0:
        return px
    total = abs(current.szi) + abs(signed)
    average = (abs(current.szi) * current.entry_px + abs(signed) * px) / total
    return average.quantize(ENTRY_QUANTUM).normalize()
