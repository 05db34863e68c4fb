"""Curves and analytics are computed once per data version; every write makes a new version after its commit."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.equity import analytics, selectors
from apps.equity.analytics import equity_answers_warm
from apps.equity.services import equity_snapshot_take
from apps.equity.tests.factories import EquitySnapshotFactory
from apps.sources.tests.factories import AccountStateFactory

NOW = datetime.now(UTC).replace(minute=5, second=0, microsecond=0)


@pytest.fixture
def history(hl_trader):
    for h in range(1, 49):
        bucket = NOW.replace(minute=0) - timedelta(hours=h)
        EquitySnapshotFactory(source=hl_trader, bucket=bucket, equity=Decimal(100 + h))
        EquitySnapshotFactory(source=None, bucket=bucket, equity=Decimal(100 + h))


def fund_points(admin):
    body = json.loads(selectors.equity_curves_json(user=admin, range_name="All"))
    return next(series for series in body["series"] if series["key"] == "fund")["total_points"]


def test_an_answer_is_computed_once_then_served_from_the_cache(history, fund_admin, monkeypatch):
    first = selectors.equity_curves_json(user=fund_admin, range_name="All")
    monkeypatch.setattr(selectors, "_curve", lambda *args, **kwargs: pytest.fail("recomputed"))
    assert selectors.equity_curves_json(user=fund_admin, range_name="All") == first


def test_a_write_makes_the_next_answer_new(history, fund_admin, hl_trader, django_capture_on_commit_callbacks):
    assert fund_points(fund_admin) == 48
    AccountStateFactory(source=hl_trader, equity=Decimal("555"), as_of=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        equity_snapshot_take(now=NOW)
    assert fund_points(fund_admin) == 49


def test_renaming_a_source_makes_the_next_answer_new(history, fund_admin, hl_trader,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    selectors.equity_curves_json(user=fund_admin, range_name="All")
    with django_capture_on_commit_callbacks(execute=True):
        hl_trader.display_name = "Renamed"
        hl_trader.save()
    body = json.loads(selectors.equity_curves_json(user=fund_admin, range_name="All"))
    assert [series["label"] for series in body["series"]] == ["Fund (combined)", "Renamed"]


def test_warming_answers_every_range_the_tab_offers(history, fund_admin, monkeypatch):
    equity_answers_warm()
    monkeypatch.setattr(selectors, "_curve", lambda *args, **kwargs: pytest.fail("recomputed"))
    monkeypatch.setattr(analytics, "_analytics", lambda *args, **kwargs: pytest.fail("recomputed"))
    for range_name in ("1D", "1W", "1M", "YTD", "1Y", "All"):
        selectors.equity_curves_json(user=fund_admin, range_name=range_name)
        analytics.equity_analytics_json(user=fund_admin, range_name=range_name)


def test_a_cache_outage_still_answers(history, fund_admin, monkeypatch):
    from apps.equity import cache as equity_cache

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(equity_cache.cache, "get", broken)
    assert fund_points(fund_admin) == 48
