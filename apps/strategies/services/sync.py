"""Read each trader's GET /api/risk/settings into our strategies and risk settings, at the poll cadence."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.sources.choices import SourceKind
from apps.sources.connectors.base import ConnectorError
from apps.sources.connectors.trader_service import RiskSetting as ReportedSetting
from apps.sources.connectors.trader_service import RiskSettings
from apps.sources.models import Source
from apps.strategies.choices import Channel, SyncState
from apps.strategies.models import VALUE_FIELDS, RiskSetting, Strategy, TraderRiskSync
from apps.strategies.services.push import risk_settings_push
from apps.strategies.services.state import (
    OBSERVED_FIELDS,
    STATE_FIELDS,
    kill_switch_observed_audit,
    publish,
    report_apply,
    sync_state_settle,
    version_confirm,
)
from apps.strategies.trader_client import TraderRiskClient
from apps.strategies.validation import risk_values_clean

logger = logging.getLogger(__name__)

MAX_CONCURRENT_SYNCS = 8


@dataclass(frozen=True)
class SyncOutcome:
    """The result of reading one trader's risk settings."""

    source: str
    ok: bool
    detail: str
    retried: int = 0


def risk_settings_sync(*, source: Source) -> SyncOutcome:
    """Read one trader's risk settings: new strategies appear, gone ones are marked, drift is flagged.

    Pending rows of a trader that answers are pushed again right here: it is up, so a change lands within one
    poll of its return instead of waiting out its retry backoff (or for a retry task that was lost).
    """
    now = timezone.now()
    try:
        with TraderRiskClient(source) as client:
            report = client.risk_settings()
    except ConnectorError as error:
        _sync_record(source, now=now, error=error.message)
        return SyncOutcome(source.name, False, error.message)
    problems = _report_store(source, report, observed_at=now)
    _sync_record(source, now=now, error="; ".join(problems))
    due = list(
        RiskSetting.objects.filter(strategy__source=source, sync_state=SyncState.PENDING).values_list("pk", flat=True)
    )
    if due:
        risk_settings_push(setting_ids=due, schedule_retry=False)
    return SyncOutcome(source.name, True, "; ".join(problems) or "ok", retried=len(due))


def _sync_record(source: Source, *, now: datetime, error: str) -> None:
    fields = {"last_attempt_at": now, "last_error": error[:2000]}
    if not error:
        fields["last_ok_at"] = now
    TraderRiskSync.objects.update_or_create(source=source, defaults=fields)


@transaction.atomic
def _report_store(source: Source, report: RiskSettings, *, observed_at: datetime) -> list[str]:
    """Upsert strategies and apply the report to their rows; the problems found, in words."""
    infos = {(info.strategy_id, info.symbol): info for info in report.strategies}
    reported = {(item.strategy_id, item.symbol): item for item in report.settings}
    strategies = {(s.strategy_id, s.symbol): s for s in Strategy.objects.filter(source=source)}
    problems = []
    for key, item in reported.items():
        strategy = strategies.get(key) or _strategy_create(source, key)
        _strategy_refresh(strategy, infos.get(key))
        if not RiskSetting.objects.filter(strategy=strategy).exists():
            problem = _setting_create(strategy, item, observed_at=observed_at)
            if problem:
                problems.append(problem)
    for key, strategy in strategies.items():
        if key not in reported and strategy.is_present:
            strategy.is_present, strategy.gone_at = False, observed_at
            strategy.save(update_fields=["is_present", "gone_at"])
            if hasattr(strategy, "risk"):
                publish(strategy.risk)
    # Rows a push holds are skipped: that push records a fresher report of its own.
    rows = (RiskSetting.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("strategy__source", "updated_by").filter(strategy__source=source))  # fmt: skip
    for row in rows:
        item = reported.get((row.strategy.strategy_id, row.strategy.symbol))
        if item is not None:
            _row_observe(row, item, observed_at=observed_at)
    return problems


def _strategy_create(source: Source, key: tuple[str, str]) -> Strategy:
    strategy, _ = Strategy.objects.get_or_create(source=source, strategy_id=key[0], symbol=key[1])
    return strategy


def _strategy_refresh(strategy: Strategy, info) -> None:
    """Name and timeframe from the trader; a strategy that comes back is present again."""
    fields = {"is_present": True, "gone_at": None}
    if info is not None:
        fields.update(name=info.name[:120], timeframe=info.timeframe[:20])
    changed = [name for name, value in fields.items() if getattr(strategy, name) != value]
    for name in changed:
        setattr(strategy, name, fields[name])
    if changed:
        strategy.save(update_fields=changed)


def _setting_create(strategy: Strategy, item: ReportedSetting, *, observed_at: datetime) -> str:
    """A new strategy starts with the trader's values as ours (version 1, confirmed); a problem, or ""."""
    values = {"enabled": item.enabled, "risk_per_trade": item.risk_per_trade,
              "stop_loss_dollars": item.stop_loss_dollars, "max_drawdown_dollars": item.max_strategy_loss}  # fmt: skip
    try:
        risk_values_clean(values, required=VALUE_FIELDS)
    except ValidationError as error:
        return f"{strategy}: the trader's values break the fund's rules ({'; '.join(error.messages)})"
    row = RiskSetting(strategy=strategy, updated_via=Channel.SYSTEM, updated_at=observed_at, **values)
    report_apply(row, item, observed_at=observed_at)
    row.save()
    version_confirm(row, at=observed_at)
    publish(row)
    return ""


def _row_observe(row: RiskSetting, item: ReportedSetting, *, observed_at: datetime) -> None:
    before = (row.sync_state, row.last_error)
    observation = report_apply(row, item, observed_at=observed_at)
    if observation is None:
        return
    confirmed = sync_state_settle(row, just_pushed=False)
    if not (observation.changed or before != (row.sync_state, row.last_error)):
        return
    row.save(update_fields=OBSERVED_FIELDS + STATE_FIELDS)
    if confirmed:
        version_confirm(row, at=observed_at)
    if observation.kill_switch_changed:
        kill_switch_observed_audit(row)
    publish(row, kill_switch_changed=observation.kill_switch_changed)


def risk_sync_claim(*, source: Source, now: datetime) -> bool:
    """Claim a trader whose poll interval has passed, with a conditional update, so two beats never both read it."""
    TraderRiskSync.objects.get_or_create(source=source)
    due_before = now - timedelta(seconds=source.poll_interval_s) + timedelta(milliseconds=200)
    claimed = TraderRiskSync.objects.filter(
        Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=due_before), source=source
    ).update(last_attempt_at=now)
    return claimed == 1


def _sync_one(source_id: int, force: bool) -> SyncOutcome | None:
    """Runs in a worker thread with its own database connection."""
    try:
        source = Source.objects.get(pk=source_id)
        if not force and not risk_sync_claim(source=source, now=timezone.now()):
            return None
        return risk_settings_sync(source=source)
    except Exception as error:  # one broken trader must not take the others down
        logger.exception("risk sync of source %s crashed", source_id)
        return SyncOutcome(str(source_id), False, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def risk_settings_sync_due(*, names: list[str] | None = None, force: bool = False) -> list[SyncOutcome]:
    """Read every enabled trader service whose poll interval has passed (all named ones with force)."""
    close_old_connections()
    sources = Source.objects.filter(kind=SourceKind.TRADER_SERVICE, is_enabled=True)
    if names:
        sources = sources.filter(name__in=names)
    ids = list(sources.values_list("pk", flat=True))
    if not ids:
        return []
    # SQLite takes one writer at a time: parallel reads of the traders would only queue on its lock.
    workers = 1 if connection.vendor == "sqlite" else min(MAX_CONCURRENT_SYNCS, len(ids))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="risk-sync") as pool:
        outcomes = list(pool.map(lambda pk: _sync_one(pk, force), ids))
    return [outcome for outcome in outcomes if outcome is not None]
