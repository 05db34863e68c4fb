"""Write use-cases of the equity app: the hourly snapshot and history imports."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.core.broadcast import broadcast_after_commit
from apps.equity.backfill import WriteResult, fund_rows_derive, gaps_report, rows_write
from apps.equity.choices import ImportKind, ImportStatus, SnapshotOrigin
from apps.equity.history import source_history
from apps.equity.models import EquityImport, EquitySnapshot
from apps.equity.rows import FUND, HistoryRow, ParsedRows, RowError, latest_per_bucket, parse_csv, parse_json_rows
from apps.equity.series import floor_hour
from apps.sources.choices import SourceKind, SourceStatus
from apps.sources.connectors.base import ConnectorError
from apps.sources.models import AccountState, Position, Source
from apps.sources.selectors import latest_account_states

logger = logging.getLogger(__name__)

ZERO = Decimal(0)
MIN_FRESH = timedelta(seconds=60)
FRESH_POLLS = 3  # an account state older than three poll intervals is stale even if the source says ok
MAX_ERRORS_LISTED = 200
CLAIM_EXPIRY = timedelta(minutes=30)  # a run older than this died with its worker and may be taken over
PULL_KINDS = {SourceKind.TRADER_SERVICE: ImportKind.TRADER, SourceKind.HYPERLIQUID: ImportKind.HYPERLIQUID}
INLINE_MAX_ROWS = 2000  # smaller files are imported within the request; bigger ones by a worker
IMPORT_ORIGINS = {
    ImportKind.CSV: SnapshotOrigin.FILE,
    ImportKind.JSON: SnapshotOrigin.FILE,
    ImportKind.TRADER: SnapshotOrigin.TRADER,
    ImportKind.HYPERLIQUID: SnapshotOrigin.HYPERLIQUID,
}


@dataclass(frozen=True)
class SnapshotResult:
    """One snapshot round: its bucket, the rows written, and which sources were stale or had nothing."""

    bucket: datetime
    rows: list[EquitySnapshot]
    stale_sources: list[str]
    missing_sources: list[str]


def staleness(source: Source, state: AccountState, *, now: datetime) -> str:
    """Why a source's latest account state is not fresh, or "" when it is."""
    if not source.is_enabled:
        return "polling is disabled"
    if source.status != SourceStatus.OK:
        return f"source is {source.status}" + (f": {source.last_error[:120]}" if source.last_error else "")
    age = now - state.as_of
    if age > max(MIN_FRESH, timedelta(seconds=FRESH_POLLS * source.poll_interval_s)):
        return f"last account state is {int(age.total_seconds())} s old"
    return ""


def _put(*, source: Source | None, bucket: datetime, values: dict) -> EquitySnapshot:
    # update_or_create locks the row and retries its insert on a unique clash: two callers in one hour converge.
    row, _ = EquitySnapshot.objects.update_or_create(source=source, bucket=bucket, defaults=values)
    return row


def _fund_values(parts: list[tuple[Source, AccountState, int, str]], missing: list[str], now: datetime) -> dict:
    stale = [source.name for source, _, _, reason in parts if reason]
    reasons = ([f"stale: {', '.join(stale)}"] if stale else []) + ([f"no account state: {', '.join(missing)}"]
                                                                   if missing else [])  # fmt: skip
    return {
        "equity": sum((state.equity for _, state, _, _ in parts), ZERO),
        "realized_pnl": sum((state.realized_pnl for _, state, _, _ in parts), ZERO),
        "unrealized_pnl": sum((state.unrealized_pnl for _, state, _, _ in parts), ZERO),
        "position_count": sum(count for _, _, count, _ in parts), "is_stale": bool(reasons),
        "stale_reason": "; ".join(reasons)[:300], "origin": SnapshotOrigin.LIVE, "as_of": now,
    }  # fmt: skip


@transaction.atomic
def equity_snapshot_take(*, now: datetime | None = None, actor=None, ip: str | None = None) -> SnapshotResult:
    """Record every source's latest account state, and the fund's sum of the counted ones, in this hour's bucket."""
    now = now or timezone.now()
    bucket = floor_hour(now)
    states = latest_account_states()
    positions = dict(Position.objects.values_list("source_id").annotate(n=Count("id")))
    rows, fund_parts, stale, missing = [], [], [], []
    for source in Source.objects.exclude(kind=SourceKind.UCB).order_by("name"):
        state = states.get(source.pk)
        if state is None:
            missing.append(source.name)
            continue
        reason = staleness(source, state, now=now)
        stale += [source.name] if reason else []
        count = positions.get(source.pk, 0)
        rows.append(_put(source=source, bucket=bucket, values={
            "equity": state.equity, "realized_pnl": state.realized_pnl, "unrealized_pnl": state.unrealized_pnl,
            "position_count": count, "is_stale": bool(reason), "stale_reason": reason[:300],
            "origin": SnapshotOrigin.LIVE, "as_of": state.as_of,
        }))  # fmt: skip
        if source.is_counted_in_totals:
            fund_parts.append((source, state, count, reason))
    counted_missing = Source.objects.filter(name__in=missing, is_counted_in_totals=True).values_list("name", flat=True)
    if fund_parts:
        rows.append(_put(source=None, bucket=bucket, values=_fund_values(fund_parts, list(counted_missing), now)))
    result = SnapshotResult(bucket=bucket, rows=rows, stale_sources=stale, missing_sources=missing)
    if actor is not None:
        audit_event_record(actor=actor, action="equity.snapshot", target=f"equity:{bucket:%Y-%m-%dT%H}",
                           after=_snapshot_summary(result), ip=ip)  # fmt: skip
    broadcast_after_commit(event="equity_snapshot", payload=_snapshot_summary(result))
    return result


def _snapshot_summary(result: SnapshotResult) -> dict:
    fund = next((row for row in result.rows if row.source_id is None), None)
    return {"bucket": result.bucket, "rows": len(result.rows), "fund_equity": fund.equity if fund else None,
            "stale_sources": result.stale_sources, "missing_sources": result.missing_sources}  # fmt: skip


@transaction.atomic
def equity_import_create(*, kind: str | None = None, actor, payload: str = "", filename: str = "",
                         commit_good_rows: bool = False, source: Source | None = None,
                         ip: str | None = None) -> EquityImport:  # fmt: skip
    """Record an import of `payload` (kind csv or json), or a pull of `source`'s own history; audited."""
    if source is not None:
        if source.kind not in PULL_KINDS:
            raise ValueError(f"a {source.get_kind_display()} source has no equity history to pull")
        kind = PULL_KINDS[source.kind]
    if kind not in (ImportKind.CSV, ImportKind.JSON, *PULL_KINDS.values()):
        raise ValueError(f"unknown import kind {kind!r}")
    job = EquityImport.objects.create(kind=kind, payload=payload, filename=filename[:255], source=source,
                                      commit_good_rows=commit_good_rows, created_by=actor)  # fmt: skip
    audit_event_record(actor=actor, action="equity.import.create", target=f"equity-import:{job.pk}", ip=ip,
                       after={"kind": kind, "filename": job.filename, "source": source.name if source else None,
                              "bytes": len(payload), "commit_good_rows": commit_good_rows})  # fmt: skip
    return job


def equity_import_start(*, job: EquityImport) -> EquityImport:
    """Run a small file import now; queue pulls and big files for a worker (after the commit that made them)."""
    # A cheap upper bound of the row count: lines of a CSV, objects of a JSON body.
    rows = job.payload.count("\n") if job.kind == ImportKind.CSV else job.payload.count("{")
    if job.kind in (ImportKind.CSV, ImportKind.JSON) and rows <= INLINE_MAX_ROWS:
        return equity_import_run(import_id=job.pk)
    from apps.equity.tasks import equity_import_run_task  # tasks import this module

    transaction.on_commit(lambda: equity_import_run_task.delay(import_id=job.pk))
    return job


def _claim(import_id: int, now: datetime) -> bool:
    """Take the import with a conditional update: two workers never run one import at once."""
    running = [ImportStatus.VALIDATING, ImportStatus.IMPORTING]
    takeable = Q(status=ImportStatus.PENDING) | Q(status__in=running, started_at__lt=now - CLAIM_EXPIRY)
    claimed = EquityImport.objects.filter(takeable, pk=import_id).update(
        status=ImportStatus.VALIDATING, started_at=now, processed_rows=0
    )
    return claimed == 1


def _parse(job: EquityImport, now: datetime) -> ParsedRows:
    names = set(Source.objects.values_list("name", flat=True))
    if job.kind == ImportKind.CSV:
        return parse_csv(job.payload, sources=names, now=now)
    if job.kind == ImportKind.JSON:
        try:
            body = json.loads(job.payload, parse_float=Decimal)
        except ValueError as error:
            return ParsedRows(errors=[RowError(0, f"not JSON: {error}")])
        return parse_json_rows(body.get("rows") if isinstance(body, dict) else body, sources=names, now=now)
    return source_history(job.source, now=now)


class _Progress:
    """Stores and broadcasts how far an import is, at most once per chunk."""

    def __init__(self, job: EquityImport) -> None:
        self.job = job

    def update(self, *, status: str | None = None, rows: int = 0, stage: str = "") -> None:
        job = self.job
        job.processed_rows += rows
        job.status = status or job.status
        job.summary = {**job.summary, "stage": stage or job.summary.get("stage", "")}
        EquityImport.objects.filter(pk=job.pk).update(status=job.status, processed_rows=job.processed_rows,
                                                      total_rows=job.total_rows, summary=job.summary)  # fmt: skip
        broadcast_after_commit(event="equity_import_progress", payload=import_progress(job))


def import_progress(job: EquityImport) -> dict:
    """The progress record of an import as pages and sockets show it."""
    return {"id": job.pk, "status": job.status, "status_label": job.get_status_display(), "percent": job.percent,
            "processed_rows": job.processed_rows, "total_rows": job.total_rows, "stage": job.summary.get("stage", ""),
            "is_finished": job.is_finished}  # fmt: skip


def _write(rows: list[HistoryRow], *, job: EquityImport, progress: _Progress) -> WriteResult:
    result = WriteResult()
    progress.update(status=ImportStatus.IMPORTING, stage="Writing rows")
    origin = IMPORT_ORIGINS[job.kind]
    result.rows, spans = rows_write(rows=rows, origin=origin, progress=lambda count: progress.update(rows=count))
    progress.update(stage="Summing the fund")
    given = {row.bucket for row in rows if row.source == FUND}
    result.fund = fund_rows_derive(spans=spans, skip=given)
    progress.update(stage="Looking for gaps")
    result.gaps = gaps_report(spans=spans)
    return result


def _finish(job: EquityImport, *, status: str, summary: dict, error: str = "") -> EquityImport:
    job.status, job.error, job.finished_at = status, error[:4000], timezone.now()
    job.summary = {**job.summary, **summary, "stage": ""}
    job.save(update_fields=["status", "summary", "error", "finished_at", "processed_rows", "total_rows"])
    outcome = AuditOutcome.SUCCESS if status == ImportStatus.SUCCEEDED else AuditOutcome.FAILURE
    audit_event_record(actor=job.created_by, action="equity.import", target=f"equity-import:{job.pk}",
                       after={key: value for key, value in job.summary.items() if key != "errors"},
                       outcome=outcome)  # fmt: skip
    broadcast_after_commit(event="equity_import_progress", payload=import_progress(job))
    return job


def equity_import_run(*, import_id: int) -> EquityImport:
    """Validate an import, then (if no row is bad, or if told to keep the good ones) merge it in chunks."""
    now = timezone.now()
    if not _claim(import_id, now):
        return EquityImport.objects.get(pk=import_id)  # finished, or another worker has it
    job = EquityImport.objects.select_related("source", "created_by").get(pk=import_id)
    progress = _Progress(job)
    try:
        parsed = _parse(job, now)
    except ConnectorError as error:
        return _finish(job, status=ImportStatus.FAILED, summary={}, error=f"could not read the history: {error}")
    except Exception as error:  # a bug must not leave the import "validating" for half an hour
        _finish(job, status=ImportStatus.FAILED, summary={}, error=f"{type(error).__name__}: {error}")
        raise
    rows = latest_per_bucket(parsed.rows)
    job.total_rows = len(rows)
    errors = {"rows_read": parsed.total, "rejected": len(parsed.errors),
              "merged_duplicates": len(parsed.rows) - len(rows),
              "errors": [asdict(e) for e in parsed.errors[:MAX_ERRORS_LISTED]]}  # fmt: skip
    if parsed.errors and not job.commit_good_rows:
        return _finish(job, status=ImportStatus.REJECTED, summary=errors)
    progress.update(stage="Validated")
    try:
        result = _write(rows, job=job, progress=progress)
    except Exception as error:
        logger.exception("equity import %s failed", job.pk)
        _finish(job, status=ImportStatus.FAILED, summary=errors, error=f"{type(error).__name__}: {error}")
        raise
    return _finish(job, status=ImportStatus.SUCCEEDED, summary={
        **errors, "rows": asdict(result.rows), "fund": asdict(result.fund), "gaps": result.gaps,
    })  # fmt: skip
