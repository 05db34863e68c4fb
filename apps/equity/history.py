"""Equity history pulled from a source: a trader's GET /api/equity history, Hyperliquid's account value history.

The sources app's connectors read the book of now; these two reads of the past are the equity app's own,
built on the same HTTP plumbing, strict parsing and error classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from apps.equity.rows import ParsedRows, RowError, RowProblem, parse_row
from apps.sources.choices import SourceKind
from apps.sources.connectors.base import BadAnswer, ConnectorConfigError
from apps.sources.connectors.http import JsonHttpClient
from apps.sources.connectors.hyperliquid import MAINNET_URL, StrictInfo
from apps.sources.connectors.parsing import as_dict, as_list, from_unix_millis, required
from apps.sources.connectors.registry import parse_credentials
from apps.sources.connectors.trader_service import auth_headers, listed
from apps.sources.models import Source

HISTORY_TIMEOUT_S = 15.0  # a year of hourly points is a big answer; still bounded
# Finest first: the day window has the densest points; allTime covers what the others do not.
HYPERLIQUID_WINDOWS = ("day", "week", "month", "allTime")
PULLABLE_KINDS = (SourceKind.TRADER_SERVICE, SourceKind.HYPERLIQUID)


def _rows(items: list[tuple[int, dict[str, Any]]], *, source: Source, now: datetime, where: str) -> ParsedRows:
    parsed = ParsedRows()
    for line, values in items:
        try:
            parsed.rows.append(parse_row({**values, "source": source.name}, line=line, sources={source.name}, now=now))
        except RowProblem as problem:
            parsed.errors.append(RowError(line, f"{where}[{line - 1}]: {problem}"))
    return parsed


def trader_history(source: Source, *, now: datetime) -> ParsedRows:
    """The hourly history a trader service returns with GET /api/equity."""
    client = JsonHttpClient(base_url=source.base_url, timeout_s=HISTORY_TIMEOUT_S, name=f"trader {source.name}",
                            headers=auth_headers(parse_credentials(source.credentials)))  # fmt: skip
    try:
        items = listed(client.get_json("/api/equity"), "history", where="/api/equity")
    finally:
        client.close()
    rows = [(i + 1, item if isinstance(item, dict) else {}) for i, item in enumerate(items)]
    return _rows(rows, source=source, now=now, where="/api/equity history")


def _hyperliquid_points(answer: Any) -> list[dict[str, Any]]:
    """accountValueHistory points of the portfolio windows, finest first; "perp*" windows leave spot out."""
    windows = {}
    for i, entry in enumerate(as_list(answer, where="portfolio")):
        pair = as_list(entry, where=f"portfolio[{i}]")
        if len(pair) == 2 and pair[0] in HYPERLIQUID_WINDOWS:
            window = as_dict(pair[1], where=f"portfolio.{pair[0]}")
            windows[pair[0]] = as_list(required(window, "accountValueHistory", where=f"portfolio.{pair[0]}"),
                                       where=f"portfolio.{pair[0]}.accountValueHistory")  # fmt: skip
    points = []
    for name in HYPERLIQUID_WINDOWS:
        for j, point in enumerate(windows.get(name, [])):
            if not (isinstance(point, list) and len(point) == 2):
                raise BadAnswer(f"portfolio.{name}.accountValueHistory[{j}]: expected [time, value], got {point!r}")
            at = from_unix_millis(point[0], field=f"portfolio.{name}.accountValueHistory[{j}][0]")
            points.append({"timestamp": at.isoformat(), "equity": point[1]})
    return points


def hyperliquid_history(source: Source, *, now: datetime) -> ParsedRows:
    """A Hyperliquid account's value history from the portfolio read (all windows merged)."""
    if not source.account_address:
        raise ConnectorConfigError("hyperliquid source needs account_address (master or sub-account)")
    info = StrictInfo(base_url=(source.base_url or MAINNET_URL).rstrip("/"), timeout_s=HISTORY_TIMEOUT_S)
    try:
        points = _hyperliquid_points(info.portfolio(source.account_address))
    finally:
        info.close()
    return _rows(list(enumerate(points, start=1)), source=source, now=now, where="portfolio point")


def source_history(source: Source, *, now: datetime) -> ParsedRows:
    """The history a source can give; ConnectorConfigError for kinds that keep none."""
    if source.kind == SourceKind.TRADER_SERVICE:
        return trader_history(source, now=now)
    if source.kind == SourceKind.HYPERLIQUID:
        return hyperliquid_history(source, now=now)
    raise ConnectorConfigError(f"a {source.get_kind_display()} source has no equity history to pull")
