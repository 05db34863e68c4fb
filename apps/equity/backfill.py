"""Writing history rows: merge them by hour bucket in chunks, derive the fund's rows, find the gaps."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import groupby, pairwise

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from apps.core.db import rows_update
from apps.equity.cache import data_changed
from apps.equity.choices import SnapshotOrigin
from apps.equity.combine import Point, fund_points
from apps.equity.db import EpochSeconds, snapshots_insert
from apps.equity.models import EquitySnapshot
from apps.equity.rows import FUND, HistoryRow
from apps.equity.selectors import iso_z, scope_filter
from apps.equity.series import HOUR, find_gaps
from apps.sources.choices import SourceKind
from apps.sources.models import Source

CHUNK_ROWS = 5000
FUND_WINDOW = timedelta(hours=5000)
MAX_GAPS_LISTED = 20
VALUE_FIELDS = ["equity", "realized_pnl", "unrealized_pnl", "as_of"]
Progress = Callable[[int], None]  # told how many more input rows are written


@dataclass
class MergeCounts:
    """What a merge did to the stored rows."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # live snapshots (and, for derived fund rows, fund rows given in a file) are never overwritten

    def add(self, other: MergeCounts) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)


@dataclass
class WriteResult:
    """Counts for the sources' rows and for the fund's derived rows, and the gaps per series."""

    rows: MergeCounts = field(default_factory=MergeCounts)
    fund: MergeCounts = field(default_factory=MergeCounts)
    gaps: list[dict] = field(default_factory=list)


def _same(row: EquitySnapshot, values: dict) -> bool:
    return all(getattr(row, name) == value for name, value in values.items() if name != "bucket")


@transaction.atomic
def merge_chunk(*, source_id: int | None, values: list[dict], origin: str,
                replaceable: Iterable[str] | None = None) -> MergeCounts:  # fmt: skip
    """Insert or update one series' rows (dicts with bucket and VALUE_FIELDS) by bucket; re-merging is a no-op.

    Only rows of an origin in `replaceable` are overwritten (all but live snapshots by default).
    """
    counts = MergeCounts()
    if not values:
        return counts
    replaceable = set(replaceable or set(SnapshotOrigin.values) - {SnapshotOrigin.LIVE})
    held = {
        row.bucket: row
        for row in EquitySnapshot.objects.filter(
            scope_filter(source_id), bucket__gte=values[0]["bucket"], bucket__lte=values[-1]["bucket"]
        ).only("pk", "bucket", "origin", "is_stale", "stale_reason", *VALUE_FIELDS)
    }
    new, changed, stamp = [], [], timezone.now()
    for item in values:
        row = held.get(item["bucket"])
        if row is None:
            new.append({"source_id": source_id, "origin": origin, "position_count": None, "is_stale": False,
                        "stale_reason": "", "updated_at": stamp, **item})  # fmt: skip
        elif row.origin not in replaceable:
            counts.kept += 1
        elif _same(row, item):
            counts.unchanged += 1
        else:
            for name in VALUE_FIELDS:
                setattr(row, name, item[name])
            row.origin, row.updated_at = origin, timezone.now()
            row.is_stale, row.stale_reason = item.get("is_stale", False), item.get("stale_reason", "")
            changed.append(row)
    snapshots_insert(new)
    rows_update(EquitySnapshot, changed, [*VALUE_FIELDS, "origin", "updated_at", "is_stale", "stale_reason"])
    counts.inserted, counts.updated = len(new), len(changed)
    if new or changed:
        data_changed()  # bulk writes send no signals
    return counts


def _row_values(row: HistoryRow) -> dict:
    return {"bucket": row.bucket, "equity": row.equity, "realized_pnl": row.realized_pnl,
            "unrealized_pnl": row.unrealized_pnl, "as_of": row.observed_at}  # fmt: skip


def rows_write(*, rows: list[HistoryRow], origin: str, progress: Progress) -> tuple[MergeCounts, dict]:
    """Merge rows (one per source and bucket, sorted) chunk by chunk; returns counts and each source's span."""
    ids = dict(Source.objects.filter(name__in={r.source for r in rows} - {FUND}).values_list("name", "pk"))
    counts, spans = MergeCounts(), {}
    for name, group in groupby(rows, key=lambda row: row.source):
        series = list(group)
        spans[name] = (series[0].bucket, series[-1].bucket)
        for start in range(0, len(series), CHUNK_ROWS):
            chunk = series[start : start + CHUNK_ROWS]
            source_id = ids[name] if name != FUND else None
            counts.add(merge_chunk(source_id=source_id, values=[_row_values(r) for r in chunk], origin=origin))
            progress(len(chunk))
    return counts, spans


def _counted() -> dict[str, int]:
    """Name -> id of the sources the fund's total is the sum of."""
    counted = Source.objects.filter(is_counted_in_totals=True).exclude(kind=SourceKind.UCB)
    return dict(counted.values_list("name", "pk"))


def _fund_end(spans: dict[str, tuple[datetime, datetime]], counted: dict[str, int]) -> datetime:
    """The last bucket whose fund value an import can move: each imported source's next row after its last one."""
    end = max(last for _, last in spans.values())
    for name, (_, last) in spans.items():
        if name in counted:
            after = EquitySnapshot.objects.filter(source_id=counted[name], bucket__gt=last).order_by("bucket")
            end = max(end, after.values_list("bucket", flat=True).first() or last)
    return end


def _window_series(counted: dict[str, int], lo: datetime, hi: datetime) -> dict[str, list[Point]]:
    """Each counted source's points in [lo, hi], preceded by its last point before lo (for carrying)."""
    fields = ("bucket", "equity", "realized_pnl", "unrealized_pnl")
    series: dict[str, list[Point]] = {}
    for name, source_id in counted.items():
        scope = EquitySnapshot.objects.filter(source_id=source_id)
        before = scope.filter(bucket__lt=lo).order_by("-bucket")[:1].values_list(*fields)
        inside = scope.filter(bucket__gte=lo, bucket__lte=hi).order_by("bucket").values_list(*fields)
        series[name] = [Point(*values) for values in [*before, *inside]]
    return series


def fund_rows_derive(*, spans: dict[str, tuple[datetime, datetime]], skip: set[datetime],
                     progress: Callable[[], None] = lambda: None) -> MergeCounts:  # fmt: skip
    """Recompute the fund's rows an import of source rows can move; rows given or recorded live are kept."""
    counted = _counted()
    imported = {name: span for name, span in spans.items() if name in counted}
    counts = MergeCounts()
    if not imported:
        return counts
    names = {pk: name for name, pk in counted.items()}
    bounds = {
        names[row["source_id"]]: (row["first"], row["last"])
        for row in EquitySnapshot.objects.filter(source_id__in=counted.values()).values("source_id")
        .annotate(first=Min("bucket"), last=Max("bucket"))
    }  # fmt: skip
    lo, end = min(first for first, _ in imported.values()), _fund_end(imported, counted)
    while lo <= end:
        hi = min(lo + FUND_WINDOW - HOUR, end)
        series = {key: points for key, points in _window_series(counted, lo, hi).items() if key in bounds}
        buckets = sorted({p.bucket for points in series.values() for p in points if lo <= p.bucket} - skip)
        values = [{
            "bucket": p.bucket, "equity": p.equity, "realized_pnl": p.realized_pnl, "unrealized_pnl": p.unrealized_pnl,
            "as_of": p.bucket, "is_stale": bool(p.carried),
            "stale_reason": f"no snapshot this hour, earlier value carried: {', '.join(p.carried)}"[:300]
            if p.carried else "",
        } for p in fund_points(series, spans=bounds, buckets=buckets)]  # fmt: skip
        counts.add(merge_chunk(source_id=None, values=values, origin=SnapshotOrigin.DERIVED,
                               replaceable={SnapshotOrigin.DERIVED}))  # fmt: skip
        progress()
        lo = hi + HOUR
    return counts


def gaps_report(*, spans: dict[str, tuple[datetime, datetime]]) -> list[dict]:
    """Missing hours inside each imported series' span, stored rows included."""
    ids = dict(Source.objects.filter(name__in=spans).values_list("name", "pk"))
    report = []
    for name, (first, last) in sorted(spans.items()):
        rows = EquitySnapshot.objects.filter(scope_filter(ids.get(name) if name != FUND else None),
                                             bucket__gte=first, bucket__lte=last)  # fmt: skip
        seconds = list(rows.order_by("bucket").values_list(EpochSeconds("bucket"), flat=True))
        gaps = find_gaps(datetime.fromtimestamp(s, UTC) for s in seconds)
        if gaps:
            # A daily series has a gap every day: its usual spacing tells the reader that is its nature.
            spacing = statistics.median(b - a for a, b in pairwise(seconds)) // 3600
            report.append({
                "source": name or "fund", "gaps": len(gaps), "missing_hours": sum(g.missing_hours for g in gaps),
                "usual_spacing_hours": spacing,
                "first": [{"after": iso_z(g.after), "before": iso_z(g.before), "missing_hours": g.missing_hours}
                          for g in gaps[:MAX_GAPS_LISTED]],
            })  # fmt: skip
    return report
