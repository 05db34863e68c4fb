"""The connector interface: normalized book records, errors that say whether a retry helps, the protocol."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

DEFAULT_TIMEOUT_S = 2.0

POSITION_SIDES = frozenset({"long", "short"})
ORDER_SIDES = frozenset({"buy", "sell"})
ORDER_TYPES = frozenset({"market", "limit", "stop", "stop_limit", "take_profit"})

# An exchange account has no strategy; every exchange connector reports this one.
NO_STRATEGY = ""


class ConnectorError(Exception):
    """A source could not be read; `retryable` says whether trying again later can help."""

    retryable: bool

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class SourceUnreachable(ConnectorError):
    """No answer: connection refused, reset, DNS failure. Retryable."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)


class SourceTimeout(SourceUnreachable):
    """The source did not answer within the configured timeout. Retryable."""


class SourceUnavailable(ConnectorError):
    """The source answered that it cannot serve now (5xx, 429, 503 engine not ready). Retryable."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, retryable=True)
        self.status = status


class SourceRejected(ConnectorError):
    """The source refused the request (4xx, an error code in the body). Not retryable."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message, retryable=False)
        self.status = status


class BadAnswer(ConnectorError):
    """The answer is not what the wire format promises: not JSON, missing field, NaN, negative size."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


class ConnectorConfigError(ConnectorError):
    """The Source is configured so that no connector can be built (kind, URL, credentials)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


def _require(condition: bool, message: str) -> None:
    """Raise BadAnswer(message) unless condition holds."""
    if not condition:
        raise BadAnswer(message)


def _check_aware(name: str, value: datetime | None) -> None:
    """A datetime field must carry a zone."""
    _require(value is None or value.utcoffset() is not None, f"{name} is not timezone-aware")


def _check_decimals(record: object, *names: str) -> None:
    """Money fields must be finite Decimals (or None), never floats."""
    for name in names:
        value = getattr(record, name)
        _require(value is None or (isinstance(value, Decimal) and value.is_finite()), f"{name} is not a finite Decimal")


@dataclass(frozen=True, slots=True)
class PositionData:
    """An open position, keyed by (strategy, symbol)."""

    strategy: str
    symbol: str
    side: str
    size: Decimal
    entry_price: Decimal
    mark_price: Decimal
    unrealized_pnl: Decimal
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    opened_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_decimals(self, "size", "entry_price", "mark_price", "unrealized_pnl", "stop_loss", "take_profit")
        _require(self.side in POSITION_SIDES, f"position side {self.side!r} is not long or short")
        _require(self.size > 0, f"position size {self.size} of {self.symbol} is not positive")
        _check_aware("opened_at", self.opened_at)


@dataclass(frozen=True, slots=True)
class OrderData:
    """A resting order."""

    external_id: str
    strategy: str
    symbol: str
    type: str
    side: str
    size: Decimal
    price: Decimal | None
    reduce_only: bool
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        _check_decimals(self, "size", "price")
        _require(self.type in ORDER_TYPES, f"order type {self.type!r} is not one of {sorted(ORDER_TYPES)}")
        _require(self.side in ORDER_SIDES, f"order side {self.side!r} is not buy or sell")
        _require(self.size >= 0, f"order size {self.size} of {self.external_id} is negative")
        _check_aware("created_at", self.created_at)


@dataclass(frozen=True, slots=True)
class TradeData:
    """A closed (or reduced) trade; `side` is the side of the position it closed."""

    external_id: str
    strategy: str
    symbol: str
    side: str
    size: Decimal
    entry_price: Decimal | None
    exit_price: Decimal
    stop_loss: Decimal | None
    realized_pnl: Decimal
    fees: Decimal
    opened_at: datetime | None
    closed_at: datetime

    def __post_init__(self) -> None:
        _check_decimals(self, "size", "entry_price", "exit_price", "stop_loss", "realized_pnl", "fees")
        _require(self.side in POSITION_SIDES, f"trade side {self.side!r} is not long or short")
        _require(self.size > 0, f"trade size {self.size} of {self.external_id} is not positive")
        _check_aware("opened_at", self.opened_at)
        _check_aware("closed_at", self.closed_at)


@dataclass(frozen=True, slots=True)
class AccountData:
    """The account's money at one instant."""

    equity: Decimal
    realized_pnl: Decimal
    unrealized_pnl: Decimal
    margin_used: Decimal
    as_of: datetime

    def __post_init__(self) -> None:
        _check_decimals(self, "equity", "realized_pnl", "unrealized_pnl", "margin_used")
        _check_aware("as_of", self.as_of)


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    """One read of a source: account, open positions and orders, closed trades seen in this fetch."""

    account: AccountData
    positions: tuple[PositionData, ...]
    orders: tuple[OrderData, ...]
    trades: tuple[TradeData, ...]
    # Fingerprints of the answers the positions and orders came from, when the connector can tell: an
    # unchanged fingerprint lets the poll skip comparing the book row by row. None means "compare".
    positions_digest: str | None = None
    orders_digest: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectorConfig:
    """Everything a connector is built from; `credentials` never shows in repr."""

    kind: str
    base_url: str = ""
    account_address: str = ""
    exchange_id: str = ""
    credentials: Mapping[str, Any] = field(default_factory=dict, repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ConnectorConfigError(f"timeout_s must be positive, got {self.timeout_s!r}")


@runtime_checkable
class Connector(Protocol):
    """Reads one source's book; sync (callers run many in threads); every call bounded by a timeout."""

    def fetch_book(self, *, trades_since: datetime | None) -> BookSnapshot: ...

    def close(self) -> None: ...
