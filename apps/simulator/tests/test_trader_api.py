"""Each trader endpoint answers exactly the contract's shapes (shared/contracts/trader-api.md)."""

import asyncio
import json
from datetime import timedelta
from decimal import Decimal

import aiohttp
import pytest

from apps.simulator.constants import SERVER_HYPERLIQUID_TRADER
from apps.simulator.engine.records import floor_hour
from apps.simulator.tests.shapes import assert_decimal_string, assert_fields, assert_iso_z

POSITION_DECIMALS = {"size", "entry_price", "mark_price", "unrealized_pnl", "stop_loss", "take_profit"}
POSITION_OTHERS = {"strategy_id": str, "symbol": str, "side": str}
ORDER_OTHERS = {"order_id": str, "strategy_id": str, "symbol": str, "type": str, "side": str, "reduce_only": bool}
TRADE_DECIMALS = {"size", "entry_price", "exit_price", "stop_loss", "realized_pnl", "fees"}
TRADE_OTHERS = {"trade_id": str, "strategy_id": str, "symbol": str, "side": str}
SETTINGS_DECIMALS = {"risk_per_trade", "stop_loss_dollars", "max_strategy_loss", "total_pnl"}
SETTINGS_OTHERS = {"strategy_id": str, "symbol": str, "enabled": bool, "kill_switch_active": bool}


@pytest.mark.parametrize("url_attr, exchange", [("hyperliquid_url", "hyperliquid"), ("lighter_url", "lighter")])
def test_status(simulator, http, url_attr, exchange):
    body = http.get(getattr(simulator, url_attr) + "/api/status").json()

    assert set(body) == {"service", "exchange", "connected", "engine_ready", "uptime_s", "version", "timestamp"}
    assert (body["service"], body["exchange"], body["connected"], body["engine_ready"]) == (
        "trader",
        exchange,
        True,
        True,
    )
    assert isinstance(body["uptime_s"], int) and isinstance(body["version"], str)
    assert assert_iso_z(body["timestamp"]) == simulator.simulation.now


def test_positions_match_the_engine(simulator, http):
    simulator.step(40)
    trader = simulator.trader("hyperliquid")

    body = http.get(simulator.hyperliquid_url + "/api/positions").json()

    assert set(body) == {"positions"} and body["positions"]
    expected = simulator.call(trader.positions)
    for item, position in zip(body["positions"], expected, strict=True):
        assert_fields(item, POSITION_DECIMALS, {"opened_at"}, POSITION_OTHERS)
        mark = trader.market.mark(position.symbol)
        assert (item["strategy_id"], item["symbol"], item["side"]) == (
            position.strategy_id,
            position.symbol,
            position.side,
        )
        assert Decimal(item["size"]) == position.size
        assert Decimal(item["mark_price"]) == mark
        assert Decimal(item["unrealized_pnl"]) == (mark - position.entry_price) * position.size * position.direction
        assert assert_iso_z(item["opened_at"]) == position.opened_at


def test_orders_are_the_reduce_only_stops_and_targets(simulator, http):
    simulator.step(40)

    orders = http.get(simulator.hyperliquid_url + "/api/orders").json()["orders"]
    positions = http.get(simulator.hyperliquid_url + "/api/positions").json()["positions"]

    assert orders
    for order in orders:
        assert_fields(order, {"size", "price"}, {"created_at"}, ORDER_OTHERS)
        assert order["type"] in {"stop", "take_profit"} and order["side"] in {"buy", "sell"}
        assert order["reduce_only"] is True
    stops = {(o["strategy_id"], o["symbol"]): o["price"] for o in orders if o["type"] == "stop"}
    assert stops == {(p["strategy_id"], p["symbol"]): p["stop_loss"] for p in positions}


def test_trades_newest_first_with_limit_and_since(simulator, http):
    simulator.step(150)
    url = simulator.hyperliquid_url + "/api/trades"

    everything = http.get(url, params={"limit": 1000}).json()["trades"]
    two = http.get(url, params={"limit": 2}).json()["trades"]
    pivot = everything[len(everything) // 2]["closed_at"]
    since = http.get(url, params={"since": pivot, "limit": 1000}).json()["trades"]

    assert len(everything) > 4
    for trade in everything:
        assert_fields(trade, TRADE_DECIMALS, {"opened_at", "closed_at"}, TRADE_OTHERS)
    closed = [assert_iso_z(t["closed_at"]) for t in everything]
    assert closed == sorted(closed, reverse=True)
    assert two == everything[:2]
    assert since == [t for t in everything if assert_iso_z(t["closed_at"]) >= assert_iso_z(pivot)]
    assert len({t["trade_id"] for t in everything}) == len(everything)


def test_trades_since_accepts_an_offset_and_a_default_limit(simulator, http):
    simulator.step(150)
    later = simulator.simulation.now + timedelta(hours=1)

    future = http.get(simulator.hyperliquid_url + "/api/trades", params={"since": later.isoformat()})
    default = http.get(simulator.hyperliquid_url + "/api/trades")

    assert future.status_code == 200 and future.json() == {"trades": []}
    assert len(default.json()["trades"]) == min(100, len(simulator.trader("hyperliquid").trades(limit=1000)))


@pytest.mark.parametrize(
    "params, detail",
    [
        ({"limit": "0"}, "limit must be an integer between 1 and 1000"),
        ({"limit": "1001"}, "limit must be an integer between 1 and 1000"),
        ({"limit": "ten"}, "limit must be an integer between 1 and 1000"),
        ({"limit": "-5"}, "limit must be an integer between 1 and 1000"),
        ({"since": "yesterday"}, "since must be an ISO-8601 time with a zone"),
        ({"since": "2026-11-01T00:00:00"}, "since must be an ISO-8601 time with a zone"),
    ],
)
def test_trades_rejects_a_bad_query(simulator, http, params, detail):
    response = http.get(simulator.hyperliquid_url + "/api/trades", params=params)

    assert (response.status_code, response.json()) == (400, {"detail": detail})


def test_analytics_agree_with_the_trades(simulator, http):
    simulator.step(150)

    body = http.get(simulator.hyperliquid_url + "/api/analytics").json()
    trades = http.get(simulator.hyperliquid_url + "/api/trades", params={"limit": 1000}).json()["trades"]

    decimals = {"win_rate", "total_pnl", "fees", "best_trade", "worst_trade"}
    assert_fields(body, decimals, set(), {"total_trades": int, "wins": int, "losses": int})
    nets = [Decimal(t["realized_pnl"]) - Decimal(t["fees"]) for t in trades]
    assert body["total_trades"] == len(trades) == body["wins"] + body["losses"]
    assert body["wins"] == sum(1 for net in nets if net > 0)
    assert Decimal(body["total_pnl"]) == sum(nets)
    assert Decimal(body["fees"]) == sum(Decimal(t["fees"]) for t in trades)
    assert (Decimal(body["best_trade"]), Decimal(body["worst_trade"])) == (max(nets), min(nets))
    assert Decimal(body["win_rate"]) == (Decimal(body["wins"]) / len(trades)).quantize(Decimal("0.0001"))


def test_equity_and_its_hourly_history(simulator, http):
    simulator.step(30)
    trader = simulator.trader("hyperliquid")

    body = http.get(simulator.hyperliquid_url + "/api/equity").json()

    assert set(body) == {"equity", "realized_pnl", "unrealized_pnl", "margin_used", "history"}
    equity, realized, unrealized = (
        assert_decimal_string(body[k]) for k in ("equity", "realized_pnl", "unrealized_pnl")
    )
    assert equity == trader.config.starting_capital + realized + unrealized
    assert_decimal_string(body["margin_used"])
    hours = [assert_iso_z(p["timestamp"]) for p in body["history"]]
    first, last = floor_hour(simulator.simulation.start), floor_hour(simulator.simulation.now)
    assert hours == [first + timedelta(hours=n) for n in range((last - first) // timedelta(hours=1) + 1)]
    assert all(set(p) == {"timestamp", "equity"} and assert_decimal_string(p["equity"]) for p in body["history"])


def test_risk_settings_list_settings_and_strategies(simulator, http):
    body = http.get(simulator.hyperliquid_url + "/api/risk/settings").json()

    assert set(body) == {"settings", "strategies"}
    for item in body["settings"]:
        assert_fields(item, SETTINGS_DECIMALS, set(), SETTINGS_OTHERS)
    for item in body["strategies"]:
        assert set(item) == {"strategy_id", "symbol", "name", "timeframe"}
    keys = [(s["strategy_id"], s["symbol"]) for s in body["settings"]]
    assert keys == [(s["strategy_id"], s["symbol"]) for s in body["strategies"]]
    assert 3 <= len({strategy for strategy, _ in keys}) <= 5
    assert {symbol for _, symbol in keys} == {"BTC", "ETH", "SOL"}


def test_unknown_paths_answer_json_detail(simulator, http):
    response = http.get(simulator.hyperliquid_url + "/api/nothing-here")

    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})


def test_an_engine_that_is_not_ready_answers_503_but_still_reports_status(simulator, http):
    simulator.faults(SERVER_HYPERLIQUID_TRADER).ready = False

    positions = http.get(simulator.hyperliquid_url + "/api/positions")
    status = http.get(simulator.hyperliquid_url + "/api/status")

    assert (positions.status_code, positions.json()) == (503, {"detail": "engine not ready"})
    assert status.json()["engine_ready"] is False


def test_the_websocket_streams_events_as_they_happen(simulator):
    trader = simulator.trader("hyperliquid")
    simulator.call(trader.update_risk, ("breakout", "SOL"), {"max_strategy_loss": Decimal("0.01")})

    messages = asyncio.run(_collect_events(simulator, steps=120))

    kinds = {m["type"] for m in messages}
    assert kinds == {"trade_closed", "position_update", "kill_switch"}
    for message in messages:
        if message["type"] == "trade_closed":
            assert set(message) == {"type", "trade"}
            assert_fields(message["trade"], TRADE_DECIMALS, {"opened_at", "closed_at"}, TRADE_OTHERS)
        elif message["type"] == "position_update":
            assert set(message) == {"type", "position"}
            assert_fields(message["position"], POSITION_DECIMALS, {"opened_at"}, POSITION_OTHERS)
        else:
            assert message == {"type": "kill_switch", "strategy_id": "breakout", "symbol": "SOL", "active": True}
    closed = [m["trade"]["trade_id"] for m in messages if m["type"] == "trade_closed"]
    assert closed == [t.trade_id for t in reversed(trader.trades(limit=1000))]


async def _collect_events(simulator, *, steps: int) -> list[dict]:
    """Step the simulator while a client listens on /ws; return what it heard."""
    messages = []
    async with aiohttp.ClientSession() as session, session.ws_connect(simulator.hyperliquid_url + "/ws") as ws:
        await asyncio.to_thread(simulator.step, steps)
        while True:
            try:
                message = await ws.receive(timeout=0.5)
            except TimeoutError:
                return messages
            messages.append(json.loads(message.data))
