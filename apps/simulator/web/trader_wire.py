"""Engine records as the trader API contract's JSON objects, and request items parsed back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.simulator.engine.records import (
    Analytics,
    Event,
    KillSwitchChange,
    Order,
    Position,
    RiskSettings,
    SlotKey,
    StrategySpec,
    Trade,
)
from apps.simulator.engine.trader import RISK_FIELDS, TraderEngine
from apps.simulator.web.common import BadRequestError, parse_decimal

KEY_FIELDS = ("strategy_id", "symbol")


def position_json(position: Position, mark: Decimal) -> dict[str, Any]:
    """A position as the contract shows it."""
    return {
        "strategy_id": position.strategy_id,
        "symbol": position.symbol,
        "side": position.side,
        "size": position.size,
        "entry_price": position.entry_price,
        "mark_price": mark,
        "unrealized_pnl": position.pnl_at(mark),
        "stop_loss": position.stop_loss,
        "take_profit": position.take_profit,
        "opened_at": position.opened_at,
    }


def order_json(order: Order) -> dict[str, Any]:
    """A resting order as the contract shows it."""
    return {
        "order_id": order.order_id,
        "strategy_id": order.strategy_id,
        "symbol": order.symbol,
        "type": order.type,
        "side": order.side,
        "size": order.size,
        "price": order.price,
        "reduce_only": order.reduce_only,
        "created_at": order.created_at,
    }


def trade_json(trade: Trade) -> dict[str, Any]:
    """A closed trade as the contract shows it (realized_pnl before fees)."""
    return {
        "trade_id": trade.trade_id,
        "strategy_id": trade.strategy_id,
        "symbol": trade.symbol,
        "side": trade.side,
        "size": trade.size,
        "entry_price": trade.entry_price,
        "exit_price": trade.exit_price,
        "stop_loss": trade.stop_loss,
        "realized_pnl": trade.realized_pnl,
        "fees": trade.fees,
        "opened_at": trade.opened_at,
        "closed_at": trade.closed_at,
    }


def analytics_json(analytics: Analytics) -> dict[str, Any]:
    """Trade totals as the contract shows them."""
    return {
        "total_trades": analytics.total_trades,
        "wins": analytics.wins,
        "losses": analytics.losses,
        "win_rate": analytics.win_rate,
        "total_pnl": analytics.total_pnl,
        "fees": analytics.fees,
        "best_trade": analytics.best_trade,
        "worst_trade": analytics.worst_trade,
    }


def equity_json(trader: TraderEngine) -> dict[str, Any]:
    """Equity now and its hourly history."""
    return {
        "equity": trader.equity(),
        "realized_pnl": trader.realized_pnl(),
        "unrealized_pnl": trader.unrealized_pnl(),
        "margin_used": trader.margin_used(),
        "history": [{"timestamp": point.timestamp, "equity": point.equity} for point in trader.equity_history()],
    }


def settings_json(spec: StrategySpec, settings: RiskSettings) -> dict[str, Any]:
    """One settings item."""
    return {
        "strategy_id": spec.strategy_id,
        "symbol": spec.symbol,
        "enabled": settings.enabled,
        "risk_per_trade": settings.risk_per_trade,
        "stop_loss_dollars": settings.stop_loss_dollars,
        "max_strategy_loss": settings.max_strategy_loss,
        "kill_switch_active": settings.kill_switch_active,
        "total_pnl": settings.total_pnl,
    }


def strategy_json(spec: StrategySpec) -> dict[str, Any]:
    """One strategy's name and timeframe."""
    return {"strategy_id": spec.strategy_id, "symbol": spec.symbol, "name": spec.name, "timeframe": spec.timeframe}


def event_json(event: Event, trader: TraderEngine) -> dict[str, Any]:
    """A WebSocket message for an engine event."""
    payload = event.payload
    if isinstance(payload, Trade):
        return {"type": "trade_closed", "trade": trade_json(payload)}
    if isinstance(payload, Position):
        mark = event.mark_price if event.mark_price is not None else trader.market.mark(payload.symbol)
        return {"type": "position_update", "position": position_json(payload, mark)}
    assert isinstance(payload, KillSwitchChange)
    return {
        "type": "kill_switch",
        "strategy_id": payload.strategy_id,
        "symbol": payload.symbol,
        "active": payload.active,
    }


def item_key(item: Any) -> SlotKey | None:
    """(strategy_id, symbol) of a bulk item when both are strings."""
    if not isinstance(item, dict):
        return None
    strategy_id, symbol = item.get("strategy_id"), item.get("symbol")
    if isinstance(strategy_id, str) and isinstance(symbol, str):
        return (strategy_id, symbol)
    return None


def risk_values(item: Any, *, key_required: bool) -> dict[str, Decimal]:
    """The risk values of a settings item, or BadRequestError naming what is wrong."""
    if not isinstance(item, dict):
        raise BadRequestError("each item must be a JSON object")
    if key_required and item_key(item) is None:
        raise BadRequestError("strategy_id and symbol are required strings")
    for field in item:
        if field not in RISK_FIELDS and field not in KEY_FIELDS:
            raise BadRequestError(f"unknown field: {field}")
    return {field: parse_decimal(item[field], field) for field in RISK_FIELDS if field in item}
