"""Analytics equal empyrical's (a reference implementation) on the same series, to 1e-9 relative."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import empyrical
import numpy as np
import pandas as pd
import pytest

from apps.equity.metrics import PERIODS_PER_YEAR, SourceSpan, daily_returns, performance
from apps.equity.models import EquitySnapshot

REL = 1e-9
T0 = datetime(2024, 3, 1, tzinfo=UTC)


def fixed_daily_curve() -> pd.Series:
    """600 days of a fixed, seeded equity curve, one snapshot a day at midnight, cents exact."""
    rng = np.random.default_rng(20240301)
    values = np.round(25_000 * np.cumprod(1 + rng.normal(0.0008, 0.021, 600)), 2)
    return pd.Series(values, index=pd.date_range(T0, periods=600, freq="D", tz="UTC"))


def fixed_hourly_curve() -> pd.Series:
    rng = np.random.default_rng(7)
    values = np.round(10_000 * np.cumprod(1 + rng.normal(0.00004, 0.003, 24 * 200)), 2)
    return pd.Series(values, index=pd.date_range(T0 + timedelta(hours=5), periods=24 * 200, freq="h", tz="UTC"))


def reference(equity: pd.Series) -> dict:
    """The figures as empyrical computes them from the same daily returns (a crypto year of 365 days)."""
    returns = daily_returns(equity)
    every = equity.pct_change().dropna()  # drawdown over every observation, as the drawdown chart shows it
    cagr = empyrical.annual_return(returns, annualization=PERIODS_PER_YEAR)
    return {
        "total_return": empyrical.cum_returns_final(returns),
        "cagr": cagr,
        "volatility": empyrical.annual_volatility(returns, annualization=PERIODS_PER_YEAR),
        "sharpe": empyrical.sharpe_ratio(returns, annualization=PERIODS_PER_YEAR),
        "sortino": empyrical.sortino_ratio(returns, annualization=PERIODS_PER_YEAR),
        "max_drawdown": empyrical.max_drawdown(every),
        "calmar": cagr / -empyrical.max_drawdown(every),
        "monthly": empyrical.aggregate_returns(returns, "monthly").to_numpy(),
        "yearly": empyrical.aggregate_returns(returns, "yearly").to_numpy(),
        "best_day": returns.max(),
        "worst_day": returns.min(),
    }


@pytest.mark.parametrize("curve", [fixed_daily_curve, fixed_hourly_curve])
def test_metrics_equal_empyrical(curve):
    equity = curve()
    ours, theirs = performance(equity), reference(equity)
    for name in ("total_return", "cagr", "volatility", "sharpe", "sortino", "calmar"):
        assert getattr(ours, name) == pytest.approx(theirs[name], rel=REL), name
    assert ours.max_drawdown.depth == pytest.approx(theirs["max_drawdown"], rel=REL)
    assert ours.best_day[1] == pytest.approx(theirs["best_day"], rel=REL)
    assert ours.worst_day[1] == pytest.approx(theirs["worst_day"], rel=REL)
    np.testing.assert_allclose(ours.monthly_returns.to_numpy(), theirs["monthly"], rtol=REL, atol=0)
    np.testing.assert_allclose(ours.yearly_returns.to_numpy(), theirs["yearly"], rtol=REL, atol=0)
    # and the daily returns compound to exactly the curve's own total return
    assert ours.total_return == pytest.approx(equity.iloc[-1] / equity.iloc[0] - 1, rel=REL)


def test_the_daily_curve_is_what_empyrical_calls_calmar():
    equity = fixed_daily_curve()
    returns = daily_returns(equity)
    assert len(returns) == 599  # the first midnight is the base, not a day with a return
    assert performance(equity).calmar == pytest.approx(
        empyrical.calmar_ratio(returns, annualization=PERIODS_PER_YEAR), rel=REL
    )


def test_the_max_drawdown_has_its_peak_trough_recovery_and_duration():
    index = pd.date_range(T0, periods=8, freq="h", tz="UTC")
    equity = pd.Series([100, 120, 90, 60, 80, 119, 125, 110.0], index=index)
    drawdown = performance(equity).max_drawdown
    assert drawdown.depth == pytest.approx(-0.5)
    assert (drawdown.peak_at, drawdown.trough_at, drawdown.recovered_at) == (index[1], index[3], index[6])
    assert drawdown.duration_hours == 5
    # still under water at the end: the duration runs to the last observation
    under = performance(equity.iloc[:6]).max_drawdown
    assert under.recovered_at is None and under.duration_hours == 4


def test_short_curves_are_not_annualised():
    equity = fixed_hourly_curve().iloc[: 24 * 10]
    result = performance(equity)
    assert result.cagr is None and result.calmar is None and result.sharpe is not None


def test_analytics_api_answers_the_reference_values(verified_admin_client, hl_trader):
    # given the fixed daily curve stored as the fund's snapshots
    equity = fixed_daily_curve()
    EquitySnapshot.objects.bulk_create(
        EquitySnapshot(source=None, bucket=at.to_pydatetime(), equity=Decimal(f"{value:.2f}"), as_of=at.to_pydatetime())
        for at, value in equity.items()
    )
    theirs = reference(equity)
    # when the analytics endpoint is asked
    response = verified_admin_client.get("/api/equity/analytics", {"range": "All"})
    # then its decimal strings are the reference values (to the 10 places they carry)
    assert response.status_code == 200
    body = response.json()
    for name in ("total_return", "cagr", "volatility", "sharpe", "sortino", "calmar"):
        assert float(body[name]) == pytest.approx(theirs[name], rel=1e-9, abs=1e-10), name
    assert float(body["max_drawdown"]["depth"]) == pytest.approx(theirs["max_drawdown"], abs=1e-10)
    assert body["days"] == 599 and body["points"] == 600 and body["first_equity"] == f"{equity.iloc[0]:.2f}"
    months = [(m["year"], m["month"]) for m in body["monthly_returns"]]
    assert months[0] == (2024, 3) and len(months) == 20
    assert len(body["daily_returns"]) == 599 and len(body["drawdown"]["points"]) <= 1000
    assert min(float(p[1]) for p in body["drawdown"]["points"]) == pytest.approx(theirs["max_drawdown"], abs=1e-10)


def test_analytics_of_one_source_and_of_an_empty_range(verified_admin_client, hl_trader):
    EquitySnapshot.objects.create(source=hl_trader, bucket=T0, equity=Decimal("5"), as_of=T0)
    body = verified_admin_client.get("/api/equity/analytics", {"source": "hl-trader"}).json()
    assert body["is_empty"] and body["source"] == "hl-trader" and body["last_equity"] == "5"
    assert verified_admin_client.get("/api/equity/analytics", {"source": "nobody"}).status_code == 404


def test_outsiders_cannot_read_equity(investor_client, sender_client, unverified_admin_client, db):
    for client in (investor_client, sender_client, unverified_admin_client):
        for path in ("/api/equity", "/api/equity/fund", "/api/equity/curves", "/api/equity/analytics"):
            assert client.get(path).status_code == 403, path


def test_a_source_joining_or_leaving_the_fund_is_not_a_return():
    index = pd.date_range(T0, periods=5, freq="D", tz="UTC")
    # A alone: 100 -> 110; B joins with 1000 on day 2; A gains 11 (day 3), then 12.1 after B left with its 1000
    fund = pd.Series([100.0, 110.0, 1110.0, 1121.0, 133.1], index=index)
    spans = [SourceSpan(index[0], 100.0, index[4], 133.1), SourceSpan(index[2], 1000.0, index[3], 1000.0)]
    result = performance(fund, spans)
    assert result.daily_returns.tolist() == pytest.approx([0.1, 0.0, 11 / 1110, 12.1 / 1121], rel=REL)
    assert result.total_return == pytest.approx(1.1 * (1 + 11 / 1110) * (1 + 12.1 / 1121) - 1, rel=REL)
    assert result.best_day[1] == pytest.approx(0.1) and result.max_drawdown.depth == 0.0
    # without the spans the join would read as a +909 % day
    assert performance(fund).best_day[1] == pytest.approx(9.0909090909, rel=1e-9)


def test_the_fund_analytics_leave_out_a_trader_joining(verified_admin_client, hl_trader, lighter_trader):
    from apps.equity.tests.test_backfill import run_csv

    rows = ["timestamp,source,equity"]
    for day in range(40):
        at = (T0 + timedelta(days=day)).isoformat()
        rows.append(f"{at},hl-trader,{1000 + 10 * day}")
        if day >= 20:
            rows.append(f"{at},lighter-trader,{5000 + 50 * (day - 20)}")
    run_csv("\n".join(rows) + "\n")
    body = verified_admin_client.get("/api/equity/analytics").json()
    assert body["adjusted_for_joins"] and body["first_equity"] == "1000" and body["last_equity"] == "7340"
    assert float(body["best_day"]["return"]) < 0.011  # the day the Lighter trader joined is not a +500 % day
    hl = verified_admin_client.get("/api/equity/analytics", {"source": "hl-trader"}).json()
    assert not hl["adjusted_for_joins"] and float(hl["total_return"]) == pytest.approx(0.39)
