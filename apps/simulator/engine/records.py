"""Plain records a simulated trader keeps: strategies, settings, positions, orders, trades."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO = Decimal(0)

SlotKey = tuple[str, str]  # (strategy_id, symbol): how a trader keys strategies and positions

_TIMEFRAME_UNITS = {"m": 60, "h": 3600, "d": 86400}


def floor_hour(moment: datetime) -> datetime:
    """The UTC hour bucket a moment falls in."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def to_millis(moment: datetime) -> int:
    """Unix milliseconds, computed without floats."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def timeframe_seconds(timeframe: str) -> int:
    """Seconds in a timeframe such as "15m", "1h" or "4h"."""
    return int(timeframe[:-1]) * _TIMEFRAME_UNITS[timeframe[-1]]


@dataclass(frozen=True)
class StrategySpec:
    """One strategy running on one symbol, as the trader lists it."""

    strategy_id: str
    symbol: str
    name: str
    timeframe: str

    @property
    def key(self) -> SlotKey:
        """The (strategy_id, symbol) key."""
        return (self.strategy_id, self.symbol)


@dataclass
class RiskSettings:
    """The risk settings of one (strategy_id, symbol) and its running totals."""

    enabled: bool
    risk_per_trade: Decimal
    stop_loss_dollars: Decimal
    max_strategy_loss: Decimal
    kill_switch_active: bool = False
    total_pnl: Decimal = ZERO  # realized, after fees, since the trader started
    peak_pnl: Decimal = ZERO  # highest total_pnl since the kill switch was last reset

    @property
    def drawdown(self) -> Decimal:
        """Dollars given back from the best total_pnl since the last kill-switch reset."""
        return self.peak_pnl - self.total_pnl

    @property
    def may_open(self) -> bool:
        """Whether the strategy may open a new position."""
        return self.enabled and not self.kill_switch_active


@dataclass
class Position:
    """An open position of one strategy on one symbol."""

    strategy_id: str
    symbol: str
    side: str  # long | short
    size: Decimal
    entry_price: Decimal
    stop_loss: Decimal
    take_profit: Decimal | None
    opened_at: datetime
    entry_fee: Decimal
    stop_order_id: str
    take_profit_order_id: str | None

    @property
    def direction(self) -> int:
        """+1 for long, -1 for short."""
        return 1 if self.side == "long" else -1

    def pnl_at(self, price: Decimal) -> Decimal:
        """PnL before fees if the position closed at `price`."""
        return (price - self.entry_price) * self.size * self.direction


@dataclass(frozen=True)
class Order:
    """A resting order (the stop and take-profit guarding a position)."""

    order_id: str
    strategy_id: str
    symbol: str
    type: str  # stop | take_profit
    side: str  # buy | sell
    size: Decimal
    price: Decimal
    reduce_only: bool
    created_at: datetime


@dataclass(frozen=True)
class Trade:
    """A closed position: realized_pnl is before fees, fees cover both legs."""

    trade_id: str
    strategy_id: str
    symbol: str
    side: str
    size: Decimal
    entry_price: Decimal
    exit_price: Decimal
    stop_loss: Decimal | None
    realized_pnl: Decimal
    fees: Decimal
    opened_at: datetime
    closed_at: datetime
    exit_reason: str  # stop | take_profit | signal (not part of the contract)

    @property
    def net_pnl(self) -> Decimal:
        """PnL after fees."""
        return self.realized_pnl - self.fees


@dataclass(frozen=True)
class EquityPoint:
    """Equity at the start of an hour bucket."""

    timestamp: datetime
    equity: Decimal


@dataclass(frozen=True)
class KillSwitchChange:
    """A strategy's kill switch tripped (active) or was reset."""

    strategy_id: str
    symbol: str
    active: bool


@dataclass(frozen=True)
class Event:
    """Something that happened in a step, for the trader's WebSocket."""

    type: str  # trade_closed | position_update | kill_switch
    payload: Trade | Position | KillSwitchChange
    mark_price: Decimal | None = None  # for position_update


@dataclass(frozen=True)
class Analytics:
    """Totals over a trader's closed trades."""

    total_trades: int
    wins: int
    losses: int
    win_rate: Decimal
    total_pnl: Decimal  # after fees
    fees: Decimal
    best_trade: Decimal
    worst_trade: Decimal
