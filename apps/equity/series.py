"""Time rules of equity history: hour buckets, chart ranges, gaps (plain Python, no Django)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dateutil.relativedelta import relativedelta

HOUR = timedelta(hours=1)
RANGES = ("1D", "1W", "1M", "YTD", "1Y", "All")
DEFAULT_RANGE = "All"


def floor_hour(moment: datetime) -> datetime:
    """The UTC hour bucket a moment falls in; naive datetimes are refused, never guessed."""
    if moment.utcoffset() is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def range_start(name: str, *, now: datetime) -> datetime | None:
    """The first bucket shown by a chart range ending now; None for All."""
    now = now.astimezone(UTC)
    if name == "All":
        return None
    if name == "YTD":
        return now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    spans = {"1D": timedelta(days=1), "1W": timedelta(weeks=1), "1M": relativedelta(months=1),
             "1Y": relativedelta(years=1)}  # fmt: skip
    if name not in spans:
        raise ValueError(f"unknown range {name!r}; use one of {', '.join(RANGES)}")
    # Whole hours, so an answer only changes when an hour passes or the data changes (and can be cached).
    return floor_hour(now - spans[name])


@dataclass(frozen=True, slots=True)
class Gap:
    """Hours missing between two consecutive buckets of one series."""

    after: datetime
    before: datetime

    @property
    def missing_hours(self) -> int:
        return int((self.before - self.after) / HOUR) - 1


def find_gaps(buckets: Iterable[datetime]) -> list[Gap]:
    """Every run of missing hours between sorted hour buckets."""
    gaps: list[Gap] = []
    previous: datetime | None = None
    for bucket in buckets:
        if previous is not None and bucket - previous > HOUR:
            gaps.append(Gap(after=previous, before=bucket))
        previous = bucket
    return gaps
