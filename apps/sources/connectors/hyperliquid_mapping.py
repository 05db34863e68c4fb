"""Hyperliquid /info answers (exchanges.md) as normalized records; shared by the SDK and ccxt connectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from apps.sources.connectors.base import (
    NO_STRATEGY,
    AccountData,
    BadAnswer,
    OrderData,
    PositionData,
    TradeData,
)
from apps.sources.connectors.parsing import (
    as_dict,
    as_list,
    bool_at,
    decimal_at,
    from_unix_millis,
    non_negative,
    required,
    text_at,
)

ZERO = Decimal(0)
# portfolio weighs 20; realized PnL only moves when trades close, so it is refreshed once a minute.
PORTFOLIO_REFRESH_S = 60.0
COLLATERAL_COIN = "USDC"
ORDER_TYPES = {
    "Market": "market",
    "Limit": "limit",
    "Stop Market": "stop",
    "Stop Limit": "stop_limit",
    "Take Profit Market": "take_profit",
    # Our order types have no take-profit-limit; it is a take profit with a limit price.
    "Take Profit Limit": "take_profit",
}
ORDER_SIDES = {"B": "buy", "A": "sell"}
CLOSING_DIRECTIONS = {"Close Long": "long", "Close Short": "short", "Sell": "long"}


def position_from_hl(position: Any, *, where: str) -> PositionData | None:
    """One assetPositions[].position; None when szi is zero. Mark = positionValue / |szi|."""
    position = as_dict(position, where=where)
    szi = decimal_at(position, "szi", where=where)
    if szi == 0:
        return None
    size = abs(szi)
    value = non_negative(decimal_at(position, "positionValue", where=where), field=f"{where}.positionValue")
    return PositionData(
        strategy=NO_STRATEGY,
        symbol=text_at(position, "coin", where=where),
        side="long" if szi > 0 else "short",
        size=size,
        entry_price=decimal_at(position, "entryPx", where=where),
        mark_price=value / size,
        unrealized_pnl=decimal_at(position, "unrealizedPnl", where=where),
    )


def positions_from_state(state: Any, *, where: str) -> tuple[PositionData, ...]:
    """Positions of a clearinghouseState answer."""
    state = as_dict(state, where=where)
    items = as_list(required(state, "assetPositions", where=where), where=f"{where}.assetPositions")
    found = []
    for i, item in enumerate(items):
        item_where = f"{where}.assetPositions[{i}]"
        position = position_from_hl(
            required(as_dict(item, where=item_where), "position", where=item_where), where=item_where
        )
        if position is not None:
            found.append(position)
    return tuple(found)


def margin_summary(state: Any, *, where: str) -> tuple[Decimal, Decimal]:
    """(accountValue, totalMarginUsed) of a clearinghouseState answer."""
    summary = as_dict(required(as_dict(state, where=where), "marginSummary", where=where), where=where)
    where = f"{where}.marginSummary"
    return decimal_at(summary, "accountValue", where=where), decimal_at(summary, "totalMarginUsed", where=where)


def spot_collateral(spot_state: Any, *, where: str) -> tuple[Decimal, Decimal] | None:
    """(total, hold) of USDC in a spotClearinghouseState answer, or None when it holds none."""
    balances = as_list(required(as_dict(spot_state, where=where), "balances", where=where), where=f"{where}.balances")
    for i, balance in enumerate(balances):
        item_where = f"{where}.balances[{i}]"
        balance = as_dict(balance, where=item_where)
        if text_at(balance, "coin", where=item_where) == COLLATERAL_COIN:
            total = non_negative(decimal_at(balance, "total", where=item_where), field=f"{item_where}.total")
            hold = non_negative(decimal_at(balance, "hold", where=item_where), field=f"{item_where}.hold")
            return (total, hold) if total > 0 else None
    return None


def is_unified_zero(state: Any, *, where: str) -> bool:
    """Whether the perp summary shows no account value, so the collateral may sit in spot (unified account)."""
    account_value, _ = margin_summary(state, where=where)
    return account_value == 0


def account_from_states(
    state: Any | None,
    *,
    spot_state: Any | None,
    positions: Iterable[PositionData],
    realized_pnl: Decimal,
    as_of: datetime,
    where: str,
) -> AccountData:
    """Account money from clearinghouseState, or from spot USDC when a unified account shows perp zeros.

    Unified/portfolio-margin accounts keep their collateral in spot: equity is then spot USDC `total`
    plus the positions' unrealized PnL, and margin used is its `hold`.
    """
    account_value, margin_used = margin_summary(state, where=where) if state is not None else (ZERO, ZERO)
    unrealized = sum((position.unrealized_pnl for position in positions), ZERO)
    equity = account_value
    if account_value == 0 and spot_state is not None:
        collateral = spot_collateral(spot_state, where=f"{where} spotClearinghouseState")
        if collateral is not None:
            total, hold = collateral
            equity, margin_used = total + unrealized, hold
    return AccountData(
        equity=equity, realized_pnl=realized_pnl, unrealized_pnl=unrealized, margin_used=margin_used, as_of=as_of
    )


def order_from_hl(order: Any, *, where: str) -> OrderData:
    """One frontendOpenOrders item; triggers are priced at their triggerPx."""
    order = as_dict(order, where=where)
    kind = text_at(order, "orderType", where=where)
    side = text_at(order, "side", where=where)
    if kind not in ORDER_TYPES:
        raise BadAnswer(f"{where}.orderType: unknown order type {kind!r}")
    if side not in ORDER_SIDES:
        raise BadAnswer(f"{where}.side: {side!r} is not B or A")
    is_trigger = bool_at(order, "isTrigger", where=where)
    return OrderData(
        external_id=text_at(order, "oid", where=where),
        strategy=NO_STRATEGY,
        symbol=text_at(order, "coin", where=where),
        type=ORDER_TYPES[kind],
        side=ORDER_SIDES[side],
        size=non_negative(decimal_at(order, "sz", where=where), field=f"{where}.sz"),
        price=decimal_at(order, "triggerPx" if is_trigger else "limitPx", where=where),
        reduce_only=bool_at(order, "reduceOnly", where=where),
        created_at=from_unix_millis(required(order, "timestamp", where=where), field=f"{where}.timestamp"),
    )


def orders_from_hl(orders: Any, *, where: str) -> tuple[OrderData, ...]:
    """A frontendOpenOrders answer."""
    return tuple(order_from_hl(item, where=f"{where}[{i}]") for i, item in enumerate(as_list(orders, where=where)))


def _closed_side(fill: Mapping[str, Any], start: Decimal, *, where: str) -> str:
    """The side of the position a reducing fill closed: from startPosition's sign, else from dir."""
    if start != 0:
        return "long" if start > 0 else "short"
    direction = text_at(fill, "dir", where=where)
    if direction not in CLOSING_DIRECTIONS:
        raise BadAnswer(f"{where}: closedPnl on a fill that closes nothing (dir {direction!r})")
    return CLOSING_DIRECTIONS[direction]


def trade_from_fill(fill: Any, *, where: str) -> TradeData | None:
    """A reducing fill (non-zero closedPnl) as a closed trade; None for an opening fill."""
    fill = as_dict(fill, where=where)
    closed_pnl = decimal_at(fill, "closedPnl", where=where)
    size = non_negative(decimal_at(fill, "sz", where=where), field=f"{where}.sz")
    start = decimal_at(fill, "startPosition", where=where)
    fee = decimal_at(fill, "fee", where=where)
    tid = text_at(fill, "tid", where=where)
    closed_at = from_unix_millis(required(fill, "time", where=where), field=f"{where}.time")
    if closed_pnl == 0:
        return None
    return TradeData(
        external_id=tid,
        strategy=NO_STRATEGY,
        symbol=text_at(fill, "coin", where=where),
        side=_closed_side(fill, start, where=where),
        # A fill that flips the position closes only what was open before it.
        size=min(size, abs(start)) if start != 0 else size,
        entry_price=None,
        exit_price=decimal_at(fill, "px", where=where),
        stop_loss=None,
        realized_pnl=closed_pnl,
        fees=fee,
        opened_at=None,
        closed_at=closed_at,
    )


def trades_from_fills(fills: Iterable[Any], *, where: str) -> list[TradeData]:
    """Closed trades among fills; every fill is validated, opening ones included."""
    found = []
    for i, fill in enumerate(fills):
        trade = trade_from_fill(fill, where=f"{where}[{i}]")
        if trade is not None:
            found.append(trade)
    return found


def all_time_pnl(portfolio: Any, *, where: str) -> Decimal:
    """The last allTime pnlHistory value of a portfolio answer (0 when the history is empty)."""
    for i, entry in enumerate(as_list(portfolio, where=where)):
        pair = as_list(entry, where=f"{where}[{i}]")
        if len(pair) != 2 or pair[0] != "allTime":
            continue
        window = as_dict(pair[1], where=f"{where}.allTime")
        history = as_list(required(window, "pnlHistory", where=f"{where}.allTime"), where=f"{where}.allTime.pnlHistory")
        if not history:
            return ZERO
        point = as_list(history[-1], where=f"{where}.allTime.pnlHistory[-1]")
        if len(point) != 2:
            raise BadAnswer(f"{where}.allTime.pnlHistory[-1]: expected [time, value], got {point!r}")
        return decimal_at({"value": point[1]}, "value", where=f"{where}.allTime.pnlHistory[-1]")
    raise BadAnswer(f"{where}: no allTime window")
