"""ccxt.hyperliquid's answers read from their raw `info` (Hyperliquid's own strings), never the unified floats."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import ccxt

from apps.sources.connectors.base import (
    BookSnapshot,
    ConnectorConfig,
    ConnectorConfigError,
    PositionData,
    TradeData,
)
from apps.sources.connectors.ccxt_exchange import call
from apps.sources.connectors.hyperliquid_mapping import (
    PORTFOLIO_REFRESH_S,
    account_from_states,
    all_time_pnl,
    is_unified_zero,
    order_from_hl,
    position_from_hl,
    trade_from_fill,
)
from apps.sources.connectors.parsing import as_dict, as_list, required, to_unix_millis

ZERO = Decimal(0)


def info_of(item: Any, *, where: str) -> Any:
    """The raw exchange record ccxt keeps under `info`."""
    return required(as_dict(item, where=where), "info", where=where)


class HyperliquidInfoMapper:
    """fetch_balance, fetch_positions, fetch_open_orders and fetch_my_trades of ccxt.hyperliquid, from `info`."""

    def __init__(self, config: ConnectorConfig) -> None:
        if not config.account_address:
            raise ConnectorConfigError("ccxt hyperliquid source needs account_address (the walletAddress to read)")
        self._realized: tuple[float, Decimal] | None = None

    def fetch_book(self, exchange: ccxt.Exchange, *, trades_since: datetime | None) -> BookSnapshot:
        """One read of the account through ccxt."""
        as_of = datetime.now(UTC)
        positions = self.positions(exchange)
        perp_state, spot_state = self.balance_states(exchange)
        unrealized = sum((position.unrealized_pnl for position in positions), ZERO)
        account = account_from_states(
            perp_state,
            spot_state=spot_state,
            positions=positions,
            realized_pnl=self.realized_pnl(exchange, unrealized),
            as_of=as_of,
            where="ccxt fetch_balance",
        )
        return BookSnapshot(
            account=account,
            positions=positions,
            orders=self.orders(exchange),
            trades=self.trades(exchange, trades_since),
        )

    def positions(self, exchange: ccxt.Exchange) -> tuple[PositionData, ...]:
        """fetch_positions: each `info` is an assetPositions entry."""
        found = []
        for i, item in enumerate(as_list(call("ccxt fetch_positions", exchange.fetch_positions), where="positions")):
            where = f"ccxt fetch_positions[{i}].info"
            entry = as_dict(info_of(item, where=f"ccxt fetch_positions[{i}]"), where=where)
            position = position_from_hl(required(entry, "position", where=where), where=where)
            if position is not None:
                found.append(position)
        return tuple(found)

    def balance_states(self, exchange: ccxt.Exchange) -> tuple[Any | None, Any | None]:
        """(clearinghouseState, spotClearinghouseState) as fetch_balance saw them.

        ccxt asks userAbstraction first and reads spot for a unified account; when a perp state shows zero
        account value anyway, the spot balances are fetched too (the unified-account trap).
        """
        info = as_dict(
            info_of(call("ccxt fetch_balance", exchange.fetch_balance), where="ccxt fetch_balance"), where="info"
        )
        if "balances" in info:
            return None, info
        if not is_unified_zero(info, where="ccxt fetch_balance.info"):
            return info, None
        spot = call("ccxt fetch_balance(spot)", exchange.fetch_balance, {"type": "spot"})
        return info, info_of(spot, where="ccxt fetch_balance(spot)")

    def realized_pnl(self, exchange: ccxt.Exchange, unrealized: Decimal) -> Decimal:
        """All-time PnL from the portfolio read (ccxt's raw publicPostInfo) less unrealized PnL, kept a minute."""
        if self._realized is not None and time.monotonic() - self._realized[0] < PORTFOLIO_REFRESH_S:
            return self._realized[1]
        request = {"type": "portfolio", "user": exchange.walletAddress}
        answer = call("ccxt portfolio", exchange.publicPostInfo, request)
        realized = all_time_pnl(answer, where="ccxt portfolio") - unrealized
        self._realized = (time.monotonic(), realized)
        return realized

    def orders(self, exchange: ccxt.Exchange) -> tuple[Any, ...]:
        """fetch_open_orders (frontendOpenOrders): each `info` is the raw order."""
        items = as_list(call("ccxt fetch_open_orders", exchange.fetch_open_orders), where="ccxt fetch_open_orders")
        return tuple(
            order_from_hl(
                info_of(item, where=f"ccxt fetch_open_orders[{i}]"), where=f"ccxt fetch_open_orders[{i}].info"
            )
            for i, item in enumerate(items)
        )

    def trades(self, exchange: ccxt.Exchange, since: datetime | None) -> tuple[TradeData, ...]:
        """fetch_my_trades (userFills, or userFillsByTime from `since`): reducing fills as closed trades."""
        since_ms = None if since is None else to_unix_millis(since)
        items = as_list(call("ccxt fetch_my_trades", exchange.fetch_my_trades, None, since_ms), where="my_trades")
        found: dict[str, TradeData] = {}
        for i, item in enumerate(items):
            where = f"ccxt fetch_my_trades[{i}].info"
            trade = trade_from_fill(info_of(item, where=f"ccxt fetch_my_trades[{i}]"), where=where)
            if trade is not None:
                found[trade.external_id] = trade
        return tuple(sorted(found.values(), key=lambda trade: trade.closed_at, reverse=True))
