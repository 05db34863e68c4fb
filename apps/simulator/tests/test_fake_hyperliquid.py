"""The fake Hyperliquid API read through the real hyperliquid-python-sdk Info client."""

from collections import defaultdict
from decimal import Decimal

import pytest
from hyperliquid.info import Info
from hyperliquid.utils.error import ClientError

from apps.simulator.constants import FAKE_HL_MASTER_ADDRESS, SERVER_FAKE_HYPERLIQUID
from apps.simulator.engine.records import to_millis

STRANGER = "0x1111111111111111111111111111111111111111"
DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type"


@pytest.fixture
def info(simulator) -> Info:
    """The SDK client; its constructor already posts spotMeta and meta to the fake."""
    return Info(base_url=simulator.fake_hyperliquid_url, skip_ws=True, timeout=2)


def net_sizes(simulator) -> dict[str, Decimal]:
    """The simulated Hyperliquid trader's positions netted per coin."""
    sizes: dict[str, Decimal] = defaultdict(Decimal)
    for position in simulator.call(simulator.trader("hyperliquid").positions):
        sizes[position.symbol] += position.size * position.direction
    return {coin: size for coin, size in sizes.items() if size != 0}


def step_until_long_and_short_share_a_coin(simulator) -> None:
    """Step until one strategy is long and another short the same coin, so netting matters."""
    trader = simulator.trader("hyperliquid")
    for _ in range(2000):
        sides = defaultdict(set)
        for position in simulator.call(trader.positions):
            sides[position.symbol].add(position.side)
        if any(len(found) == 2 for found in sides.values()):
            return
        simulator.step()
    raise AssertionError("no coin was ever held long and short at once")


def test_the_sdk_loads_meta_from_the_fake(simulator, info):
    assert {"BTC", "ETH", "SOL", "DOGE"} <= set(info.name_to_coin)
    assert info.asset_to_sz_decimals[info.coin_to_asset["BTC"]] == 5
    assert {coin: Decimal(mid) for coin, mid in info.all_mids().items()} == simulator.simulation.market.marks()


def test_user_state_holds_exactly_the_netted_trader_positions(simulator, info):
    step_until_long_and_short_share_a_coin(simulator)
    trader = simulator.trader("hyperliquid")

    state = info.user_state(FAKE_HL_MASTER_ADDRESS)

    positions = {item["position"]["coin"]: item["position"] for item in state["assetPositions"]}
    assert {coin: Decimal(p["szi"]) for coin, p in positions.items()} == net_sizes(simulator)
    for coin, position in positions.items():
        mark = trader.market.mark(coin)
        assert Decimal(position["entryPx"]) == trader.ledger.position(coin).entry_px.quantize(Decimal("0.000001"))
        assert Decimal(position["positionValue"]) == abs(Decimal(position["szi"])) * mark
        assert Decimal(position["marginUsed"]) == Decimal(position["positionValue"]) / position["leverage"]["value"]
        assert position["leverage"] == {"type": "cross", "value": 10}
        assert all(item["type"] == "oneWay" for item in state["assetPositions"])


def test_user_state_relations_hold(simulator, info):
    simulator.step(120)

    state = info.user_state(FAKE_HL_MASTER_ADDRESS)

    summary = state["marginSummary"]
    positions = [item["position"] for item in state["assetPositions"]]
    assert Decimal(summary["totalNtlPos"]) == sum(Decimal(p["positionValue"]) for p in positions)
    assert Decimal(summary["totalMarginUsed"]) == sum(Decimal(p["marginUsed"]) for p in positions)
    assert Decimal(state["withdrawable"]) == Decimal(summary["accountValue"]) - Decimal(summary["totalMarginUsed"])
    assert state["crossMarginSummary"] == summary
    assert isinstance(state["time"], int) and state["time"] == to_millis(simulator.simulation.now)


def test_account_value_is_capital_plus_closed_pnl_minus_fees_plus_unrealized(simulator, info):
    simulator.step(120)
    trader = simulator.trader("hyperliquid")

    state = info.user_state(FAKE_HL_MASTER_ADDRESS)
    fills = info.user_fills(FAKE_HL_MASTER_ADDRESS)

    closed = sum(Decimal(f["closedPnl"]) for f in fills)
    fees = sum(Decimal(f["fee"]) for f in fills)
    unrealized = sum(Decimal(item["position"]["unrealizedPnl"]) for item in state["assetPositions"])
    expected = trader.config.starting_capital + closed - fees + unrealized
    assert abs(Decimal(state["marginSummary"]["accountValue"]) - expected) <= Decimal("0.00001")


def test_open_orders_mirror_the_trader_orders(simulator, info):
    simulator.step(60)
    orders = simulator.call(simulator.trader("hyperliquid").open_orders)

    plain = info.open_orders(FAKE_HL_MASTER_ADDRESS)
    frontend = info.frontend_open_orders(FAKE_HL_MASTER_ADDRESS)

    expected = {int(o.order_id): (o.symbol, "A" if o.side == "sell" else "B", o.size, o.price) for o in orders}
    assert {o["oid"]: (o["coin"], o["side"], Decimal(o["sz"]), Decimal(o["limitPx"])) for o in plain} == expected
    assert all(isinstance(o["timestamp"], int) for o in plain)
    kinds = {o["oid"]: (o["orderType"], o["isTrigger"], o["reduceOnly"], Decimal(o["triggerPx"])) for o in frontend}
    assert kinds == {
        int(o.order_id): ("Stop Market" if o.type == "stop" else "Take Profit Market", True, True, o.price)
        for o in orders
    }


def test_user_fills_mirror_the_trader_opens_and_closes(simulator, info):
    simulator.step(120)
    trader = simulator.trader("hyperliquid")
    trades = simulator.call(trader.trades, limit=1000)
    positions = simulator.call(trader.positions)

    fills = info.user_fills(FAKE_HL_MASTER_ADDRESS)

    assert len(fills) == 2 * len(trades) + len(positions)
    times = [f["time"] for f in fills]
    assert times == sorted(times, reverse=True)
    assert all(isinstance(f[k], int) for f in fills for k in ("oid", "tid", "time"))
    running: dict[str, Decimal] = defaultdict(Decimal)
    for fill in reversed(fills):
        assert Decimal(fill["startPosition"]) == running[fill["coin"]]
        running[fill["coin"]] += Decimal(fill["sz"]) * (1 if fill["side"] == "B" else -1)
        if fill["dir"].startswith("Open"):
            assert Decimal(fill["closedPnl"]) == 0
    assert {coin: size for coin, size in running.items() if size} == net_sizes(simulator)
    volume = sum(Decimal(t.exit_price) * t.size + t.entry_price * t.size for t in trades)
    volume += sum(p.entry_price * p.size for p in positions)
    assert sum(Decimal(f["px"]) * Decimal(f["sz"]) for f in fills) == volume


def test_user_fills_by_time_filters_oldest_first(simulator, info):
    simulator.step(120)
    fills = info.user_fills(FAKE_HL_MASTER_ADDRESS)
    pivot = fills[len(fills) // 2]["time"]

    later = info.user_fills_by_time(FAKE_HL_MASTER_ADDRESS, pivot)
    window = info.user_fills_by_time(FAKE_HL_MASTER_ADDRESS, 0, pivot)

    assert later == list(reversed([f for f in fills if f["time"] >= pivot]))
    assert window == list(reversed([f for f in fills if f["time"] <= pivot]))


def test_portfolio_has_every_window(simulator, info):
    simulator.step(40)

    answer = info.portfolio(FAKE_HL_MASTER_ADDRESS)

    names = [name for name, _ in answer]
    assert names == ["day", "week", "month", "allTime", "perpDay", "perpWeek", "perpMonth", "perpAllTime"]
    for _, window in answer:
        assert set(window) == {"accountValueHistory", "pnlHistory", "vlm"}
        assert all(isinstance(t, int) and isinstance(v, str) for t, v in window["accountValueHistory"])
        assert window["pnlHistory"][0][1] == "0.0"


def test_an_unknown_address_gets_an_all_zero_state(simulator, info):
    simulator.step(40)

    state = info.user_state(STRANGER)

    assert state["assetPositions"] == []
    assert set(state["marginSummary"].values()) == {"0.0"} and state["withdrawable"] == "0.0"
    assert info.open_orders(STRANGER) == [] and info.frontend_open_orders(STRANGER) == []
    assert info.user_fills(STRANGER) == [] and info.user_fills_by_time(STRANGER, 0) == []
    assert info.spot_user_state(STRANGER) == {"balances": []}


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"type": "noSuchThing"}',
        '{"type": "clearinghouseState", "user": "alice"}',
        '{"type": "userFillsByTime", "user": "0x000000000000000000000000000000000000dEaD"}',
        '{"type": "userFillsByTime", "user": "0x000000000000000000000000000000000000dEaD", "startTime": "0"}',
    ],
)
def test_a_malformed_body_is_422_text(simulator, http, body):
    response = http.post(simulator.fake_hyperliquid_url + "/info", content=body)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == DESERIALIZE_ERROR


def test_the_sdk_raises_client_error_on_422(simulator, info):
    with pytest.raises(ClientError) as raised:
        info.user_state("not-an-address")

    assert raised.value.status_code == 422


def test_a_rate_limited_fake_answers_429_null(simulator, http):
    simulator.faults(SERVER_FAKE_HYPERLIQUID).ready = False

    response = http.post(simulator.fake_hyperliquid_url + "/info", json={"type": "allMids"})

    assert (response.status_code, response.text) == (429, "null")


def test_drift_makes_the_account_differ_from_the_trader_until_reset(simulator, info, http):
    step_until_long_and_short_share_a_coin(simulator)
    before = net_sizes(simulator)
    control = simulator.fake_hyperliquid_url + "/control"

    added = http.post(control + "/drift", json={"coin": "BTC", "size_delta": "0.1"})
    http.post(control + "/drift", json={"coin": "DOGE", "size_delta": "-250"})
    drifted = _sizes(info.user_state(FAKE_HL_MASTER_ADDRESS))
    reset = http.post(control + "/reset-drift")
    restored = _sizes(info.user_state(FAKE_HL_MASTER_ADDRESS))

    assert added.json() == {"drift": {"BTC": "0.1"}}
    expected = dict(before)
    expected["BTC"] = before.get("BTC", Decimal(0)) + Decimal("0.1")
    expected["DOGE"] = Decimal("-250")
    assert drifted == {coin: size for coin, size in expected.items() if size != 0}
    assert reset.json() == {"drift": {}}
    assert restored == before == net_sizes(simulator)


@pytest.mark.parametrize(
    "body, detail",
    [
        ({"coin": "XRP", "size_delta": "1"}, "coin must be one of BTC, ETH, SOL, DOGE"),
        ({"coin": "BTC", "size_delta": "a lot"}, "size_delta must be a decimal number"),
    ],
)
def test_drift_rejects_bad_input(simulator, http, body, detail):
    response = http.post(simulator.fake_hyperliquid_url + "/control/drift", json=body)

    assert (response.status_code, response.json()) == (400, {"detail": detail})


def _sizes(state: dict) -> dict[str, Decimal]:
    return {item["position"]["coin"]: Decimal(item["position"]["szi"]) for item in state["assetPositions"]}
