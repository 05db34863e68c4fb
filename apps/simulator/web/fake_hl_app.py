"""A fake Hyperliquid API: POST /info for the SDK's reads, plus drift controls for reconciliation tests."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aiohttp import web

from apps.simulator.constants import FAKE_HL_MASTER_ADDRESS, HYPERLIQUID_TRADER
from apps.simulator.engine.records import ZERO
from apps.simulator.engine.simulation import Simulation
from apps.simulator.web import fake_hl_wire as wire
from apps.simulator.web.common import (
    BadRequestError,
    ServiceFaults,
    dumps,
    json_errors_middleware,
    json_response,
    loads,
    parse_decimal,
    read_json,
)

DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type"
ADDRESS_PATTERN = re.compile(r"0x[0-9a-fA-F]{40}")

SIMULATION = web.AppKey("simulation", Simulation)
DRIFT = web.AppKey("drift", dict)
FAULTS = web.AppKey("faults", ServiceFaults)


class MalformedRequestError(Exception):
    """Hyperliquid could not deserialize the body (422 text/plain)."""


def build_fake_hyperliquid_app(simulation: Simulation, faults: ServiceFaults) -> web.Application:
    """The fake Hyperliquid API; the master account mirrors the simulated Hyperliquid trader."""
    app = web.Application(middlewares=[json_errors_middleware])
    app[SIMULATION] = simulation
    app[DRIFT] = {}
    app[FAULTS] = faults
    app.router.add_post("/info", info)
    app.router.add_get("/control/drift", drift_view)
    app.router.add_post("/control/drift", drift_add)
    app.router.add_post("/control/reset-drift", drift_reset)
    return app


async def info(request: web.Request) -> web.Response:
    """POST /info: dispatch on the body's "type" like Hyperliquid does."""
    faults = request.app[FAULTS]
    if faults.delay_seconds > 0:
        await asyncio.sleep(faults.delay_seconds)
    if not faults.ready:
        # Hyperliquid's rate limit answer: 429 with a JSON null body.
        return web.Response(status=429, text="null", content_type="application/json")
    try:
        body = loads(await request.text())
        answer = _answer(request.app, body)
    except (ValueError, MalformedRequestError):
        return web.Response(status=422, text=DESERIALIZE_ERROR, content_type="text/plain")
    return web.Response(text=dumps(answer), content_type="application/json")


def _answer(app: web.Application, body: Any) -> Any:
    """The answer to one /info body, or MalformedRequestError."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise MalformedRequestError
    handler = INFO_HANDLERS.get(body["type"])
    if handler is None:
        raise MalformedRequestError
    return handler(app, body)


def _user(body: dict[str, Any]) -> bool:
    """Whether the body's "user" is the fake master account (validating the address)."""
    user = body.get("user")
    if not isinstance(user, str) or not ADDRESS_PATTERN.fullmatch(user):
        raise MalformedRequestError
    return user.lower() == FAKE_HL_MASTER_ADDRESS.lower()


def _default_dex(body: dict[str, Any]) -> bool:
    """Whether the body asks about the default perp dex ("" or absent)."""
    dex = body.get("dex")
    if dex is not None and not isinstance(dex, str):
        raise MalformedRequestError
    return not dex


def _optional_int(body: dict[str, Any], field: str, *, required: bool = False) -> int | None:
    """An integer field (milliseconds), JSON null or absent when allowed."""
    value = body.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedRequestError
    return value


def _trader(app: web.Application) -> Any:
    """The trader the master account mirrors."""
    return app[SIMULATION].trader(HYPERLIQUID_TRADER)


def _clearinghouse(app: web.Application, body: dict[str, Any]) -> Any:
    if _user(body) and _default_dex(body):
        return wire.clearinghouse_state(_trader(app), app[DRIFT])
    return wire.zero_clearinghouse_state(app[SIMULATION].now)


def _open_orders(frontend: bool) -> Callable[[web.Application, dict[str, Any]], Any]:
    def handler(app: web.Application, body: dict[str, Any]) -> Any:
        known = _user(body) and _default_dex(body)
        return wire.open_orders(_trader(app), frontend=frontend) if known else []

    return handler


def _user_fills(app: web.Application, body: dict[str, Any]) -> Any:
    return wire.user_fills(_trader(app)) if _user(body) else []


def _user_fills_by_time(app: web.Application, body: dict[str, Any]) -> Any:
    known = _user(body)
    start = _optional_int(body, "startTime", required=True)
    end = _optional_int(body, "endTime")
    if body.get("aggregateByTime") is not None and not isinstance(body["aggregateByTime"], bool):
        raise MalformedRequestError
    return wire.user_fills_by_time(_trader(app), start or 0, end) if known else []


def _meta(app: web.Application, body: dict[str, Any]) -> Any:
    if _default_dex(body):
        return wire.perp_meta(app[SIMULATION].market)
    return {"universe": [], "marginTables": [], "collateralToken": 0}


def _all_mids(app: web.Application, body: dict[str, Any]) -> Any:
    return wire.all_mids(app[SIMULATION].market) if _default_dex(body) else {}


def _portfolio(app: web.Application, body: dict[str, Any]) -> Any:
    now = app[SIMULATION].now
    if not _user(body):
        return wire.portfolio(None, now, ZERO)
    trader = _trader(app)
    value = wire.account_value(trader, wire.account_positions(trader, app[DRIFT]))
    return wire.portfolio(trader, now, value)


INFO_HANDLERS: dict[str, Callable[[web.Application, dict[str, Any]], Any]] = {
    "spotMeta": lambda app, body: wire.SPOT_META,
    "meta": _meta,
    "clearinghouseState": _clearinghouse,
    "spotClearinghouseState": lambda app, body: wire.spot_clearinghouse_state(known=_user(body)),
    "openOrders": _open_orders(frontend=False),
    "frontendOpenOrders": _open_orders(frontend=True),
    "userFills": _user_fills,
    "userFillsByTime": _user_fills_by_time,
    "allMids": _all_mids,
    "portfolio": _portfolio,
}


def _drift_json(drift: dict[str, wire.Drift]) -> dict[str, Any]:
    return {"drift": {coin: item.size for coin, item in drift.items()}}


async def drift_view(request: web.Request) -> web.Response:
    """GET /control/drift: sizes the fake account holds beyond the trader's."""
    return json_response(_drift_json(request.app[DRIFT]))


async def drift_add(request: web.Request) -> web.Response:
    """POST /control/drift {"coin": "BTC", "size_delta": "0.1"}: the account now differs from the trader."""
    body = await read_json(request)
    market = request.app[SIMULATION].market
    if not isinstance(body, dict) or body.get("coin") not in market.specs:
        raise BadRequestError(f"coin must be one of {', '.join(market.symbols)}")
    coin = body["coin"]
    delta = parse_decimal(body.get("size_delta"), "size_delta")
    drift = request.app[DRIFT]
    current = drift.get(coin) or wire.Drift(size=Decimal(0), entry_px=market.mark(coin))
    current.size += delta
    drift[coin] = current
    if current.size == 0:
        del drift[coin]
    return json_response(_drift_json(drift))


async def drift_reset(request: web.Request) -> web.Response:
    """POST /control/reset-drift: the account mirrors the trader again."""
    request.app[DRIFT].clear()
    return json_response(_drift_json(request.app[DRIFT]))
