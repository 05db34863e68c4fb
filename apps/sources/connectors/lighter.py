"""Connector for a Lighter account through lighter-sdk's AccountApi and OrderApi (GET /api/v1/...)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp
import lighter

from apps.sources.connectors.base import (
    BadAnswer,
    BookSnapshot,
    ConnectorConfig,
    ConnectorConfigError,
    OrderData,
    SourceRejected,
    SourceTimeout,
    SourceUnreachable,
    TradeData,
)
from apps.sources.connectors.http import parse_json_body, raise_for_status
from apps.sources.connectors.lighter_mapping import (
    account_from_lighter,
    find_account,
    market_symbols,
    order_from_lighter,
    positions_from_lighter,
    trade_from_lighter,
)
from apps.sources.connectors.parsing import as_dict, as_list, int_at, required, snippet

MAINNET_URL = "https://mainnet.zklighter.elliot.ai"
TRADES_PAGE_LIMIT = 100
# Bounds one poll at 20 pages (60 requests a minute is a standard account's whole budget).
TRADES_MAX_PAGES = 20
OK_CODE = 200


def account_index_of(config: ConnectorConfig) -> int:
    """The Lighter account index held in account_address."""
    text = config.account_address.strip()
    if not text.isdigit():
        raise ConnectorConfigError(f"lighter source needs account_address = account index, got {text!r}")
    return int(text)


def auth_token_of(credentials: Mapping[str, Any]) -> str:
    """The raw auth token (no "Bearer") the private reads need."""
    token = credentials.get("auth_token")
    if not isinstance(token, str) or not token:
        raise ConnectorConfigError('lighter source needs credentials {"auth_token": ...} for orders and trades')
    return token


def checked_body(status: int, body: bytes, content_type: str, *, where: str) -> Mapping[str, Any]:
    """A 2xx JSON object whose `code` is 200; a 200 carrying an error code raises."""
    raise_for_status(status, body, where=where)
    data = as_dict(parse_json_body(body, content_type=content_type, where=where), where=where)
    code = int_at(data, "code", where=where)
    if code != OK_CODE:
        raise SourceRejected(f"{where}: error code {code}: {data.get('message') or snippet(body)}", status=status)
    return data


def next_cursor_of(body: Mapping[str, Any]) -> str | None:
    """The page's next_cursor, None when it is absent or empty (the last page)."""
    cursor = body.get("next_cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise BadAnswer(f"lighter trades: next_cursor {cursor!r} is not a string")
    return cursor or None


class LighterConnector:
    """Reads a Lighter account; each fetch runs its own event loop in the calling thread."""

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config
        self.base_url = (config.base_url or MAINNET_URL).rstrip("/")
        self.account_index = account_index_of(config)
        self.auth_token = auth_token_of(config.credentials)
        self.timeout_s = config.timeout_s

    def fetch_book(self, *, trades_since: datetime | None) -> BookSnapshot:
        """Account, positions, active orders, and trades closed at or after `trades_since`."""
        return asyncio.run(self._fetch_book(trades_since))

    async def _fetch_book(self, trades_since: datetime | None) -> BookSnapshot:
        """The whole read inside one event loop and one SDK client."""
        # The SDK's aiohttp session must be created inside the running loop.
        client = lighter.ApiClient(lighter.Configuration(host=self.base_url))
        try:
            account_api, order_api = lighter.AccountApi(client), lighter.OrderApi(client)
            body = await self._read(
                "account",
                lambda: account_api.account_without_preload_content(
                    by="index", value=str(self.account_index), _request_timeout=float(self.timeout_s)
                ),
            )
            account = find_account(body, self.account_index, where="account")
            symbols = market_symbols(account, where="account")
            orders = await self._orders(order_api, symbols)
            trades = await self._trades(order_api, symbols, trades_since)
        finally:
            await client.close()
        positions = positions_from_lighter(account, where="account")
        summary = account_from_lighter(account, positions, as_of=datetime.now(UTC), where="account")
        return BookSnapshot(account=summary, positions=positions, orders=orders, trades=trades)

    async def _read(self, where: str, request: Callable[[], Awaitable[Any]]) -> Mapping[str, Any]:
        """One SDK call, bounded by the timeout, its raw body checked and decoded exactly."""
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await request()
                body = await response.read()
        except TimeoutError:
            raise SourceTimeout(f"lighter {where}: no answer within {self.timeout_s} s")
        except aiohttp.ClientError as exc:
            raise SourceUnreachable(f"lighter {where}: cannot connect: {type(exc).__name__}: {exc}")
        return checked_body(response.status, body, response.headers.get("Content-Type", ""), where=f"lighter {where}")

    async def _orders(self, order_api: Any, symbols: Mapping[int, str]) -> tuple[OrderData, ...]:
        """Active orders (private: needs the auth token)."""
        body = await self._read(
            "accountActiveOrders",
            lambda: order_api.account_active_orders_without_preload_content(
                authorization=self.auth_token, account_index=self.account_index, _request_timeout=float(self.timeout_s)
            ),
        )
        items = as_list(required(body, "orders", where="accountActiveOrders"), where="accountActiveOrders.orders")
        return tuple(
            order_from_lighter(item, symbols, where=f"accountActiveOrders.orders[{i}]") for i, item in enumerate(items)
        )

    async def _trades(
        self, order_api: Any, symbols: Mapping[int, str], since: datetime | None
    ) -> tuple[TradeData, ...]:
        """Pages of trades, newest first, following next_cursor until it is empty or `since` is passed."""
        found: dict[str, TradeData] = {}
        cursor: str | None = None
        for page in range(TRADES_MAX_PAGES):
            body = await self._read("trades", self._trades_request(order_api, cursor))
            items = as_list(required(body, "trades", where="trades"), where="trades.trades")
            oldest = None
            for i, item in enumerate(items):
                closed, moment = trade_from_lighter(item, self.account_index, symbols, where=f"trades[{page}][{i}]")
                oldest = moment if oldest is None or moment < oldest else oldest
                if closed is not None and (since is None or closed.closed_at >= since):
                    found[closed.external_id] = closed
            cursor = next_cursor_of(body)
            if cursor is None or (since is not None and oldest is not None and oldest < since):
                break
        return tuple(sorted(found.values(), key=lambda trade: trade.closed_at, reverse=True))

    def _trades_request(self, order_api: Any, cursor: str | None) -> Callable[[], Awaitable[Any]]:
        """One trades page request, newest first, from `cursor`."""
        return lambda: order_api.trades_without_preload_content(
            sort_by="timestamp",
            sort_dir="desc",
            limit=TRADES_PAGE_LIMIT,
            account_index=self.account_index,
            authorization=self.auth_token,
            cursor=cursor,
            _request_timeout=float(self.timeout_s),
        )

    def close(self) -> None:
        """Nothing held between fetches: each fetch opens and closes its own client."""
