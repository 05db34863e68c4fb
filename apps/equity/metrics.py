"""Performance analytics of one equity curve with pandas: returns, risk and drawdowns (no Django).

Conventions (those of empyrical/quantstats with a crypto year): daily returns are close-to-close UTC days,
the first one measured from the first observation. A day's close is its last observation up to and including
the next midnight: the hour bucket of 00:00 holds the state just after midnight, the day that ended. 365
periods a year; no risk-free rate; Sortino's
downside deviation is the root mean square of the negative returns. Drawdowns use every observation, so
the maximum drawdown matches the drawdown chart.

The fund's curve grows when a source joins it and shrinks when one leaves: that money is not a return. Given
each source's span, `performance` measures an index of the curve with those movements taken out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

PERIODS_PER_YEAR = 365  # the fund trades crypto every day of the year
MIN_DAYS_TO_ANNUALIZE = 30  # compounding a few days to a year gives absurd CAGRs


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The deepest fall from a peak: where it started, bottomed and (if it did) recovered."""

    depth: float  # negative fraction, 0.0 when the curve never fell
    peak_at: datetime | None
    trough_at: datetime | None
    recovered_at: datetime | None
    duration_hours: float  # peak to recovery, or to the last observation while still under water


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """When a part of the fund first and last had a snapshot, and its equity then."""

    first_at: datetime
    first_equity: float
    last_at: datetime
    last_equity: float


@dataclass(frozen=True, slots=True)
class Performance:
    """Every figure the analytics endpoint reports for one curve; None where the data cannot say."""

    start: datetime
    end: datetime
    first_equity: float
    last_equity: float
    days: int
    total_return: float
    cagr: float | None
    volatility: float | None
    sharpe: float | None
    sortino: float | None
    calmar: float | None
    max_drawdown: Drawdown
    best_day: tuple[datetime, float] | None
    worst_day: tuple[datetime, float] | None
    daily_returns: pd.Series = field(repr=False)
    monthly_returns: pd.Series = field(repr=False)
    yearly_returns: pd.Series = field(repr=False)
    index: pd.Series = field(repr=False)  # the curve the figures were measured on (equity less joins and leaves)


def without_joins_and_leaves(equity: pd.Series, spans: list[SourceSpan]) -> pd.Series:
    """The curve as an index that moves only with returns: a source joining is money in, one leaving money out."""
    flows = pd.Series(0.0, index=equity.index)
    start, end = equity.index[0], equity.index[-1]
    for span in spans:
        joined = equity.index.searchsorted(span.first_at, side="left")
        if start < span.first_at <= end:
            flows.iloc[joined] += span.first_equity
        after = equity.index.searchsorted(span.last_at, side="right")
        if span.last_at >= start and after < len(equity):
            flows.iloc[after] -= span.last_equity
    if not flows.any():
        return equity
    returns = ((equity - flows) / equity.shift(1) - 1).fillna(0.0)
    return equity.iloc[0] * (1 + returns).cumprod()


def daily_returns(equity: pd.Series) -> pd.Series:
    """Close-to-close returns of each UTC day; the first day counts from the first observation."""
    days = equity.resample("1D", closed="right", label="left")  # (D 00:00, D+1 00:00] is day D
    counts = days.count()
    held = counts[counts > 0].index  # pandas may add an empty bin past a last observation at midnight
    counts = counts.loc[held[0] : held[-1]]
    closes = days.last().loc[held[0] : held[-1]].ffill()
    if counts.iloc[0] == 1:
        # The first day holds only the opening observation: it is the base, not a day with a return.
        return closes.pct_change().iloc[1:]
    return closes / closes.shift(1).fillna(equity.iloc[0]) - 1


def drawdown_series(equity: pd.Series) -> pd.Series:
    """Fraction below the running peak at each observation (0 at a new high, negative under water)."""
    return equity / equity.cummax() - 1


def max_drawdown(equity: pd.Series) -> Drawdown:
    """The deepest drawdown and how long it lasted."""
    under = drawdown_series(equity)
    depth = float(under.min())
    if depth >= 0:
        return Drawdown(0.0, None, None, None, 0.0)
    trough_at = under.idxmin()
    peak_at = equity.loc[:trough_at].idxmax()
    after = equity.loc[trough_at:]
    recovered = after[after >= equity.loc[peak_at]]
    recovered_at = recovered.index[0] if len(recovered) else None
    until = recovered_at if recovered_at is not None else equity.index[-1]
    hours = (until - peak_at).total_seconds() / 3600
    return Drawdown(depth, peak_at.to_pydatetime(), trough_at.to_pydatetime(),
                    recovered_at.to_pydatetime() if recovered_at is not None else None, hours)  # fmt: skip


def compounded(returns: pd.Series, rule: str) -> pd.Series:
    """Returns compounded per calendar period (rule "ME" for months, "YE" for years)."""
    return (1 + returns).resample(rule).prod() - 1


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator and math.isfinite(denominator) else None


def _risk(returns: pd.Series) -> tuple[float | None, float | None, float | None]:
    """Annualised volatility, Sharpe and Sortino of daily returns (None with fewer than two)."""
    if len(returns) < 2:
        return None, None, None
    values = returns.to_numpy(dtype=np.float64)
    std = float(np.std(values, ddof=1))
    mean = float(np.mean(values))
    downside = math.sqrt(float(np.mean(np.minimum(values, 0.0) ** 2)))
    root = math.sqrt(PERIODS_PER_YEAR)
    sharpe = _ratio(mean, std)
    sortino = _ratio(mean * PERIODS_PER_YEAR, downside * root)
    return std * root, (sharpe * root if sharpe is not None else None), sortino


def _extreme_day(returns: pd.Series, *, best: bool) -> tuple[datetime, float] | None:
    if returns.empty:
        return None
    at = returns.idxmax() if best else returns.idxmin()
    return at.to_pydatetime(), float(returns.loc[at])


def performance(equity: pd.Series, spans: list[SourceSpan] | None = None) -> Performance:
    """All figures of an equity curve: a float Series on a sorted, tz-aware UTC DatetimeIndex, at least 2 points.

    With `spans` (the fund's parts), sources joining or leaving do not count as returns.
    """
    if len(equity) < 2:
        raise ValueError("performance needs at least two observations")
    first, last = float(equity.iloc[0]), float(equity.iloc[-1])
    equity = without_joins_and_leaves(equity, spans) if spans else equity
    returns = daily_returns(equity)
    total = float(equity.iloc[-1] / equity.iloc[0]) - 1
    days = len(returns)
    cagr = (1 + total) ** (PERIODS_PER_YEAR / days) - 1 if days >= MIN_DAYS_TO_ANNUALIZE and total > -1 else None
    volatility, sharpe, sortino = _risk(returns)
    drawdown = max_drawdown(equity)
    calmar = _ratio(cagr, -drawdown.depth) if cagr is not None else None
    return Performance(
        start=equity.index[0].to_pydatetime(), end=equity.index[-1].to_pydatetime(),
        first_equity=first, last_equity=last, days=days, total_return=total, cagr=cagr,
        volatility=volatility, sharpe=sharpe, sortino=sortino, calmar=calmar, max_drawdown=drawdown,
        best_day=_extreme_day(returns, best=True), worst_day=_extreme_day(returns, best=False),
        daily_returns=returns, monthly_returns=compounded(returns, "ME"), yearly_returns=compounded(returns, "YE"),
        index=equity,
    )  # fmt: skip
