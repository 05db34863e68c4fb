"""Lighter API answers (exchanges.md) as normalized records, with each field's time unit explicit."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
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
    from_unix_micros,
    from_unix_millis,
    from_unix_seconds,
    int_at,
    non_negative,
    required,
    text_at,
)

ZERO = Decimal(0)
PPM = Decimal(1_000_000)
CROSS, ISOLATED = 0, 1
SIGNS = {1: "long", -1: "short"}
ORDER_TYPES = {
    "limit": "limit",
    "market": "market",
    "stop-loss": "stop",
    "stop-loss-limit": "stop_limit",
    "take-profit": "take_profit",
    "take-profit-limit": "take_profit",
    # TWAP slices and liquidations execute at market.
    "twap": "market",
    "twap-sub": "market",
    "liquidation": "market",
}
# timestamp (ms) and transaction_time (us) name the same execution; farther apart, a unit is wrong.
MAX_CLOCK_SKEW = timedelta(days=1)
TRIGGERED_TYPES = frozenset({"stop-loss", "stop-loss-limit", "take-profit", "take-profit-limit"})


def find_account(body: Mapping[str, Any], index: int, *, where: str) -> Mapping[str, Any]:
    """Our account among `accounts` of an /api/v1/account answer."""
    accounts = as_list(required(body, "accounts", where=where), where=f"{where}.accounts")
    for i, account in enumerate(accounts):
        account = as_dict(account, where=f"{where}.accounts[{i}]")
        if int_at(account, "index", where=f"{where}.accounts[{i}]") == index:
            return account
    raise BadAnswer(f"{where}: no account with index {index} in the answer")


def _raw_positions(account: Mapping[str, Any], *, where: str) -> list[Mapping[str, Any]]:
    """The account's position rows as objects."""
    items = as_list(required(account, "positions", where=where), where=f"{where}.positions")
    return [as_dict(item, where=f"{where}.positions[{i}]") for i, item in enumerate(items)]


def market_symbols(account: Mapping[str, Any], *, where: str) -> dict[int, str]:
    """market_id -> symbol for every market the account has a position row for."""
    symbols = {}
    for i, row in enumerate(_raw_positions(account, where=where)):
        row_where = f"{where}.positions[{i}]"
        symbols[int_at(row, "market_id", where=row_where)] = text_at(row, "symbol", where=row_where)
    return symbols


def symbol_for(item: Mapping[str, Any], market_id: int, symbols: Mapping[int, str]) -> str:
    """The market's symbol from the account's rows, else the item's own market_symbol, else market-<id>."""
    if market_id in symbols:
        return symbols[market_id]
    named = item.get("market_symbol")
    return named if isinstance(named, str) and named else f"market-{market_id}"


def _position(row: Mapping[str, Any], *, where: str) -> PositionData | None:
    """One row as a position; None when its size is zero."""
    size = non_negative(decimal_at(row, "position", where=where), field=f"{where}.position")
    if size == 0:
        return None
    sign = int_at(row, "sign", where=where)
    if sign not in SIGNS:
        raise BadAnswer(f"{where}.sign: {sign} is not 1 or -1")
    value = non_negative(decimal_at(row, "position_value", where=where), field=f"{where}.position_value")
    return PositionData(
        strategy=NO_STRATEGY,
        symbol=text_at(row, "symbol", where=where),
        side=SIGNS[sign],
        size=size,
        entry_price=decimal_at(row, "avg_entry_price", where=where),
        mark_price=value / size,
        unrealized_pnl=decimal_at(row, "unrealized_pnl", where=where),
    )


def positions_from_lighter(account: Mapping[str, Any], *, where: str) -> tuple[PositionData, ...]:
    """Open positions (rows with a zero position are markets traded before, left out)."""
    rows = _raw_positions(account, where=where)
    parsed = (_position(row, where=f"{where}.positions[{i}]") for i, row in enumerate(rows))
    return tuple(position for position in parsed if position is not None)


def _margin_of(row: Mapping[str, Any], *, where: str) -> Decimal:
    """Isolated: allocated_margin; cross: position_value x initial_margin_fraction% ("5.00" = 20x)."""
    if decimal_at(row, "position", where=where) == 0:
        return ZERO
    mode = int_at(row, "margin_mode", where=where)
    if mode == ISOLATED:
        return decimal_at(row, "allocated_margin", where=where)
    if mode != CROSS:
        raise BadAnswer(f"{where}.margin_mode: {mode} is not 0 (cross) or 1 (isolated)")
    fraction = decimal_at(row, "initial_margin_fraction", where=where)
    return decimal_at(row, "position_value", where=where) * fraction / 100


def account_from_lighter(
    account: Mapping[str, Any], positions: Iterable[PositionData], *, as_of: datetime, where: str
) -> AccountData:
    """Equity = total_asset_value (collateral + unrealized); realized = the markets' realized_pnl summed."""
    rows = _raw_positions(account, where=where)
    decimal_at(account, "collateral", where=where)  # validated: its absence means a broken answer
    return AccountData(
        equity=decimal_at(account, "total_asset_value", where=where),
        realized_pnl=sum(
            (decimal_at(row, "realized_pnl", where=f"{where}.positions[{i}]") for i, row in enumerate(rows)), ZERO
        ),
        unrealized_pnl=sum((position.unrealized_pnl for position in positions), ZERO),
        margin_used=sum((_margin_of(row, where=f"{where}.positions[{i}]") for i, row in enumerate(rows)), ZERO),
        as_of=as_of,
    )


def order_from_lighter(item: Any, symbols: Mapping[int, str], *, where: str) -> OrderData:
    """One accountActiveOrders order; `timestamp` is Unix SECONDS; triggers priced at trigger_price."""
    item = as_dict(item, where=where)
    kind = text_at(item, "type", where=where)
    if kind not in ORDER_TYPES:
        raise BadAnswer(f"{where}.type: unknown order type {kind!r}")
    market_id = int_at(item, "market_index", where=where)
    return OrderData(
        external_id=text_at(item, "order_id", where=where),
        strategy=NO_STRATEGY,
        symbol=symbol_for(item, market_id, symbols),
        type=ORDER_TYPES[kind],
        side="sell" if bool_at(item, "is_ask", where=where) else "buy",
        size=non_negative(decimal_at(item, "remaining_base_amount", where=where), field=f"{where}.remaining"),
        price=decimal_at(item, "trigger_price" if kind in TRIGGERED_TYPES else "price", where=where),
        reduce_only=bool_at(item, "reduce_only", where=where),
        created_at=from_unix_seconds(required(item, "timestamp", where=where), field=f"{where}.timestamp"),
    )


def _fee_ppm(item: Mapping[str, Any], *, we_are_maker: bool, where: str) -> int:
    """Our fee rate in parts per million; the SDK marks both rates optional, absent meaning no fee."""
    key = "maker_fee" if we_are_maker else "taker_fee"
    if key not in item:
        return 0
    return int_at(item, key, where=where)


def _trade_time(item: Mapping[str, Any], *, where: str) -> datetime:
    """`timestamp` (Unix MILLISECONDS), checked against `transaction_time` (Unix MICROSECONDS)."""
    moment = from_unix_millis(required(item, "timestamp", where=where), field=f"{where}.timestamp")
    executed = from_unix_micros(required(item, "transaction_time", where=where), field=f"{where}.transaction_time")
    if abs(executed - moment) > MAX_CLOCK_SKEW:
        raise BadAnswer(f"{where}: timestamp {moment} and transaction_time {executed} disagree (wrong units?)")
    return moment


def trade_from_lighter(
    item: Any, index: int, symbols: Mapping[int, str], *, where: str
) -> tuple[TradeData | None, datetime]:
    """(closed trade or None, the trade's time); ours is the side whose *_account_id is our index.

    Times: `timestamp` Unix MILLISECONDS, `transaction_time` MICROSECONDS. Our side's pnl is its realized
    PnL, non-zero only when the trade reduced a position. Fees: usd_amount x our rate (ppm) / 1e6.
    """
    item = as_dict(item, where=where)
    is_bid = int_at(item, "bid_account_id", where=where) == index
    if not is_bid and int_at(item, "ask_account_id", where=where) != index:
        raise BadAnswer(f"{where}: trade is neither bid nor ask of account {index}")
    pnl = decimal_at(item, "bid_account_pnl" if is_bid else "ask_account_pnl", where=where)
    size = non_negative(decimal_at(item, "size", where=where), field=f"{where}.size")
    usd_amount = non_negative(decimal_at(item, "usd_amount", where=where), field=f"{where}.usd_amount")
    we_are_maker = bool_at(item, "is_maker_ask", where=where) != is_bid
    fee = usd_amount * _fee_ppm(item, we_are_maker=we_are_maker, where=where) / PPM
    closed_at = _trade_time(item, where=where)
    external_id = text_at(item, "trade_id", where=where)
    market_id = int_at(item, "market_id", where=where)
    if pnl == 0:
        return None, closed_at
    trade = TradeData(
        external_id=external_id,
        strategy=NO_STRATEGY,
        symbol=symbol_for(item, market_id, symbols),
        # Buying back reduces a short (bid pnl); selling reduces a long (ask pnl).
        side="short" if is_bid else "long",
        size=size,
        entry_price=None,
        exit_price=decimal_at(item, "price", where=where),
        stop_loss=None,
        realized_pnl=pnl,
        fees=fee,
        opened_at=None,
        closed_at=closed_at,
    )
    return trade, closed_at
