"""The analytics selector: loads a curve, runs metrics.performance on it, answers in wire form."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
import pandas as pd
from django.utils import timezone

from apps.equity.cache import cached_json
from apps.equity.downsample import downsample_indices
from apps.equity.metrics import Performance, drawdown_series, performance
from apps.equity.models import EquitySnapshot
from apps.equity.selectors import (
    FUND,
    curves_json,
    fund_spans,
    iso_z,
    money_text,
    require_fund_admin,
    scope_filter,
    series_arrays,
    source_by_name,
)
from apps.equity.series import RANGES, range_start

DEFAULT_MAX_POINTS = 1000
FIGURES = ("total_return", "cagr", "volatility", "sharpe", "sortino", "calmar")


def ratio_text(value: float | None) -> str | None:
    """A ratio or fraction as a decimal string with 10 places (0.1234 is 12.34 %); None stays None."""
    return None if value is None or not np.isfinite(value) else f"{value:.10f}"


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def _performance_wire(result: Performance) -> dict:
    drawdown = result.max_drawdown
    return {
        **{name: ratio_text(getattr(result, name)) for name in FIGURES},
        "days": result.days,
        "max_drawdown": {
            "depth": ratio_text(drawdown.depth), "peak_at": iso_z(drawdown.peak_at),
            "trough_at": iso_z(drawdown.trough_at), "recovered_at": iso_z(drawdown.recovered_at),
            "duration_hours": round(drawdown.duration_hours), "is_recovered": drawdown.recovered_at is not None,
        },
        "best_day": {"date": _day(result.best_day[0]), "return": ratio_text(result.best_day[1])}
        if result.best_day else None,
        "worst_day": {"date": _day(result.worst_day[0]), "return": ratio_text(result.worst_day[1])}
        if result.worst_day else None,
        "daily_returns": [{"date": _day(at), "return": ratio_text(r)} for at, r in result.daily_returns.items()],
        "monthly_returns": [{"year": at.year, "month": at.month, "return": ratio_text(r)}
                            for at, r in result.monthly_returns.items()],
        "yearly_returns": [{"year": at.year, "return": ratio_text(r)} for at, r in result.yearly_returns.items()],
    }  # fmt: skip


def _drawdown_wire(t: np.ndarray, equity: pd.Series, *, max_points: int) -> dict:
    """The drawdown curve, thinned like the equity curves (its deepest point always kept)."""
    under = drawdown_series(equity).to_numpy()
    chosen = downsample_indices(t, under, max_points=max_points)
    return {"columns": ["t", "drawdown"], "points": [[int(t[i]) * 1000, ratio_text(float(under[i]))] for i in chosen]}


def _analytics(source, *, start: datetime | None, max_points: int) -> dict:
    source_id = source.pk if source else None
    t, y = series_arrays(source_id=source_id, start=start)
    rows = EquitySnapshot.objects.filter(scope_filter(source_id))
    rows = rows.filter(bucket__gte=start) if start else rows
    first, last = rows.order_by("bucket").first(), rows.order_by("-bucket").first()
    answer = {
        "source": source.name if source else None, "label": str(source) if source else "Fund (combined)",
        "points": len(t), "start": iso_z(first.bucket) if first else None, "end": iso_z(last.bucket) if last else None,
        "first_equity": money_text(first.equity) if first else None,
        "last_equity": money_text(last.equity) if last else None,
    }  # fmt: skip
    if len(t) < 2:
        return {**answer, "is_empty": True, "detail": "Analytics need at least two snapshots in the range."}
    equity = pd.Series(y, index=pd.to_datetime(t, unit="s", utc=True))
    result = performance(equity, fund_spans() if source is None else None)
    drawdown = _drawdown_wire(t, result.index, max_points=max_points)
    return {**answer, "is_empty": False, **_performance_wire(result), "drawdown": drawdown,
            "adjusted_for_joins": result.index is not equity}  # fmt: skip


def analytics_json(*, range_name: str, max_points: int, source: str | None = None,
                   now: datetime | None = None) -> bytes:  # fmt: skip
    """The analytics answer as JSON (cached per data version); no access check: callers have made theirs."""
    start = range_start(range_name, now=now or timezone.now())
    scope = source_by_name(source)
    key = f"analytics:{source or FUND}:{range_name}:{iso_z(start)}:{max_points}"
    return cached_json(key, lambda: {**_analytics(scope, start=start, max_points=max_points), "range": range_name})


def equity_analytics_json(*, user, source: str | None = None, range_name: str = "All", max_points: int = 1000,
                          now: datetime | None = None) -> bytes:  # fmt: skip
    """Return, risk and drawdown figures of the fund (or one source) over a range; Source.DoesNotExist if unknown."""
    require_fund_admin(user)
    return analytics_json(range_name=range_name, max_points=max_points, source=source, now=now)


def equity_analytics(**kwargs) -> dict:
    """equity_analytics_json, decoded (for pages)."""
    return json.loads(equity_analytics_json(**kwargs))


def equity_answers_warm(*, now: datetime | None = None) -> None:
    """Compute what the Equity tab asks first, so the first visitor after a write does not wait for it."""
    for range_name in RANGES:
        curves_json(range_name=range_name, max_points=DEFAULT_MAX_POINTS, now=now)
        analytics_json(range_name=range_name, max_points=DEFAULT_MAX_POINTS, now=now)
