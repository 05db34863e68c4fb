"""The whole fund's equity at an hour from its sources' hourly points (plain Python on Decimals, no Django)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Point:
    """One source's values in one hour bucket."""

    bucket: datetime
    equity: Decimal
    realized_pnl: Decimal | None
    unrealized_pnl: Decimal | None


@dataclass(frozen=True, slots=True)
class FundPoint:
    """The fund's sum at a bucket, and which sources were carried from an earlier hour."""

    bucket: datetime
    equity: Decimal
    realized_pnl: Decimal | None
    unrealized_pnl: Decimal | None
    carried: tuple[str, ...]


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum, or None as soon as one part is unknown (a partial PnL would be a wrong PnL)."""
    total = ZERO
    for value in values:
        if value is None:
            return None
        total += value
    return total


def fund_points(
    series: Mapping[str, Sequence[Point]],
    *,
    spans: Mapping[str, tuple[datetime, datetime]],
    buckets: Iterable[datetime],
) -> list[FundPoint]:
    """The fund at each of `buckets` (sorted): each source counts inside its span (first..last bucket it ever had).

    Inside its span a source missing at an hour contributes its latest earlier point (named in `carried`), so a
    one-hour hole in one source does not show as a crash of the whole fund. `series[name]` must be sorted and
    hold that latest earlier point when there is one.
    """
    cursor = dict.fromkeys(series, -1)
    result: list[FundPoint] = []
    for bucket in buckets:
        parts: list[Point] = []
        carried: list[str] = []
        for name, points in series.items():
            first, last = spans[name]
            if not first <= bucket <= last:
                continue
            i = cursor[name]
            while i + 1 < len(points) and points[i + 1].bucket <= bucket:
                i += 1
            cursor[name] = i
            if i < 0:
                continue
            parts.append(points[i])
            if points[i].bucket != bucket:
                carried.append(name)
        if parts:
            result.append(FundPoint(
                bucket=bucket, equity=sum((p.equity for p in parts), ZERO),
                realized_pnl=_sum(p.realized_pnl for p in parts), unrealized_pnl=_sum(p.unrealized_pnl for p in parts),
                carried=tuple(sorted(carried)),
            ))  # fmt: skip
    return result
