"""A trader's closed trades, their running totals and its hourly equity history."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from apps.simulator.engine.records import ZERO, Analytics, EquityPoint, Trade, floor_hour

MAX_HISTORY_POINTS = 24 * 366  # a year of hourly equity is plenty for a demo
WIN_RATE_QUANTUM = Decimal("0.0001")


@dataclass
class _Totals:
    """Running sums over closed trades, all after fees."""

    wins: int = 0
    losses: int = 0
    net_pnl: Decimal = ZERO
    fees: Decimal = ZERO
    best: Decimal | None = None
    worst: Decimal | None = None


class TradeBook:
    """Closed trades (oldest first) with totals kept as trades arrive."""

    def __init__(self) -> None:
        self._trades: list[Trade] = []
        self._totals = _Totals()

    def add(self, trade: Trade) -> None:
        """Record a closed trade."""
        self._trades.append(trade)
        totals = self._totals
        net = trade.net_pnl
        if net > 0:
            totals.wins += 1
        else:
            totals.losses += 1
        totals.net_pnl += net
        totals.fees += trade.fees
        totals.best = net if totals.best is None else max(totals.best, net)
        totals.worst = net if totals.worst is None else min(totals.worst, net)

    @property
    def realized_net(self) -> Decimal:
        """Realized PnL after fees over all closed trades."""
        return self._totals.net_pnl

    def all(self) -> list[Trade]:
        """Every closed trade, oldest first."""
        return list(self._trades)

    def newest(self, *, limit: int, since: datetime | None = None) -> list[Trade]:
        """Up to `limit` trades closed at or after `since`, newest first."""
        found: list[Trade] = []
        for trade in reversed(self._trades):
            if since is not None and trade.closed_at < since:
                break  # trades are appended in closing order
            found.append(trade)
            if len(found) == limit:
                break
        return found

    def analytics(self) -> Analytics:
        """Totals over closed trades; PnL figures are after fees."""
        totals = self._totals
        count = totals.wins + totals.losses
        win_rate = Decimal(totals.wins) / count if count else ZERO
        return Analytics(
            total_trades=count,
            wins=totals.wins,
            losses=totals.losses,
            win_rate=win_rate.quantize(WIN_RATE_QUANTUM, rounding=ROUND_HALF_UP),
            total_pnl=totals.net_pnl,
            fees=totals.fees,
            best_trade=totals.best if totals.best is not None else ZERO,
            worst_trade=totals.worst if totals.worst is not None else ZERO,
        )


class EquityHistory:
    """Equity at the first step of each UTC hour."""

    def __init__(self) -> None:
        self._points: deque[EquityPoint] = deque(maxlen=MAX_HISTORY_POINTS)

    def record(self, now: datetime, equity: Decimal) -> None:
        """Keep `equity` if `now` opens a new hour bucket."""
        hour = floor_hour(now)
        if not self._points or hour > self._points[-1].timestamp:
            self._points.append(EquityPoint(timestamp=hour, equity=equity))

    def points(self) -> list[EquityPoint]:
        """Hourly points, oldest first."""
        return list(self._points)
