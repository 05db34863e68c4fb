"""The 1 Hz realtime_pnl tick as plain functions: totals, per-source figures, throttled per-position updates.

No Django here: the producer feeds it the books it holds and publishes what comes out, so the arithmetic is
tested (and benchmarked) alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
# A position is re-sent only when its PnL moved by more than this since the last time it was sent.
PNL_THRESHOLD = CENT
ZERO = Decimal("0")


def plain(value: Decimal | None) -> str | None:
    """A Decimal as a plain decimal string ("64000", never "6.4E+4"); None stays None."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def cents(value: Decimal | None) -> str | None:
    """Money on the wire: rounded to the cent, halves away from zero as accountants do."""
    return None if value is None else str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class PositionMark:
    """One open position with its freshest mark and unrealized PnL."""

    source: str
    strategy: str
    symbol: str
    side: str
    size: Decimal
    entry_price: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal

    @property
    def key(self) -> str:
        return f"{self.source}|{self.strategy}|{self.symbol}"

    @property
    def pnl_pct(self) -> Decimal | None:
        """Open PnL as a percent of the entry notional."""
        notional = self.entry_price * self.size
        return self.unrealized_pnl / notional * 100 if notional else None

    def as_wire(self) -> dict:
        return {
            "key": self.key, "source": self.source, "strategy": self.strategy, "symbol": self.symbol,
            "side": self.side, "size": plain(self.size), "entry_price": plain(self.entry_price),
            "mark_price": plain(self.mark_price), "unrealized_pnl": cents(self.unrealized_pnl),
            "unrealized_pnl_pct": cents(self.pnl_pct),
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class SourceBook:
    """What the producer knows of one source at a tick."""

    name: str
    is_counted: bool
    positions: tuple[PositionMark, ...]
    equity: Decimal | None  # account equity as last polled
    unrealized_at_poll: Decimal | None  # the open PnL that equity included
    is_stale: bool

    @property
    def open_pnl(self) -> Decimal:
        return sum((position.unrealized_pnl for position in self.positions), ZERO)

    @property
    def live_equity(self) -> Decimal | None:
        """Polled equity moved by how much the open PnL changed since that poll."""
        if self.equity is None:
            return None
        return self.equity - (self.unrealized_at_poll or ZERO) + self.open_pnl


def _totals(books: Iterable[SourceBook]) -> dict:
    counted = [book for book in books if book.is_counted]
    equities = [book.live_equity for book in counted if book.live_equity is not None]
    return {
        "equity": cents(sum(equities, ZERO)) if equities else None,
        "open_pnl": cents(sum((book.open_pnl for book in counted), ZERO)),
        "positions": sum(len(book.positions) for book in counted),
    }


def _per_source(books: Iterable[SourceBook]) -> list[dict]:
    return [
        {"source": book.name, "equity": cents(book.live_equity), "open_pnl": cents(book.open_pnl),
         "positions": len(book.positions), "stale": book.is_stale, "counted": book.is_counted}
        for book in books
    ]  # fmt: skip


def _fingerprint(mark: PositionMark) -> tuple:
    """What, besides PnL, makes a position worth re-sending: it was resized, flipped or re-entered."""
    return (mark.side, mark.size, mark.entry_price)


Sent = Mapping[str, tuple[Decimal, tuple]]


def position_changes(books: Iterable[SourceBook], sent: Sent) -> tuple[list[PositionMark], list[str], dict]:
    """Positions to send (new, resized, or PnL moved > $0.01), keys gone since, and the new `sent` map."""
    changed: list[PositionMark] = []
    now_sent: dict[str, tuple[Decimal, tuple]] = {}
    for book in books:
        for mark in book.positions:
            previous = sent.get(mark.key)
            fingerprint = _fingerprint(mark)
            if previous is None or previous[1] != fingerprint or abs(mark.unrealized_pnl - previous[0]) > PNL_THRESHOLD:
                changed.append(mark)
                now_sent[mark.key] = (mark.unrealized_pnl, fingerprint)
            else:
                now_sent[mark.key] = previous  # unchanged: measure the next move from what clients hold
    closed = sorted(key for key in sent if key not in now_sent)
    return changed, closed, now_sent


def tick_build(*, books: list[SourceBook], sent: Sent, seq: int, now: datetime) -> tuple[dict, dict]:
    """The realtime_pnl message for this second, and what clients hold of each position after it."""
    changed, closed, now_sent = position_changes(books, sent)
    message = {
        "type": "realtime_pnl", "seq": seq, **_stamp(now), "total": _totals(books), "sources": _per_source(books),
        "positions": [mark.as_wire() for mark in changed], "closed": closed,
    }  # fmt: skip
    return message, now_sent


def snapshot_build(*, books: list[SourceBook], sent: Sent, seq: int, now: datetime) -> dict:
    """The full state after tick `seq`: what a client that connects now starts from.

    Positions carry the PnL clients were last sent, not the newest: the next tick's deltas are measured
    from those, so a newcomer and an old client hold the same numbers.
    """
    positions = []
    for book in books:
        for mark in book.positions:
            wire = mark.as_wire()
            held = sent.get(mark.key)
            if held is not None:
                wire["unrealized_pnl"] = cents(held[0])
                notional = mark.entry_price * mark.size
                wire["unrealized_pnl_pct"] = cents(held[0] / notional * 100) if notional else None
            positions.append(wire)
    return {"seq": seq, **_stamp(now), "total": _totals(books), "sources": _per_source(books), "positions": positions}


def _stamp(now: datetime) -> dict:
    return {"ts": now.isoformat().replace("+00:00", "Z"), "ts_ms": int(now.timestamp() * 1000)}
