"""Connector for a Hyperliquid account through hyperliquid-python-sdk's Info (POST /info)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from hyperliquid.info import Info

from apps.sources.connectors.base import (
    BookSnapshot,
    ConnectorConfig,
    ConnectorConfigError,
    SourceTimeout,
    SourceUnreachable,
    TradeData,
)
from apps.sources.connectors.http import parse_json_body, raise_for_status
from apps.sources.connectors.hyperliquid_mapping import (
    PORTFOLIO_REFRESH_S,
    account_from_states,
    all_time_pnl,
    is_unified_zero,
    orders_from_hl,
    positions_from_state,
    trades_from_fills,
)
from apps.sources.connectors.parsing import as_list, to_unix_millis

MAINNET_URL = "https://api.hyperliquid.xyz"
# The reads used here never consult the SDK's coin/asset tables, so the constructor needs no meta calls.
EMPTY_META: Any = {"universe": []}
EMPTY_SPOT_META: Any = {"universe": [], "tokens": []}
MAX_FILLS_PER_ANSWER = 2000
# userFillsByTime pages; Hyperliquid keeps only the last 10000 fills anyway.
MAX_FILL_PAGES = 5


class StrictInfo(Info):
    """The SDK's Info with exact-decimal JSON, a timeout on every call and ConnectorError failures."""

    def __init__(self, *, base_url: str, timeout_s: float) -> None:
        super().__init__(base_url=base_url, skip_ws=True, meta=EMPTY_META, spot_meta=EMPTY_SPOT_META, timeout=timeout_s)

    def post(self, url_path: str, payload: Any = None) -> Any:
        """POST {base_url}{url_path} as the SDK does, but never through float and never silently on errors."""
        payload = payload or {}
        where = f"hyperliquid {payload.get('type', url_path)}"
        try:
            response = self.session.post(self.base_url + url_path, json=payload, timeout=self.timeout)
        except requests.Timeout:
            raise SourceTimeout(f"{where}: no answer within {self.timeout} s")
        except requests.RequestException as exc:
            raise SourceUnreachable(f"{where}: cannot connect: {type(exc).__name__}: {exc}")
        raise_for_status(response.status_code, response.content, where=where)
        return parse_json_body(response.content, content_type=response.headers.get("content-type", ""), where=where)

    def close(self) -> None:
        """Release the requests session."""
        self.session.close()


class HyperliquidConnector:
    """Reads a Hyperliquid master or sub-account (never an API wallet); strategy is "" on every record."""

    def __init__(self, config: ConnectorConfig) -> None:
        if not config.account_address:
            raise ConnectorConfigError("hyperliquid source needs account_address (master or sub-account)")
        self.config = config
        self.address = config.account_address
        self.info = StrictInfo(base_url=(config.base_url or MAINNET_URL).rstrip("/"), timeout_s=config.timeout_s)
        self._realized: tuple[float, Decimal] | None = None

    def fetch_book(self, *, trades_since: datetime | None) -> BookSnapshot:
        """Account, positions, open orders, and closed trades from fills at or after `trades_since`."""
        now = datetime.now(UTC)
        state = self.info.user_state(self.address)
        positions = positions_from_state(state, where="clearinghouseState")
        spot_state = self.info.spot_user_state(self.address) if is_unified_zero(state, where="state") else None
        unrealized = sum((position.unrealized_pnl for position in positions), Decimal(0))
        account = account_from_states(
            state,
            spot_state=spot_state,
            positions=positions,
            realized_pnl=self.realized_pnl(unrealized),
            as_of=now,
            where="clearinghouseState",
        )
        orders = orders_from_hl(self.info.frontend_open_orders(self.address), where="frontendOpenOrders")
        return BookSnapshot(account=account, positions=positions, orders=orders, trades=self.fetch_trades(trades_since))

    def realized_pnl(self, unrealized: Decimal) -> Decimal:
        """All-time PnL (portfolio) less the open positions' unrealized PnL; fees and funding included."""
        cached = self._realized
        if cached is not None and time.monotonic() - cached[0] < PORTFOLIO_REFRESH_S:
            return cached[1]
        realized = all_time_pnl(self.info.portfolio(self.address), where="portfolio") - unrealized
        self._realized = (time.monotonic(), realized)
        return realized

    def fetch_trades(self, since: datetime | None) -> tuple[TradeData, ...]:
        """Reducing fills as trades: the newest 2000 (userFills), or all since `since` (userFillsByTime)."""
        if since is None:
            fills = as_list(self.info.user_fills(self.address), where="userFills")
            trades = trades_from_fills(fills, where="userFills")
        else:
            trades = self._trades_by_time(to_unix_millis(since))
        unique = {trade.external_id: trade for trade in trades}
        return tuple(sorted(unique.values(), key=lambda trade: trade.closed_at, reverse=True))

    def _trades_by_time(self, start_ms: int) -> list[TradeData]:
        """userFillsByTime from start_ms, page after page while pages come back full."""
        found: list[TradeData] = []
        for _ in range(MAX_FILL_PAGES):
            fills = as_list(self.info.user_fills_by_time(self.address, start_ms), where="userFillsByTime")
            found.extend(trades_from_fills(fills, where="userFillsByTime"))
            times = [fill["time"] for fill in fills if isinstance(fill, dict) and isinstance(fill.get("time"), int)]
            # A full page means more may follow; continue from its newest fill (ties are deduplicated by tid).
            if len(fills) < MAX_FILLS_PER_ANSWER or not times or max(times) <= start_ms:
                break
            start_ms = max(times)
        return found

    def close(self) -> None:
        """Release the HTTP session."""
        self.info.close()
