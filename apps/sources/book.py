"""Apply one fetched book to the database: idempotent upserts, one transaction per poll."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from apps.core.db import rows_update
from apps.sources.connectors.base import AccountData, BookSnapshot, OrderData, PositionData, TradeData
from apps.sources.models import MONEY, AccountState, Order, Position, Source, Trade
from apps.sources.rules import risk_reward

POSITION_FIELDS = ["side", "size", "entry_price", "mark_price", "unrealized_pnl", "stop_loss", "take_profit",
                   "opened_at"]  # fmt: skip
ORDER_FIELDS = ["strategy", "symbol", "type", "side", "size", "price", "reduce_only", "created_at"]


STORED_PLACES = Decimal(10) ** -MONEY["decimal_places"]


def _stored(value):
    """The value as the database will hold it, so an unchanged book compares equal to its stored rows."""
    return value.quantize(STORED_PLACES) if isinstance(value, Decimal) else value


class BookError(ValueError):
    """The fetched book contradicts itself (e.g. one position listed twice); nothing is written."""


@dataclass
class BookChanges:
    """What one poll changed: drives the events the live view hears."""

    positions_changed: bool = False
    orders_changed: bool = False
    new_trades: list[Trade] = field(default_factory=list)


@transaction.atomic(savepoint=False)  # inside a poll's transaction: no savepoint round trips
def book_apply(*, source: Source, book: BookSnapshot, at: datetime) -> BookChanges:
    """Make the stored book equal the fetched one; record unseen closed trades exactly once."""
    changes = BookChanges()
    # Same answer as the last applied one: the stored rows already equal it, skip the row-by-row compare.
    if book.positions_digest is None or book.positions_digest != source.positions_digest:
        changes.positions_changed = _positions_sync(source, book.positions, at)
    if book.orders_digest is None or book.orders_digest != source.orders_digest:
        changes.orders_changed = _orders_sync(source, book.orders, at)
    changes.new_trades = _trades_record(source, book.trades)
    _account_state_upsert(source, book.account)
    _digests_remember(source, book)
    return changes


def _digests_remember(source: Source, book: BookSnapshot) -> None:
    digests = {"positions_digest": book.positions_digest or "", "orders_digest": book.orders_digest or ""}
    if any(getattr(source, name) != value for name, value in digests.items()):
        Source.objects.filter(pk=source.pk).update(**digests)
        for name, value in digests.items():
            setattr(source, name, value)


def _keyed(items, key, what: str) -> dict:
    keyed = {}
    for item in items:
        k = key(item)
        if k in keyed:
            raise BookError(f"{what} {k} is listed twice in one answer")
        keyed[k] = item
    return keyed


def _positions_sync(source: Source, fetched: list[PositionData], at: datetime) -> bool:
    incoming = _keyed(fetched, lambda p: (p.strategy, p.symbol), "position")
    stored = {(p.strategy, p.symbol): p for p in Position.objects.filter(source=source)}
    to_create, to_update = [], []
    for key, data in incoming.items():
        values = {name: _stored(getattr(data, name)) for name in POSITION_FIELDS}
        row = stored.get(key)
        if row is None:
            to_create.append(Position(source=source, strategy=key[0], symbol=key[1], updated_at=at, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = at
            to_update.append(row)
    gone = [row.pk for key, row in stored.items() if key not in incoming]
    Position.objects.bulk_create(to_create)
    rows_update(Position, to_update, [*POSITION_FIELDS, "updated_at"])
    Position.objects.filter(pk__in=gone).delete()
    return bool(to_create or to_update or gone)


def _orders_sync(source: Source, fetched: list[OrderData], at: datetime) -> bool:
    incoming = _keyed(fetched, lambda o: o.external_id, "order")
    stored = {o.external_id: o for o in Order.objects.filter(source=source)}
    to_create, to_update = [], []
    for external_id, data in incoming.items():
        values = {name: _stored(getattr(data, name)) for name in ORDER_FIELDS}
        row = stored.get(external_id)
        if row is None:
            to_create.append(Order(source=source, external_id=external_id, updated_at=at, **values))
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = at
            to_update.append(row)
    gone = [row.pk for external_id, row in stored.items() if external_id not in incoming]
    Order.objects.bulk_create(to_create)
    rows_update(Order, to_update, [*ORDER_FIELDS, "updated_at"])
    Order.objects.filter(pk__in=gone).delete()
    return bool(to_create or to_update or gone)


def _trades_record(source: Source, fetched: list[TradeData]) -> list[Trade]:
    incoming = {t.external_id: t for t in fetched}  # overlapping pages may list a trade twice: same trade
    if not incoming:
        return []
    known = set(
        Trade.objects.filter(source=source, external_id__in=list(incoming)).values_list("external_id", flat=True)
    )
    new = [_trade_row(source, data) for external_id, data in incoming.items() if external_id not in known]
    # ignore_conflicts: a concurrent poll of the same source may have stored one a moment ago.
    Trade.objects.bulk_create(new, ignore_conflicts=True)
    return sorted(new, key=lambda t: t.closed_at)


def _trade_row(source: Source, data: TradeData) -> Trade:
    return Trade(
        source=source, external_id=data.external_id, strategy=data.strategy, symbol=data.symbol, side=data.side,
        size=data.size, entry_price=data.entry_price, exit_price=data.exit_price, stop_loss=data.stop_loss,
        realized_pnl=data.realized_pnl, fees=data.fees, opened_at=data.opened_at, closed_at=data.closed_at,
        risk_reward=risk_reward(entry=data.entry_price, exit_price=data.exit_price, stop_loss=data.stop_loss,
                                realized_pnl=data.realized_pnl),
    )  # fmt: skip


def _account_state_upsert(source: Source, account: AccountData | None) -> None:
    if account is None:
        return
    minute = account.as_of.replace(second=0, microsecond=0)
    state = AccountState(source=source, minute=minute, equity=account.equity, realized_pnl=account.realized_pnl,
                         unrealized_pnl=account.unrealized_pnl, margin_used=account.margin_used, as_of=account.as_of)
    # One INSERT .. ON CONFLICT UPDATE instead of update_or_create's savepoint, select and update.
    AccountState.objects.bulk_create(
        [state], update_conflicts=True, unique_fields=["source", "minute"],
        update_fields=["equity", "realized_pnl", "unrealized_pnl", "margin_used", "as_of"],
    )  # fmt: skip
