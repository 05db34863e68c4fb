"""Connector for a trader service speaking shared/contracts/trader-api.md (PoGTrader, PoGTraderLighter)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from apps.sources.connectors.base import (
    AccountData,
    BookSnapshot,
    ConnectorConfig,
    OrderData,
    PositionData,
    TradeData,
)
from apps.sources.connectors.http import JsonHttpClient, body_digest
from apps.sources.connectors.parsing import (
    as_dict,
    as_list,
    bool_at,
    decimal_at,
    int_at,
    iso_at,
    non_negative,
    optional_decimal_at,
    optional_iso_at,
    required,
    text_at,
)

logger = logging.getLogger(__name__)

# (base_url, path) -> (digest, parsed records) of the last answer: a steady book costs a hash, not a parse.
# Records are frozen dataclasses, so sharing them between polls (and threads) is safe.
_parsed_answers: dict[tuple[str, str], tuple[str, tuple[Any, ...]]] = {}

TRADES_PAGE_LIMIT = 100
# Bounds one poll: 20 pages of 100 trades; anything older waits for the next poll.
TRADES_MAX_PAGES = 20


@dataclass(frozen=True, slots=True)
class TraderStatus:
    """GET /api/status of a trader service."""

    service: str
    exchange: str
    connected: bool
    engine_ready: bool
    uptime_s: int
    version: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class RiskSetting:
    """One strategy/symbol's risk settings as the trader holds them."""

    strategy_id: str
    symbol: str
    enabled: bool
    risk_per_trade: Decimal
    stop_loss_dollars: Decimal
    max_strategy_loss: Decimal
    kill_switch_active: bool
    total_pnl: Decimal


@dataclass(frozen=True, slots=True)
class StrategyInfo:
    """A strategy the trader runs, with its display name and timeframe."""

    strategy_id: str
    symbol: str
    name: str
    timeframe: str


@dataclass(frozen=True, slots=True)
class RiskSettings:
    """GET /api/risk/settings: the settings and the strategies they belong to."""

    settings: tuple[RiskSetting, ...]
    strategies: tuple[StrategyInfo, ...]


def iso_z(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, as the contract writes timestamps."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_position(item: Any, *, where: str) -> PositionData | None:
    """A contract position; None for a zero-size one."""
    item = as_dict(item, where=where)
    size = non_negative(decimal_at(item, "size", where=where), field=f"{where}.size")
    if size == 0:
        return None
    return PositionData(
        strategy=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        side=text_at(item, "side", where=where),
        size=size,
        entry_price=decimal_at(item, "entry_price", where=where),
        mark_price=decimal_at(item, "mark_price", where=where),
        unrealized_pnl=decimal_at(item, "unrealized_pnl", where=where),
        stop_loss=optional_decimal_at(item, "stop_loss", where=where),
        take_profit=optional_decimal_at(item, "take_profit", where=where),
        opened_at=optional_iso_at(item, "opened_at", where=where),
    )


def parse_order(item: Any, *, where: str) -> OrderData:
    """A contract order."""
    item = as_dict(item, where=where)
    return OrderData(
        external_id=text_at(item, "order_id", where=where),
        strategy=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        type=text_at(item, "type", where=where),
        side=text_at(item, "side", where=where),
        size=non_negative(decimal_at(item, "size", where=where), field=f"{where}.size"),
        price=optional_decimal_at(item, "price", where=where),
        reduce_only=bool_at(item, "reduce_only", where=where),
        created_at=optional_iso_at(item, "created_at", where=where),
    )


def parse_trade(item: Any, *, where: str) -> TradeData:
    """A contract closed trade."""
    item = as_dict(item, where=where)
    return TradeData(
        external_id=text_at(item, "trade_id", where=where),
        strategy=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        side=text_at(item, "side", where=where),
        size=non_negative(decimal_at(item, "size", where=where), field=f"{where}.size"),
        entry_price=optional_decimal_at(item, "entry_price", where=where),
        exit_price=decimal_at(item, "exit_price", where=where),
        stop_loss=optional_decimal_at(item, "stop_loss", where=where),
        realized_pnl=decimal_at(item, "realized_pnl", where=where),
        fees=decimal_at(item, "fees", where=where),
        opened_at=optional_iso_at(item, "opened_at", where=where),
        closed_at=iso_at(item, "closed_at", where=where),
    )


def parse_account(body: Any, *, where: str, as_of: datetime) -> AccountData:
    """GET /api/equity as the account's money now."""
    body = as_dict(body, where=where)
    return AccountData(
        equity=decimal_at(body, "equity", where=where),
        realized_pnl=decimal_at(body, "realized_pnl", where=where),
        unrealized_pnl=decimal_at(body, "unrealized_pnl", where=where),
        margin_used=decimal_at(body, "margin_used", where=where),
        as_of=as_of,
    )


def parse_risk_setting(item: Any, *, where: str) -> RiskSetting:
    """One item of /api/risk/settings `settings`."""
    item = as_dict(item, where=where)
    return RiskSetting(
        strategy_id=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        enabled=bool_at(item, "enabled", where=where),
        risk_per_trade=decimal_at(item, "risk_per_trade", where=where),
        stop_loss_dollars=decimal_at(item, "stop_loss_dollars", where=where),
        max_strategy_loss=decimal_at(item, "max_strategy_loss", where=where),
        kill_switch_active=bool_at(item, "kill_switch_active", where=where),
        total_pnl=decimal_at(item, "total_pnl", where=where),
    )


def parse_strategy_info(item: Any, *, where: str) -> StrategyInfo:
    """One item of /api/risk/settings `strategies`."""
    item = as_dict(item, where=where)
    return StrategyInfo(
        strategy_id=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        name=text_at(item, "name", where=where),
        timeframe=text_at(item, "timeframe", where=where),
    )


def parse_status(body: Any, *, where: str) -> TraderStatus:
    """GET /api/status of a trader."""
    body = as_dict(body, where=where)
    return TraderStatus(
        service=text_at(body, "service", where=where),
        exchange=text_at(body, "exchange", where=where),
        connected=bool_at(body, "connected", where=where),
        engine_ready=bool_at(body, "engine_ready", where=where),
        uptime_s=int_at(body, "uptime_s", where=where),
        version=text_at(body, "version", where=where),
        timestamp=iso_at(body, "timestamp", where=where),
    )


def listed(body: Any, key: str, *, where: str) -> list[Any]:
    """The array under `key` of an object answer."""
    return as_list(required(as_dict(body, where=where), key, where=where), where=f"{where}.{key}")


def auth_headers(credentials: Mapping[str, Any]) -> dict[str, str]:
    """Bearer header when the source's credentials hold a `token` (the contract itself has no auth)."""
    token = credentials.get("token")
    return {"Authorization": f"Bearer {token}"} if token else {}


class TraderServiceConnector:
    """Reads a trader service's book over the trader API with httpx."""

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config
        self.http = JsonHttpClient(
            base_url=config.base_url,
            timeout_s=config.timeout_s,
            name=f"trader {config.base_url}",
            headers=auth_headers(config.credentials),
        )

    def fetch_book(self, *, trades_since: datetime | None) -> BookSnapshot:
        """Account, positions, orders, and trades closed at or after `trades_since`."""
        account = self.fetch_account()
        positions, positions_digest = self._listing("/api/positions", "positions", parse_position)
        orders, orders_digest = self._listing("/api/orders", "orders", parse_order)
        trades = self.fetch_trades(since=trades_since)
        return BookSnapshot(
            account=account,
            positions=tuple(position for position in positions if position is not None),  # zero size: flat
            orders=orders,
            trades=trades,
            positions_digest=positions_digest,
            orders_digest=orders_digest,
        )

    def _listing(self, path: str, key: str, parse: Callable[..., Any]) -> tuple[tuple[Any, ...], str]:
        """GET a list endpoint; an answer identical to the last one is not parsed again (cached by digest)."""
        body, content_type, where = self.http.get_body(path)
        digest = body_digest(body)
        cache_key = (self.config.base_url, path)
        cached = _parsed_answers.get(cache_key)
        if cached is not None and cached[0] == digest:
            return cached[1], digest
        items = listed(self.http.decode(body, content_type, where), key, where=path)
        parsed = tuple(parse(item, where=f"{path}[{i}]") for i, item in enumerate(items))
        _parsed_answers[cache_key] = (digest, parsed)
        return parsed, digest

    def fetch_account(self) -> AccountData:
        """GET /api/equity."""
        body = self.http.get_json("/api/equity")
        return parse_account(body, where="/api/equity", as_of=datetime.now(UTC))

    def fetch_positions(self) -> tuple[PositionData, ...]:
        """GET /api/positions, zero-size positions left out."""
        positions, _ = self._listing("/api/positions", "positions", parse_position)
        return tuple(position for position in positions if position is not None)

    def fetch_orders(self) -> tuple[OrderData, ...]:
        """GET /api/orders."""
        return self._listing("/api/orders", "orders", parse_order)[0]

    def fetch_trades(self, *, since: datetime | None) -> tuple[TradeData, ...]:
        """GET /api/trades page by page, moving `since` forward; deduplicated by trade_id, newest first.

        The contract answers the newest `limit` trades since `since`: when a page comes back full, trades
        between `since` and that page's oldest cannot be asked for, and a warning says so.
        """
        seen: dict[str, TradeData] = {}
        cursor, full_page = since, False
        for _ in range(TRADES_MAX_PAGES):
            page = self._trades_page(cursor)
            fresh = [trade for trade in page if trade.external_id not in seen]
            seen.update((trade.external_id, trade) for trade in fresh)
            full_page = full_page or len(page) >= TRADES_PAGE_LIMIT
            newest = max((trade.closed_at for trade in page), default=cursor)
            if len(page) < TRADES_PAGE_LIMIT or not fresh or newest == cursor:
                break
            cursor = newest
        kept = [trade for trade in seen.values() if since is None or trade.closed_at >= since]
        if full_page and since is not None and kept and min(t.closed_at for t in kept) > since:
            logger.warning("%s: over %s trades since %s; older ones may be missing", self.http.name, len(kept), since)
        return tuple(sorted(kept, key=lambda trade: trade.closed_at, reverse=True))

    def _trades_page(self, since: datetime | None) -> list[TradeData]:
        """One GET /api/trades page."""
        params: dict[str, Any] = {"limit": TRADES_PAGE_LIMIT}
        if since is not None:
            params["since"] = iso_z(since)
        items = listed(self.http.get_json("/api/trades", params), "trades", where="/api/trades")
        return [parse_trade(item, where=f"/api/trades[{i}]") for i, item in enumerate(items)]

    def fetch_status(self) -> TraderStatus:
        """GET /api/status."""
        return parse_status(self.http.get_json("/api/status"), where="/api/status")

    def fetch_risk_settings(self) -> RiskSettings:
        """GET /api/risk/settings."""
        body = self.http.get_json("/api/risk/settings")
        where = "/api/risk/settings"
        settings = listed(body, "settings", where=where)
        strategies = listed(body, "strategies", where=where)
        return RiskSettings(
            settings=tuple(parse_risk_setting(item, where=f"{where}.settings[{i}]") for i, item in enumerate(settings)),
            strategies=tuple(
                parse_strategy_info(item, where=f"{where}.strategies[{i}]") for i, item in enumerate(strategies)
            ),
        )

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()
