"""Push pending risk settings to their trader, re-read the trader to confirm, and record what it answered."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.sources.connectors.base import ConnectorError
from apps.sources.connectors.trader_service import RiskSetting as ReportedSetting
from apps.sources.models import Source
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.models import RiskSetting
from apps.strategies.services.state import (
    OBSERVED_FIELDS,
    STATE_FIELDS,
    SYSTEM_LABEL,
    kill_switch_observed_audit,
    plain,
    publish,
    report_apply,
    sync_state_settle,
    values_text,
    version_confirm,
)
from apps.strategies.trader_client import TraderRiskClient, failure_reason

logger = logging.getLogger(__name__)

RETRY_BASE_S = 1
RETRY_CAP_S = 300


def retry_countdown(attempts: int) -> int:
    """Seconds before the next try after `attempts` failed ones: 1, 2, 4, ... capped at 5 minutes."""
    return min(RETRY_BASE_S * 2 ** max(attempts - 1, 0), RETRY_CAP_S)


@dataclass(frozen=True)
class PushResult:
    """What became of one setting's push: its sync state and the trader's answer in words."""

    setting_id: int
    sync_state: str
    message: str
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.sync_state == SyncState.IN_SYNC


AuditHook = Callable[[RiskSetting, PushResult, dict | None], None]


@dataclass
class _Exchange:
    """The trader's side of one push: per-row refusals, its settings afterwards, or the error that stopped it."""

    refused: dict[int, str] = field(default_factory=dict)
    report: dict[tuple[str, str], ReportedSetting] = field(default_factory=dict)
    observed_at: datetime | None = None
    failure: ConnectorError | None = None


def risk_settings_push(*, setting_ids: list[int], full: bool = False, audit: AuditHook | None = None,
                       schedule_retry: bool = True) -> dict[int, PushResult]:  # fmt: skip
    """Push these settings' desired values to their traders (one exchange per trader) and record the outcome.

    Only pending rows are pushed; a row someone else already landed reports its state. `full` also sends
    enable/disable when we believe the trader already agrees. `audit(row, result, trader_before)` writes
    the caller's audit line in the same transaction as the outcome; without it, a landed retry is audited
    as the system.
    """
    results: dict[int, PushResult] = {}
    source_ids = set(RiskSetting.objects.filter(pk__in=setting_ids).values_list("strategy__source_id", flat=True))
    for source_id in sorted(source_ids):
        results.update(_push_source(source_id, setting_ids, full=full, audit=audit, schedule_retry=schedule_retry))
    return results


@transaction.atomic
def _push_source(source_id: int, setting_ids: list[int], *, full: bool, audit: AuditHook | None,
                 schedule_retry: bool) -> dict[int, PushResult]:  # fmt: skip
    # The rows stay locked for the exchange, so a concurrent edit waits and then pushes after this one.
    rows = list(
        RiskSetting.objects.select_for_update(of=("self",))
        .select_related("strategy__source", "updated_by")
        .filter(pk__in=setting_ids, strategy__source_id=source_id)
        .order_by("pk")
    )
    due = [row for row in rows if row.sync_state == SyncState.PENDING]
    due_ids = {row.pk for row in due}
    exchange = _exchange(rows[0].strategy.source, due, full=full) if due else _Exchange()
    now = timezone.now()
    results = {}
    for row in rows:
        trader_before = row.reported
        if row.pk in due_ids:
            kill_switch_before = row.kill_switch_active if row.trader_reported_at else None
            result = _settle(row, exchange, now=now)
            row.save(update_fields=OBSERVED_FIELDS + STATE_FIELDS)
            kill_switch_flipped = kill_switch_before is not None and kill_switch_before != row.kill_switch_active
            if kill_switch_flipped:  # the confirming read also showed the trader flip the kill switch by itself
                kill_switch_observed_audit(row)
            publish(row, kill_switch_changed=kill_switch_flipped)
            if result.sync_state == SyncState.PENDING and schedule_retry:
                transaction.on_commit(partial(_enqueue_retry, row.pk, retry_countdown(result.attempts)))
            (audit or _audit_landed_retry)(row, result, trader_before)
        else:
            result = PushResult(row.pk, row.sync_state, _state_text(row))
            if audit:
                audit(row, result, trader_before)
        results[row.pk] = result
    return results


def _exchange(source: Source, rows: list[RiskSetting], *, full: bool) -> _Exchange:
    """Bulk-update the values, enable/disable where needed, then read the trader's settings back."""
    exchange = _Exchange()
    try:
        with TraderRiskClient(source) as client:
            items = [{"strategy_id": r.strategy.strategy_id, "symbol": r.strategy.symbol, **r.desired} for r in rows]
            for row, answer in zip(rows, client.bulk_update(items), strict=True):
                if not answer.success:
                    exchange.refused[row.pk] = f"The trader refused: {answer.error}"
            for row in rows:
                if row.pk not in exchange.refused and (full or row.trader_enabled != row.enabled):
                    _set_enabled(client, row, exchange)
            exchange.observed_at = timezone.now()
            settings = client.risk_settings().settings
            exchange.report = {(item.strategy_id, item.symbol): item for item in settings}
    except ConnectorError as error:
        exchange.failure = error
    return exchange


def _set_enabled(client: TraderRiskClient, row: RiskSetting, exchange: _Exchange) -> None:
    """Enable or disable one strategy; a refusal marks only that row, an outage stops the whole push."""
    try:
        client.set_enabled(row.strategy.strategy_id, row.strategy.symbol, row.enabled)
    except ConnectorError as error:
        if error.retryable:
            raise
        exchange.refused[row.pk] = f"The trader {failure_reason(error)}."


def _settle(row: RiskSetting, exchange: _Exchange, *, now: datetime) -> PushResult:
    """The row's state after the exchange (unsaved)."""
    row.last_push_at = now
    if exchange.failure is not None and exchange.failure.retryable:
        row.push_attempts += 1
        row.sync_state = SyncState.PENDING
        row.next_retry_at = now + timedelta(seconds=retry_countdown(row.push_attempts))
        reason = failure_reason(exchange.failure)
        row.last_error = f"Not at the trader yet: it {reason}. Retrying automatically."
        logger.warning("push of %s pending (attempt %s): %s", row, row.push_attempts, exchange.failure.message)
        message = f"Saved here, but the trader {reason}: pending, retried until it lands."
        return PushResult(row.pk, row.sync_state, message, row.push_attempts)
    if exchange.failure is not None or row.pk in exchange.refused:
        row.sync_state, row.next_retry_at = SyncState.FAILED, None
        row.last_error = exchange.refused.get(row.pk) or f"The trader {failure_reason(exchange.failure)}."
        return PushResult(row.pk, row.sync_state, row.last_error)
    reported = exchange.report.get((row.strategy.strategy_id, row.strategy.symbol))
    if reported is None:
        row.sync_state, row.next_retry_at = SyncState.FAILED, None
        row.last_error = "The trader no longer lists this strategy."
        return PushResult(row.pk, row.sync_state, row.last_error)
    report_apply(row, reported, observed_at=exchange.observed_at or now)
    if sync_state_settle(row, just_pushed=True):
        version_confirm(row, at=now)
    return PushResult(row.pk, row.sync_state, _state_text(row))


def _state_text(row: RiskSetting) -> str:
    """The row's standing in words, as the trader last answered."""
    if row.sync_state == SyncState.IN_SYNC:
        return f"Confirmed by the trader: {values_text(row.desired)}."
    return row.last_error or row.get_sync_state_display()


def _audit_landed_retry(row: RiskSetting, result: PushResult, trader_before: dict | None) -> None:
    """A retry (or sync) push that landed or definitively failed is audited as the system; a pending one is not."""
    if result.sync_state == SyncState.PENDING:
        return
    audit_event_record(
        actor=None, actor_label=SYSTEM_LABEL, action=RiskAction.RETRY_LANDED, target=row.audit_target,
        before=plain(trader_before), after=plain({**row.desired, "version": row.version, "trader": result.message}),
        outcome=AuditOutcome.SUCCESS if result.ok else AuditOutcome.FAILURE,
    )  # fmt: skip


def _enqueue_retry(setting_id: int, countdown: int) -> None:
    """Queue the retry task; if the broker is down, the periodic sync retries the row instead."""
    from apps.strategies.tasks import risk_push_retry_task  # tasks import services: import late

    try:
        risk_push_retry_task.apply_async(kwargs={"setting_id": setting_id}, countdown=countdown)
    except Exception:
        logger.exception("could not queue the retry of risk setting %s; the sync will retry it", setting_id)
