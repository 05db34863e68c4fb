"""A simulated trader service speaking the trader API contract (shared/contracts/trader-api.md)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from aiohttp import WSMsgType, web

from apps.simulator.engine.records import Event, SlotKey
from apps.simulator.engine.simulation import Simulation
from apps.simulator.engine.trader import InvalidSettingError, TraderEngine, UnknownStrategyError
from apps.simulator.web.common import (
    BadRequestError,
    ServiceFaults,
    dumps,
    error_response,
    faults_middleware,
    json_errors_middleware,
    json_response,
    read_json,
)
from apps.simulator.web.trader_wire import (
    analytics_json,
    equity_json,
    event_json,
    item_key,
    order_json,
    position_json,
    risk_values,
    settings_json,
    strategy_json,
    trade_json,
)

SIMULATOR_VERSION = "1.0.0"
MAX_TRADES_LIMIT = 1000
DEFAULT_TRADES_LIMIT = 100
WS_QUEUE_SIZE = 1000

SIMULATION = web.AppKey("simulation", Simulation)
TRADER = web.AppKey("trader", TraderEngine)
STARTED = web.AppKey("started_monotonic", float)
SOCKETS = web.AppKey("ws_queues", set)


def build_trader_app(simulation: Simulation, trader_name: str, faults: ServiceFaults) -> web.Application:
    """The aiohttp app of one simulated trader (e.g. "hyperliquid" on 9002)."""
    app = web.Application(
        middlewares=[json_errors_middleware, faults_middleware(faults, exempt=frozenset({"/api/status"}))]
    )
    app[SIMULATION] = simulation
    app[TRADER] = simulation.trader(trader_name)
    app[STARTED] = time.monotonic()
    app[SOCKETS] = set()
    app.router.add_get("/api/status", _status(faults))
    app.router.add_get("/api/positions", positions)
    app.router.add_get("/api/orders", orders)
    app.router.add_get("/api/trades", trades)
    app.router.add_get("/api/analytics", analytics)
    app.router.add_get("/api/equity", equity)
    app.router.add_get("/api/risk/settings", risk_settings)
    app.router.add_put("/api/risk/settings/bulk", risk_settings_bulk)
    app.router.add_put("/api/strategies/{strategy_id}/{symbol}/settings", strategy_settings)
    app.router.add_post("/api/strategies/{strategy_id}/{symbol}/enable", _set_enabled(True))
    app.router.add_post("/api/strategies/{strategy_id}/{symbol}/disable", _set_enabled(False))
    app.router.add_post("/api/strategies/{strategy_id}/{symbol}/reset-kill-switch", reset_kill_switch)
    app.router.add_get("/ws", websocket)
    app.cleanup_ctx.append(_event_relay)
    app.on_shutdown.append(_close_sockets)
    return app


def _status(faults: ServiceFaults) -> Callable[[web.Request], Any]:
    """GET /api/status, reporting readiness from the service's faults."""

    async def status(request: web.Request) -> web.Response:
        trader = request.app[TRADER]
        return json_response(
            {
                "service": "trader",
                "exchange": trader.config.name,
                "connected": True,
                "engine_ready": faults.ready,
                "uptime_s": int(time.monotonic() - request.app[STARTED]),
                "version": SIMULATOR_VERSION,
                "timestamp": request.app[SIMULATION].now,
            }
        )

    return status


async def positions(request: web.Request) -> web.Response:
    """GET /api/positions."""
    trader = request.app[TRADER]
    items = [position_json(p, trader.market.mark(p.symbol)) for p in trader.positions()]
    return json_response({"positions": items})


async def orders(request: web.Request) -> web.Response:
    """GET /api/orders."""
    return json_response({"orders": [order_json(o) for o in request.app[TRADER].open_orders()]})


async def trades(request: web.Request) -> web.Response:
    """GET /api/trades?limit&since, newest first."""
    limit = _parse_limit(request.query.get("limit"))
    since = _parse_since(request.query.get("since"))
    found = request.app[TRADER].trades(limit=limit, since=since)
    return json_response({"trades": [trade_json(t) for t in found]})


def _parse_limit(raw: str | None) -> int:
    """The limit query value, 1..MAX_TRADES_LIMIT."""
    if raw is None:
        return DEFAULT_TRADES_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_TRADES_LIMIT:
        raise BadRequestError(f"limit must be an integer between 1 and {MAX_TRADES_LIMIT}")
    return int(raw)


def _parse_since(raw: str | None) -> datetime | None:
    """The since query value as an aware datetime."""
    if raw is None:
        return None
    try:
        # An unencoded "+" in a query string arrives as a space.
        moment = datetime.fromisoformat(raw.strip().replace(" ", "+"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadRequestError("since must be an ISO-8601 time with a zone")
    return moment


async def analytics(request: web.Request) -> web.Response:
    """GET /api/analytics."""
    return json_response(analytics_json(request.app[TRADER].analytics()))


async def equity(request: web.Request) -> web.Response:
    """GET /api/equity."""
    return json_response(equity_json(request.app[TRADER]))


async def risk_settings(request: web.Request) -> web.Response:
    """GET /api/risk/settings."""
    trader = request.app[TRADER]
    return json_response(
        {
            "settings": [settings_json(spec, s) for spec, s in trader.all_settings()],
            "strategies": [strategy_json(spec) for spec in trader.strategies()],
        }
    )


async def risk_settings_bulk(request: web.Request) -> web.Response:
    """PUT /api/risk/settings/bulk: each item succeeds or fails on its own."""
    items = await read_json(request)
    if not isinstance(items, list):
        raise BadRequestError("body must be a JSON array of settings items")
    trader = request.app[TRADER]
    return json_response({"results": [_apply_bulk_item(trader, item) for item in items]})


def _apply_bulk_item(trader: TraderEngine, item: Any) -> dict[str, Any]:
    """Apply one bulk item; its result names it and says whether it worked."""
    key = item_key(item)
    result: dict[str, Any] = {"strategy_id": key[0] if key else None, "symbol": key[1] if key else None}
    try:
        values = risk_values(item, key_required=True)  # raises unless both key fields are strings
        trader.update_risk(cast(SlotKey, key), values)
    except (BadRequestError, InvalidSettingError, UnknownStrategyError) as error:
        return {**result, "success": False, "error": _message(error)}
    return {**result, "success": True}


async def strategy_settings(request: web.Request) -> web.Response:
    """PUT /api/strategies/{strategy_id}/{symbol}/settings with one bulk item as body."""
    key = _path_key(request)
    trader = request.app[TRADER]
    if key not in {spec.key for spec in trader.strategies()}:
        return error_response(404, f"unknown strategy/symbol: {key[0]}/{key[1]}")
    item = await read_json(request)
    values = risk_values(item, key_required=False)
    body_key = item_key(item)
    if any(field in item for field in ("strategy_id", "symbol")) and body_key != key:
        raise BadRequestError("strategy_id and symbol in the body must match the path")
    return _settings_reply(trader, key, lambda: trader.update_risk(key, values))


def _set_enabled(enabled: bool) -> Callable[[web.Request], Any]:
    """POST .../enable or .../disable."""

    async def handler(request: web.Request) -> web.Response:
        key = _path_key(request)
        trader = request.app[TRADER]
        return _settings_reply(trader, key, lambda: trader.set_enabled(key, enabled))

    return handler


async def reset_kill_switch(request: web.Request) -> web.Response:
    """POST .../reset-kill-switch."""
    key = _path_key(request)
    trader = request.app[TRADER]
    return _settings_reply(trader, key, lambda: trader.reset_kill_switch(key))


def _settings_reply(trader: TraderEngine, key: tuple[str, str], change: Callable[[], Any]) -> web.Response:
    """Run a settings change and answer {"success": true, "settings": {...}} or an error."""
    try:
        settings = change()
    except UnknownStrategyError as error:
        return error_response(404, _message(error))
    except InvalidSettingError as error:
        return error_response(400, str(error))
    spec = next(spec for spec in trader.strategies() if spec.key == key)
    return json_response({"success": True, "settings": settings_json(spec, settings)})


def _path_key(request: web.Request) -> tuple[str, str]:
    """(strategy_id, symbol) from the URL."""
    return (request.match_info["strategy_id"], request.match_info["symbol"])


def _message(error: Exception) -> str:
    """An exception's message (KeyError would quote it)."""
    return error.args[0] if error.args else str(error)


async def websocket(request: web.Request) -> web.WebSocketResponse:
    """WS /ws: trade_closed, position_update and kill_switch events as they happen."""
    ws = web.WebSocketResponse(heartbeat=30)
    await ws.prepare(request)
    queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=WS_QUEUE_SIZE)
    request.app[SOCKETS].add(queue)
    sender = asyncio.create_task(_pump(queue, ws))
    try:
        async for message in ws:  # clients have nothing to say; read only to notice a close
            if message.type == WSMsgType.ERROR:
                break
    finally:
        request.app[SOCKETS].discard(queue)
        sender.cancel()
    return ws


async def _pump(queue: asyncio.Queue[str | None], ws: web.WebSocketResponse) -> None:
    """Send queued events until told to stop (None) or the socket closes."""
    while (text := await queue.get()) is not None:
        await ws.send_str(text)
    await ws.close()


async def _event_relay(app: web.Application) -> Any:
    """Relay engine events to every open socket while the app runs."""
    trader = app[TRADER]

    def relay(event: Event) -> None:
        text = dumps(event_json(event, trader))
        for queue in list(app[SOCKETS]):
            try:
                queue.put_nowait(text)
            except asyncio.QueueFull:
                app[SOCKETS].discard(queue)  # a client this far behind gets no more events
                _drop_oldest_and_close(queue)

    trader.subscribe(relay)
    yield
    trader.unsubscribe(relay)


def _drop_oldest_and_close(queue: asyncio.Queue[str | None]) -> None:
    """Make room for the stop marker in a full queue."""
    queue.get_nowait()
    queue.put_nowait(None)


async def _close_sockets(app: web.Application) -> None:
    """Close open sockets on shutdown so the server can stop promptly."""
    for queue in list(app[SOCKETS]):
        if queue.full():
            _drop_oldest_and_close(queue)
        else:
            queue.put_nowait(None)
