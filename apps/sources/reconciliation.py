"""Compare what a trader service reports with what its exchange account holds, per symbol."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction

from apps.core.alerts import alert_clear, alert_raise
from apps.sources.choices import SourceStatus
from apps.sources.models import Position, ReconciliationMismatch, Source
from apps.sources.rules import net_by_symbol

ALERT_KIND = "reconciliation"
GRACE_POLLS = 2  # a mismatch must survive this many polls: fills land at the two ends a moment apart


def _net_book(source: Source) -> dict[str, Decimal]:
    return net_by_symbol(Position.objects.filter(source=source).values_list("symbol", "side", "size"))


@transaction.atomic(savepoint=False)
def reconciliation_check(*, source: Source, now: datetime) -> None:
    """After a trader's poll, compare its book with its exchange account's last good one; raise or clear alerts."""
    if not source.exchange_source_id:
        return  # only a trader's poll counts as a poll of the pair, so the grace period means what it says
    exchange = Source.objects.get(pk=source.exchange_source_id)
    if source.status != SourceStatus.OK or exchange.status != SourceStatus.OK:
        return  # stale data on one side proves nothing
    _compare(source, exchange, now)


def _compare(trader: Source, exchange: Source, now: datetime) -> None:
    ours, theirs = _net_book(trader), _net_book(exchange)
    differing = {s for s in ours.keys() | theirs.keys() if ours.get(s, Decimal(0)) != theirs.get(s, Decimal(0))}
    for row in ReconciliationMismatch.objects.select_for_update().filter(trader=trader).exclude(symbol__in=differing):
        alert_clear(kind=ALERT_KIND, key=_alert_key(trader, row.symbol))
        row.delete()
    for symbol in differing:
        _record_mismatch(trader, exchange, symbol, ours.get(symbol, Decimal(0)), theirs.get(symbol, Decimal(0)), now)


def _record_mismatch(trader, exchange, symbol, trader_net, exchange_net, now) -> None:
    row, created = ReconciliationMismatch.objects.select_for_update().get_or_create(
        trader=trader, symbol=symbol,
        defaults={"exchange": exchange, "trader_net": trader_net, "exchange_net": exchange_net, "first_seen_at": now},
    )  # fmt: skip
    if not created:
        row.polls += 1
        row.exchange, row.trader_net, row.exchange_net = exchange, trader_net, exchange_net
        row.save(update_fields=["polls", "exchange", "trader_net", "exchange_net"])
    if row.polls >= GRACE_POLLS:
        alert_raise(
            kind=ALERT_KIND, key=_alert_key(trader, symbol),
            title=f"{trader.name} and {exchange.name} disagree on {symbol}",
            detail={"trader": trader.name, "exchange": exchange.name, "symbol": symbol,
                    "trader_net": str(trader_net), "exchange_net": str(exchange_net),
                    "since": row.first_seen_at.isoformat()},
        )  # fmt: skip


def _alert_key(trader: Source, symbol: str) -> str:
    return f"{trader.name}/{symbol}"
