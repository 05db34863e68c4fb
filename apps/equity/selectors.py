"""Read queries of the equity app: snapshot lists, chart curves, analytics, imports (fund admins only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.access import require_fund_admin
from apps.equity.cache import cached_json
from apps.equity.db import EpochSeconds
from apps.equity.downsample import downsample_indices
from apps.equity.metrics import SourceSpan
from apps.equity.models import EquityImport, EquitySnapshot
from apps.equity.series import range_start
from apps.sources.choices import SourceKind
from apps.sources.models import Source

FUND = "fund"  # the name that stands for the whole fund in URLs and filters
CURVE_COLUMNS = ["t", "equity", "realized_equity", "realized_pnl", "unrealized_pnl", "is_stale"]


def money_text(value: Decimal | None) -> str | None:
    """A decimal string without the stored trailing zeros: 25000.5000000000 -> "25000.5"."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def scope_filter(source_id: int | None) -> Q:
    """The rows of one source, or of the whole fund when source_id is None."""
    return Q(source_id=source_id) if source_id is not None else Q(source__isnull=True)


def source_by_name(name: str | None) -> Source | None:
    """The Source called `name`; None for the fund (no name or "fund"); Source.DoesNotExist otherwise."""
    if not name or name == FUND:
        return None
    return Source.objects.get(name=name)


def chartable_sources() -> list[Source]:
    """Sources that can have equity (everything but the UCB training service)."""
    return list(Source.objects.exclude(kind=SourceKind.UCB).order_by("name"))


def snapshots_list(*, user, source: str | None = None, start=None, end=None) -> QuerySet[EquitySnapshot]:
    """Snapshots oldest first; `source` is a source name, "fund" for the combined rows, or None for all."""
    require_fund_admin(user)
    rows = EquitySnapshot.objects.select_related("source")
    if source == FUND:
        rows = rows.filter(source__isnull=True)
    elif source:
        rows = rows.filter(source__name=source)
    if start:
        rows = rows.filter(bucket__gte=start)
    if end:
        rows = rows.filter(bucket__lte=end)
    return rows.order_by("bucket", "id")


def series_arrays(*, source_id: int | None, start: datetime | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds and equity (float, for choosing points and for pandas) of one series, oldest first."""
    rows = EquitySnapshot.objects.filter(scope_filter(source_id))
    if start is not None:
        rows = rows.filter(bucket__gte=start)
    data = list(rows.order_by("bucket").values_list(EpochSeconds("bucket"), Cast("equity", FloatField())))
    if not data:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    table = np.array(data, dtype=np.float64)
    return table[:, 0].astype(np.int64), table[:, 1]


def fund_spans() -> list[SourceSpan]:
    """First and last snapshot of each source counted in the fund: where money joined or left it."""
    spans = []
    for source in Source.objects.filter(is_counted_in_totals=True).exclude(kind=SourceKind.UCB):
        rows = EquitySnapshot.objects.filter(source=source).values_list("bucket", Cast("equity", FloatField()))
        first, last = rows.order_by("bucket").first(), rows.order_by("-bucket").first()
        if first and last:
            spans.append(SourceSpan(first_at=first[0], first_equity=first[1], last_at=last[0], last_equity=last[1]))
    return spans


def iso_z(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _curve(source: Source | None, *, start: datetime | None, max_points: int) -> dict | None:
    """One chart series: the chosen points with their exact values; None when the range holds no point."""
    source_id = source.pk if source else None
    t, y = series_arrays(source_id=source_id, start=start)
    if not len(t):
        return None
    chosen = downsample_indices(t, y, max_points=max_points)
    rows = EquitySnapshot.objects.filter(scope_filter(source_id))
    if len(chosen) == len(t):
        rows = rows.filter(bucket__gte=start) if start else rows
    else:
        rows = rows.filter(bucket__in=[datetime.fromtimestamp(int(t[i]), UTC) for i in chosen])
    values = rows.order_by("bucket").values_list("bucket", "equity", "realized_pnl", "unrealized_pnl", "is_stale")
    points = [
        [int(bucket.timestamp()) * 1000, money_text(equity),
         money_text(equity - unrealized) if unrealized is not None else None,
         money_text(realized), money_text(unrealized), stale]
        for bucket, equity, realized, unrealized, stale in values
    ]  # fmt: skip
    return {
        "key": source.name if source else FUND, "source": source.name if source else None,
        "label": str(source) if source else "Fund (combined)",
        "is_counted_in_totals": source.is_counted_in_totals if source else None,
        "total_points": len(t), "columns": CURVE_COLUMNS, "points": points,
    }  # fmt: skip


def curves_json(*, range_name: str, max_points: int, source: str | None = None, now: datetime | None = None) -> bytes:
    """The curves answer as JSON (cached per data version); no access check: callers have made theirs."""
    start = range_start(range_name, now=now or timezone.now())
    scopes = [source_by_name(source)] if source else None  # raises for an unknown source, cached or not

    def compute() -> dict:
        wanted = scopes if scopes is not None else [None, *chartable_sources()]
        series = [curve for scope in wanted if (curve := _curve(scope, start=start, max_points=max_points))]
        return {"range": range_name, "start": iso_z(start), "max_points": max_points, "series": series}

    return cached_json(f"curves:{range_name}:{iso_z(start)}:{max_points}:{source or ''}", compute)


def equity_curves_json(*, user, range_name: str = "All", max_points: int = 1000, source: str | None = None,
                       now: datetime | None = None) -> bytes:  # fmt: skip
    """Chart-ready series of the fund and each source over a range, each at most `max_points` points (JSON)."""
    require_fund_admin(user)
    return curves_json(range_name=range_name, max_points=max_points, source=source, now=now)


def equity_curves(**kwargs) -> dict:
    """equity_curves_json, decoded (for pages)."""
    return json.loads(equity_curves_json(**kwargs))


def equity_imports_list(*, user) -> QuerySet[EquityImport]:
    """History imports, newest first."""
    require_fund_admin(user)
    return EquityImport.objects.select_related("source", "created_by")


def equity_overview(*, user) -> dict:
    """What the Equity tab says before any chart: how much history there is and how fresh it is."""
    require_fund_admin(user)
    fund = EquitySnapshot.objects.filter(source__isnull=True)
    latest = fund.order_by("-bucket").first()
    return {
        "has_history": latest is not None,
        "fund_points": fund.count() if latest else 0,
        "first_bucket": fund.order_by("bucket").values_list("bucket", flat=True).first(),
        "latest": latest,
        "sources": chartable_sources(),
    }
