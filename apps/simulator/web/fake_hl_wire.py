"""The simulated Hyperliquid trader's account in Hyperliquid's /info wire format (exchanges.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from apps.simulator.engine.ledger import Fill
from apps.simulator.engine.market import Market
from apps.simulator.engine.records import ZERO, Order, to_millis
from apps.simulator.engine.sizing import LEVERAGE
from apps.simulator.engine.trader import TraderEngine
from apps.simulator.web.common import dec_str

MAX_FILLS_PER_ANSWER = 2000
ROE_QUANTUM = Decimal("0.0000000001")
HL_DECIMALS = Decimal("0.000001")
PORTFOLIO_WINDOWS = (("day", timedelta(days=1)), ("week", timedelta(days=7)), ("month", timedelta(days=30)))
SPOT_META = {
    "tokens": [
        {
            "name": "USDC",
            "szDecimals": 8,
            "weiDecimals": 8,
            "index": 0,
            "tokenId": "0x6d1e7cde53ba9467b783cb7c530ce054",
            "isCanonical": True,
            "evmContract": None,
            "fullName": None,
        },
        {
            "name": "PURR",
            "szDecimals": 0,
            "weiDecimals": 5,
            "index": 1,
            "tokenId": "0xc1fb593aeffbeb02f85e0308e9956a90",
            "isCanonical": True,
            "evmContract": None,
            "fullName": None,
        },
    ],
    "universe": [{"tokens": [1, 0], "name": "PURR/USDC", "index": 0, "isCanonical": True}],
}


@dataclass
class Drift:
    """Size the fake account holds beyond the trader's (for reconciliation tests)."""

    size: Decimal
    entry_px: Decimal


@dataclass(frozen=True)
class AccountPosition:
    """One netted coin position of the fake account."""

    coin: str
    szi: Decimal
    entry_px: Decimal
    mark: Decimal
    max_leverage: int

    @property
    def value(self) -> Decimal:
        """positionValue: |szi| at the mark."""
        return abs(self.szi) * self.mark

    @property
    def unrealized(self) -> Decimal:
        """unrealizedPnl at the mark."""
        return self.szi * (self.mark - self.entry_px)

    @property
    def margin_used(self) -> Decimal:
        """Cross margin: positionValue / leverage."""
        return self.value / LEVERAGE


def hl_num(value: Decimal, quantum: Decimal = HL_DECIMALS) -> str:
    """A decimal string as Hyperliquid writes numbers ("0.0", "64000.5"), rounded to `quantum` at most."""
    if value.as_tuple().exponent < quantum.as_tuple().exponent:
        value = value.quantize(quantum)
    text = dec_str(value)
    return text if "." in text else text + ".0"


def account_positions(trader: TraderEngine, drift: dict[str, Drift]) -> list[AccountPosition]:
    """The trader's fills netted per coin, plus any drift, skipping flat coins."""
    found = []
    for coin in trader.market.symbols:
        net = trader.ledger.position(coin)
        extra = drift.get(coin)
        szi = net.szi + (extra.size if extra else ZERO)
        if szi == 0:
            continue
        entry = net.entry_px if net.szi != 0 or extra is None else extra.entry_px
        spec = trader.market.specs[coin]
        found.append(AccountPosition(coin, szi, entry, trader.market.mark(coin), spec.max_leverage))
    return found


def account_value(trader: TraderEngine, positions: list[AccountPosition]) -> Decimal:
    """Capital + closed PnL - fees paid + unrealized PnL, as the exchange counts it."""
    ledger = trader.ledger
    unrealized = sum((p.unrealized for p in positions), ZERO)
    return trader.config.starting_capital + ledger.closed_pnl_total - ledger.fees_total + unrealized


def clearinghouse_state(trader: TraderEngine, drift: dict[str, Drift]) -> dict[str, Any]:
    """clearinghouseState of the fake master account."""
    positions = account_positions(trader, drift)
    # Round first so that withdrawable = accountValue - totalMarginUsed holds to the last digit.
    value = account_value(trader, positions).quantize(HL_DECIMALS)
    notional = sum((p.value for p in positions), ZERO)
    margin = sum((p.margin_used for p in positions), ZERO)
    signed_notional = sum((p.szi * p.mark for p in positions), ZERO)
    summary = {
        "accountValue": hl_num(value),
        "totalNtlPos": hl_num(notional),
        "totalRawUsd": hl_num(value - signed_notional),
        "totalMarginUsed": hl_num(margin),
    }
    maintenance = sum((p.value / p.max_leverage / 2 for p in positions), ZERO)
    return {
        "marginSummary": summary,
        "crossMarginSummary": dict(summary),
        "crossMaintenanceMarginUsed": hl_num(maintenance),
        "withdrawable": hl_num(max(ZERO, value - margin)),
        "assetPositions": [{"type": "oneWay", "position": _position_json(p)} for p in positions],
        "time": to_millis(trader.now),
    }


def _position_json(position: AccountPosition) -> dict[str, Any]:
    """One assetPositions[].position entry."""
    entry_margin = abs(position.szi) * position.entry_px / LEVERAGE
    roe = position.unrealized / entry_margin if entry_margin else ZERO
    return {
        "coin": position.coin,
        "szi": hl_num(position.szi),
        "leverage": {"type": "cross", "value": LEVERAGE},
        "entryPx": hl_num(position.entry_px),
        "positionValue": hl_num(position.value),
        "unrealizedPnl": hl_num(position.unrealized),
        "returnOnEquity": hl_num(roe, ROE_QUANTUM),
        "liquidationPx": None,  # cross liquidation depends on the whole account; null is allowed
        "marginUsed": hl_num(position.margin_used),
        "maxLeverage": position.max_leverage,
        "cumFunding": {"allTime": "0.0", "sinceOpen": "0.0", "sinceChange": "0.0"},
    }


def zero_clearinghouse_state(now: datetime) -> dict[str, Any]:
    """What Hyperliquid answers for an address it has never seen."""
    summary = {"accountValue": "0.0", "totalNtlPos": "0.0", "totalRawUsd": "0.0", "totalMarginUsed": "0.0"}
    return {
        "marginSummary": summary,
        "crossMarginSummary": dict(summary),
        "crossMaintenanceMarginUsed": "0.0",
        "withdrawable": "0.0",
        "assetPositions": [],
        "time": to_millis(now),
    }


def spot_clearinghouse_state(*, known: bool) -> dict[str, Any]:
    """Spot balances: a standard (non-unified) account keeps its collateral on perps."""
    if not known:
        return {"balances": []}
    return {"balances": [{"coin": "USDC", "token": 0, "total": "0.0", "hold": "0.0", "entryNtl": "0.0"}]}


def open_orders(trader: TraderEngine, *, frontend: bool) -> list[dict[str, Any]]:
    """openOrders (or frontendOpenOrders) mirroring the trader's resting orders, newest first."""
    return [_order_json(order, frontend=frontend) for order in reversed(trader.open_orders())]


def _order_json(order: Order, *, frontend: bool) -> dict[str, Any]:
    """One open order; frontend adds the trigger details."""
    item: dict[str, Any] = {
        "coin": order.symbol,
        "limitPx": hl_num(order.price),
        "oid": int(order.order_id),
        "side": "A" if order.side == "sell" else "B",
        "sz": hl_num(order.size),
        "timestamp": to_millis(order.created_at),
        "origSz": hl_num(order.size),
    }
    if frontend:
        # A sell stop fires as the price falls; a sell take-profit as it rises.
        falling = (order.type == "stop") == (order.side == "sell")
        item.update(
            {
                "orderType": "Stop Market" if order.type == "stop" else "Take Profit Market",
                "isTrigger": True,
                "triggerPx": hl_num(order.price),
                "triggerCondition": f"Price {'below' if falling else 'above'} {hl_num(order.price)}",
                "reduceOnly": order.reduce_only,
                "isPositionTpsl": False,
                "tif": None,
                "children": [],
                "cloid": None,
            }
        )
    return item


def fill_json(fill: Fill) -> dict[str, Any]:
    """One userFills entry."""
    return {
        "coin": fill.coin,
        "px": hl_num(fill.px),
        "sz": hl_num(fill.sz),
        "side": fill.side,
        "time": to_millis(fill.time),
        "startPosition": hl_num(fill.start_position),
        "dir": fill.dir,
        "closedPnl": hl_num(fill.closed_pnl),
        "hash": fill.hash,
        "oid": fill.oid,
        "crossed": True,
        "fee": hl_num(fill.fee),
        "feeToken": "USDC",
        "tid": fill.tid,
    }


def user_fills(trader: TraderEngine) -> list[dict[str, Any]]:
    """userFills: newest first, at most 2000."""
    newest = list(reversed(trader.ledger.fills))[:MAX_FILLS_PER_ANSWER]
    return [fill_json(fill) for fill in newest]


def user_fills_by_time(trader: TraderEngine, start_ms: int, end_ms: int | None) -> list[dict[str, Any]]:
    """userFillsByTime: fills in [start, end], oldest first, at most 2000."""
    found = []
    for fill in trader.ledger.fills:
        moment = to_millis(fill.time)
        if moment >= start_ms and (end_ms is None or moment <= end_ms):
            found.append(fill_json(fill))
            if len(found) == MAX_FILLS_PER_ANSWER:
                break
    return found


def all_mids(market: Market) -> dict[str, str]:
    """allMids: every perp's mid (the mark here)."""
    return {coin: hl_num(price) for coin, price in market.marks().items()}


def perp_meta(market: Market) -> dict[str, Any]:
    """meta for the default dex: the simulated symbols."""
    universe = [
        {"name": spec.symbol, "szDecimals": spec.size_decimals, "maxLeverage": spec.max_leverage, "marginTableId": 50}
        for spec in market.specs.values()
    ]
    table = {"description": "", "marginTiers": [{"lowerBound": "0.0", "maxLeverage": 50}]}
    return {"universe": universe, "marginTables": [[50, table]], "collateralToken": 0}


def portfolio(trader: TraderEngine | None, now: datetime, current_value: Decimal) -> list[Any]:
    """portfolio: value and PnL histories per window, from the trader's hourly equity."""
    points = [(p.timestamp, p.equity) for p in trader.equity_history()] if trader else []
    points.append((now, current_value))
    windows = [(name, now - span) for name, span in PORTFOLIO_WINDOWS] + [("allTime", None)]
    answer = []
    for prefix in ("", "perp"):
        for name, since in windows:
            label = prefix + name[0].upper() + name[1:] if prefix else name
            answer.append([label, _window(trader, points, since)])
    return answer


def _window(trader: TraderEngine | None, points: list[tuple[datetime, Decimal]], since: datetime | None) -> dict:
    """One portfolio window: account value, PnL since the window opened, volume."""
    inside = [(t, v) for t, v in points if since is None or t >= since]
    base = inside[0][1] if inside else ZERO
    fills = trader.ledger.fills if trader else []
    volume = sum((f.px * f.sz for f in fills if since is None or f.time >= since), ZERO)
    return {
        "accountValueHistory": [[to_millis(t), hl_num(v)] for t, v in inside],
        "pnlHistory": [[to_millis(t), hl_num(v - base)] for t, v in inside],
        "vlm": hl_num(volume),
    }
