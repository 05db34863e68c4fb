"""Write use-cases of the sources app: poll a source, record its health, register sources."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import InvalidOperation

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from apps.core.broadcast import broadcast_after_commit
from apps.sources.book import BookChanges, BookError, book_apply
from apps.sources.choices import SourceKind, SourceStatus
from apps.sources.connectors import connector_for
from apps.sources.connectors.base import ConnectorError
from apps.sources.models import Source, Trade
from apps.sources.reconciliation import reconciliation_check
from apps.sources.ucb import ucb_fetch_and_store

logger = logging.getLogger(__name__)

# Trades are fetched from a little before the newest one we hold, so a late-arriving trade is not missed;
# the overlap is deduplicated by (source, external id).
TRADE_FETCH_OVERLAP = timedelta(minutes=10)


@dataclass(frozen=True)
class PollOutcome:
    """The result of polling one source, for logs and the poll command."""

    source: str
    ok: bool
    detail: str
    new_trades: int = 0


def source_claim_for_poll(*, source: Source, now: datetime, force: bool = False) -> bool:
    """Claim a source with one conditional update, so two pollers never poll it at once.

    Without force only a due source is claimed (interval passed since the last claim); with force
    (the poll command, tests, benchmarks) any enabled source is.
    """
    claim = Source.objects.filter(pk=source.pk, is_enabled=True)
    if not force:
        due_before = now - timedelta(seconds=source.poll_interval_s) + timedelta(milliseconds=200)
        claim = claim.filter(Q(last_polled_at__isnull=True) | Q(last_polled_at__lte=due_before))
    return claim.update(last_polled_at=now) == 1


def source_poll(*, source: Source, now: datetime | None = None) -> PollOutcome:
    """Fetch a source's book and store it; any fault keeps the last good data and flags the source."""
    now = now or timezone.now()
    try:
        if source.kind == SourceKind.UCB:
            ucb_fetch_and_store(source=source, at=now)
            source_record_success(source=source, now=now)
            return PollOutcome(source.name, True, "ok")
        changes = _fetch_and_store(source=source, now=now)
    except (ConnectorError, BookError, InvalidOperation) as error:
        source_record_failure(source=source, error=str(error) or type(error).__name__, now=now)
        return PollOutcome(source.name, False, str(error))
    return PollOutcome(source.name, True, "ok", new_trades=len(changes.new_trades))


def _fetch_and_store(*, source: Source, now: datetime) -> BookChanges:
    connector = connector_for(source)
    try:
        book = connector.fetch_book(trades_since=_trades_since(source))
    finally:
        connector.close()
    return _store(source=source, book=book, now=now)


@transaction.atomic
def _store(*, source: Source, book, now: datetime) -> BookChanges:
    changes = book_apply(source=source, book=book, at=now)
    source_record_success(source=source, now=now)
    _publish(source, changes)
    reconciliation_check(source=source, now=now)
    return changes


def _trades_since(source: Source) -> datetime | None:
    newest = Trade.objects.filter(source=source).aggregate(newest=Max("closed_at"))["newest"]
    return newest - TRADE_FETCH_OVERLAP if newest else None


def _publish(source: Source, changes: BookChanges) -> None:
    for trade in changes.new_trades:
        broadcast_after_commit(event="trade_closed", payload={
            "source": source.name, "external_id": trade.external_id, "strategy": trade.strategy,
            "symbol": trade.symbol, "side": trade.side, "size": trade.size, "entry_price": trade.entry_price,
            "exit_price": trade.exit_price, "realized_pnl": trade.realized_pnl, "fees": trade.fees,
            "risk_reward": trade.risk_reward, "closed_at": trade.closed_at,
        })  # fmt: skip
    if changes.positions_changed or changes.orders_changed:
        broadcast_after_commit(
            event="positions_update",
            payload={"source": source.name, "positions": changes.positions_changed, "orders": changes.orders_changed},
        )


@transaction.atomic(savepoint=False)
def source_record_success(*, source: Source, now: datetime) -> None:
    """Mark a source ok after a good poll; announce it if it was not ok before."""
    # The conditional update tells whether the status changed, in the same statement that changes it.
    recovered = Source.objects.filter(pk=source.pk).exclude(status=SourceStatus.OK).update(
        status=SourceStatus.OK, last_ok_at=now, last_error="", consecutive_failures=0
    )
    if not recovered:
        Source.objects.filter(pk=source.pk).update(last_ok_at=now)
    source.status, source.last_ok_at, source.last_error, source.consecutive_failures = SourceStatus.OK, now, "", 0
    if recovered:
        _publish_status(source)


@transaction.atomic
def source_record_failure(*, source: Source, error: str, now: datetime) -> None:
    """Flag a source whose poll failed: stale while it has good data to show, down when it never had any."""
    current = Source.objects.select_for_update().get(pk=source.pk)
    status = SourceStatus.STALE if current.last_ok_at else SourceStatus.DOWN
    Source.objects.filter(pk=source.pk).update(
        status=status, last_error=error[:2000], consecutive_failures=F("consecutive_failures") + 1
    )
    source.refresh_from_db(fields=["status", "last_error", "consecutive_failures"])
    logger.warning("poll of %s failed (%s in a row): %s", source.name, source.consecutive_failures, error)
    if current.status != status or current.last_error != source.last_error:
        _publish_status(source)


def _publish_status(source: Source) -> None:
    broadcast_after_commit(event="source_status", payload={
        "source": source.name, "status": source.status, "last_ok_at": source.last_ok_at,
        "last_error": source.last_error, "consecutive_failures": source.consecutive_failures,
    })  # fmt: skip
