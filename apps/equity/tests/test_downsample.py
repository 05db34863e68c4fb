"""Downsampling keeps the first, last, highest and lowest point and never returns more than max_points."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from apps.equity.downsample import downsample_indices, lttb_pure_python
from apps.equity.models import EquitySnapshot
from apps.equity.tests.factories import EquitySnapshotFactory

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def hourly(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = 1_735_689_600 + 3600 * np.arange(count, dtype=np.int64)
    return x, 10_000 * np.cumprod(1 + rng.normal(0, 0.004, count))


@pytest.mark.parametrize("count, max_points", [(86_400, 1000), (5000, 37), (1001, 1000), (999, 1000), (50, 5)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_keeps_the_ends_and_extremes_and_stays_within_max_points(count, max_points, seed):
    x, y = hourly(count, seed)
    # a lone spike and a lone dip in the middle of flat ground, where a triangle may step over them
    y[count // 3], y[2 * count // 3] = y.max() * 1.5, y.min() * 0.5
    chosen = downsample_indices(x, y, max_points=max_points)
    assert len(chosen) <= max_points and len(chosen) == min(count, len(chosen))
    assert list(chosen) == sorted(set(chosen.tolist()))
    assert {0, count - 1, int(np.argmax(y)), int(np.argmin(y))} <= set(chosen.tolist())


def test_short_series_come_back_whole():
    x, y = hourly(10, 1)
    assert downsample_indices(x, y, max_points=10).tolist() == list(range(10))


# Seed 0: plain LTTB to 500 points steps over an extreme of this walk; seed 1: it keeps both.
@pytest.mark.parametrize("seed, steps_over", [(0, True), (1, False)])
def test_is_lttb_as_the_textbook_computes_it(seed, steps_over):
    x = 1_735_689_600 + 3600 * np.arange(20_000, dtype=np.int64)
    y = 10_000 * np.cumprod(1 + np.random.default_rng(seed).normal(0, 0.004, 20_000))
    chosen = set(downsample_indices(x, y, max_points=500).tolist())
    extremes = {int(np.argmax(y)), int(np.argmin(y))}
    textbook = set(lttb_pure_python(x.tolist(), y.tolist(), 500))
    assert (not extremes <= textbook) == steps_over
    if steps_over:  # room is made for the extremes the textbook stepped over
        textbook = set(lttb_pure_python(x.tolist(), y.tolist(), 500 - len(extremes - textbook))) | extremes
    assert chosen == textbook and len(chosen) <= 500


def test_too_few_points_is_refused():
    with pytest.raises(ValueError):
        downsample_indices(*hourly(100, 1), max_points=4)


def test_curves_api_keeps_true_extremes_exact_and_within_max_points(hl_trader, verified_admin_client):
    # given 3,000 hours of one source whose highest and lowest hours hold exact decimals
    x, y = hourly(3000, 9)
    rows = [EquitySnapshot(source=hl_trader, bucket=T0 + timedelta(hours=h), equity=Decimal(f"{v:.2f}"),
                           realized_pnl=Decimal("1.5"), unrealized_pnl=Decimal("-0.25"), as_of=T0)
            for h, v in enumerate(y)]  # fmt: skip
    rows[1234].equity, rows[2345].equity = Decimal("99999.99"), Decimal("0.01")
    EquitySnapshot.objects.bulk_create(rows)
    # when the curves are asked for with at most 100 points
    response = verified_admin_client.get("/api/equity/curves", {"range": "All", "max_points": 100})
    # then the series holds at most 100 points, among them the ends and the exact extremes
    assert response.status_code == 200
    (series,) = response.json()["series"]
    assert series["key"] == "hl-trader" and series["total_points"] == 3000 and len(series["points"]) <= 100
    by_time = {point[0]: point for point in series["points"]}
    hour_ms = 3_600_000
    start_ms = int(T0.timestamp()) * 1000
    assert by_time[start_ms + 1234 * hour_ms][1] == "99999.99" and by_time[start_ms + 2345 * hour_ms][1] == "0.01"
    assert start_ms in by_time and start_ms + 2999 * hour_ms in by_time
    assert by_time[start_ms + 1234 * hour_ms][2:] == ["100000.24", "1.5", "-0.25", False]
    assert series["columns"] == ["t", "equity", "realized_equity", "realized_pnl", "unrealized_pnl", "is_stale"]


def test_curves_ranges_and_the_fund_series(hl_trader, lighter_trader, verified_admin_client):
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for h in range(24 * 40):
        bucket = now - timedelta(hours=h)
        EquitySnapshotFactory(source=None, bucket=bucket, equity=Decimal(1000 + h))
        EquitySnapshotFactory(source=hl_trader, bucket=bucket, equity=Decimal(600 + h))
    answers = {name: verified_admin_client.get("/api/equity/curves", {"range": name}).json()
               for name in ("1D", "1W", "1M", "YTD", "1Y", "All")}  # fmt: skip
    counts = {name: {s["key"]: s["total_points"] for s in answer["series"]} for name, answer in answers.items()}
    assert counts["1D"] == {"fund": 25, "hl-trader": 25}
    assert counts["1W"] == {"fund": 24 * 7 + 1, "hl-trader": 24 * 7 + 1}
    assert counts["All"] == counts["1Y"] == {"fund": 960, "hl-trader": 960}
    assert [s["label"] for s in answers["All"]["series"]] == ["Fund (combined)", "PoGTrader HL"]
    assert answers["1D"]["start"] == (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")


def test_curves_parameters_are_checked(verified_admin_client, db):
    assert verified_admin_client.get("/api/equity/curves", {"range": "2D"}).status_code == 400
    assert verified_admin_client.get("/api/equity/curves", {"max_points": 4}).status_code == 400
    assert verified_admin_client.get("/api/equity/curves", {"max_points": "many"}).status_code == 400
    assert verified_admin_client.get("/api/equity/curves", {"source": "nobody"}).status_code == 404
    empty = verified_admin_client.get("/api/equity/curves").json()
    assert empty["series"] == [] and empty["range"] == "All"
