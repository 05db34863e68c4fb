"""Risk settings over HTTP: validation as the contract words it, and settings that govern trading."""

from decimal import ROUND_DOWN, Decimal

import pytest

from apps.simulator.engine import LEVERAGE

DEFAULT_BTC = {
    "strategy_id": "ema_cross",
    "symbol": "BTC",
    "enabled": True,
    "risk_per_trade": "2",
    "stop_loss_dollars": "100",
    "max_strategy_loss": "1500",
    "kill_switch_active": False,
    "total_pnl": "0",
}


def settings_of(http, simulator, strategy_id: str, symbol: str) -> dict:
    items = http.get(simulator.hyperliquid_url + "/api/risk/settings").json()["settings"]
    return next(i for i in items if (i["strategy_id"], i["symbol"]) == (strategy_id, symbol))


def put_bulk(http, simulator, items):
    return http.put(simulator.hyperliquid_url + "/api/risk/settings/bulk", json=items)


def strategy_url(simulator, strategy_id: str, symbol: str, action: str) -> str:
    return f"{simulator.hyperliquid_url}/api/strategies/{strategy_id}/{symbol}/{action}"


def test_bulk_update_applies_decimal_strings_and_json_numbers(simulator, http):
    items = [
        {"strategy_id": "ema_cross", "symbol": "BTC", "risk_per_trade": "1.0", "stop_loss_dollars": "150"},
        {"strategy_id": "ema_cross", "symbol": "ETH", "max_strategy_loss": 800.5},
    ]

    response = put_bulk(http, simulator, items)

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"strategy_id": "ema_cross", "symbol": "BTC", "success": True},
            {"strategy_id": "ema_cross", "symbol": "ETH", "success": True},
        ]
    }
    assert settings_of(http, simulator, "ema_cross", "BTC") == {
        **DEFAULT_BTC,
        "risk_per_trade": "1.0",
        "stop_loss_dollars": "150",
    }
    assert settings_of(http, simulator, "ema_cross", "ETH")["max_strategy_loss"] == "800.5"


@pytest.mark.parametrize(
    "change, error",
    [
        ({"risk_per_trade": "0"}, "risk_per_trade must be in (0, 100]"),
        ({"risk_per_trade": "150"}, "risk_per_trade must be in (0, 100]"),
        ({"risk_per_trade": 100.01}, "risk_per_trade must be in (0, 100]"),
        ({"stop_loss_dollars": "-1"}, "stop_loss_dollars must be > 0"),
        ({"max_strategy_loss": "0"}, "max_strategy_loss must be > 0"),
        ({"max_strategy_loss": "lots"}, "max_strategy_loss must be a decimal number"),
        ({"stop_loss_dollars": None}, "stop_loss_dollars must be a decimal number"),
        ({"risk_per_trade": "1", "stop_loss_dollars": "0"}, "stop_loss_dollars must be > 0"),
        ({"enabled": False}, "unknown field: enabled"),
    ],
)
def test_bulk_rejects_a_bad_item_and_changes_nothing_of_it(simulator, http, change, error):
    good = {"strategy_id": "ema_cross", "symbol": "ETH", "risk_per_trade": "3"}
    bad = {"strategy_id": "ema_cross", "symbol": "BTC", **change}

    response = put_bulk(http, simulator, [bad, good])

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"strategy_id": "ema_cross", "symbol": "BTC", "success": False, "error": error},
        {"strategy_id": "ema_cross", "symbol": "ETH", "success": True},
    ]
    assert settings_of(http, simulator, "ema_cross", "BTC") == DEFAULT_BTC
    assert settings_of(http, simulator, "ema_cross", "ETH")["risk_per_trade"] == "3"


def test_bulk_reports_unknown_strategies_and_keyless_items(simulator, http):
    items = [{"strategy_id": "nope", "symbol": "BTC", "risk_per_trade": "1"}, {"risk_per_trade": "1"}, "junk"]

    response = put_bulk(http, simulator, items)

    assert response.json()["results"] == [
        {"strategy_id": "nope", "symbol": "BTC", "success": False, "error": "unknown strategy/symbol: nope/BTC"},
        {
            "strategy_id": None,
            "symbol": None,
            "success": False,
            "error": "strategy_id and symbol are required strings",
        },
        {"strategy_id": None, "symbol": None, "success": False, "error": "each item must be a JSON object"},
    ]


@pytest.mark.parametrize(
    "body, detail",
    [
        ("{not json", "malformed JSON body"),
        ('{"strategy_id": "ema_cross"}', "body must be a JSON array of settings items"),
        ('[{"strategy_id": "ema_cross", "symbol": "BTC", "risk_per_trade": NaN}]', "malformed JSON body"),
    ],
)
def test_bulk_rejects_a_malformed_body(simulator, http, body, detail):
    response = http.put(simulator.hyperliquid_url + "/api/risk/settings/bulk", content=body)

    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert settings_of(http, simulator, "ema_cross", "BTC") == DEFAULT_BTC


def test_single_strategy_settings_update(simulator, http):
    response = http.put(strategy_url(simulator, "ema_cross", "BTC", "settings"), json={"max_strategy_loss": "800"})

    assert response.status_code == 200
    assert response.json() == {"success": True, "settings": {**DEFAULT_BTC, "max_strategy_loss": "800"}}


@pytest.mark.parametrize(
    "body, status, detail",
    [
        ({"risk_per_trade": "150"}, 400, "risk_per_trade must be in (0, 100]"),
        ({"stop_loss_dollars": "-1"}, 400, "stop_loss_dollars must be > 0"),
        (
            {"strategy_id": "momentum", "risk_per_trade": "1"},
            400,
            "strategy_id and symbol in the body must match the path",
        ),
        ("{oops", 400, "malformed JSON body"),
    ],
)
def test_single_strategy_settings_rejects_bad_input(simulator, http, body, status, detail):
    url = strategy_url(simulator, "ema_cross", "BTC", "settings")
    response = http.put(url, content=body) if isinstance(body, str) else http.put(url, json=body)

    assert (response.status_code, response.json()) == (status, {"detail": detail})
    assert settings_of(http, simulator, "ema_cross", "BTC") == DEFAULT_BTC


@pytest.mark.parametrize("action", ["settings", "enable", "disable", "reset-kill-switch"])
def test_unknown_strategy_is_404(simulator, http, action):
    url = strategy_url(simulator, "ema_cross", "XRP", action)
    response = http.put(url, json={"risk_per_trade": "1"}) if action == "settings" else http.post(url)

    assert (response.status_code, response.json()) == (404, {"detail": "unknown strategy/symbol: ema_cross/XRP"})


def test_disable_and_enable_reply_with_the_settings(simulator, http):
    disabled = http.post(strategy_url(simulator, "ema_cross", "BTC", "disable"))
    enabled = http.post(strategy_url(simulator, "ema_cross", "BTC", "enable"))

    assert disabled.json() == {"success": True, "settings": {**DEFAULT_BTC, "enabled": False}}
    assert enabled.json() == {"success": True, "settings": DEFAULT_BTC}


def test_a_disabled_strategy_opens_nothing_while_the_others_trade(simulator, http):
    http.post(strategy_url(simulator, "breakout", "SOL", "disable"))

    simulator.step(300)

    trades = http.get(simulator.hyperliquid_url + "/api/trades", params={"limit": 1000}).json()["trades"]
    positions = http.get(simulator.hyperliquid_url + "/api/positions").json()["positions"]
    traded = {(t["strategy_id"], t["symbol"]) for t in trades} | {(p["strategy_id"], p["symbol"]) for p in positions}
    assert ("breakout", "SOL") not in traded
    assert traded == {("ema_cross", "BTC"), ("momentum", "BTC"), ("ema_cross", "ETH"), ("rsi_revert", "ETH")}


def test_the_kill_switch_trips_and_reset_lets_the_strategy_trade_again(simulator, http):
    http.put(strategy_url(simulator, "breakout", "SOL", "settings"), json={"max_strategy_loss": "0.01"})
    _step_until(simulator, lambda: settings_of(http, simulator, "breakout", "SOL")["kill_switch_active"])
    trades_when_tripped = _sol_trades(http, simulator)

    simulator.step(150)

    assert _sol_trades(http, simulator) == trades_when_tripped
    assert not [p for p in _positions(http, simulator) if p["symbol"] == "SOL"]

    reset = http.post(strategy_url(simulator, "breakout", "SOL", "reset-kill-switch")).json()
    _step_until(simulator, lambda: any(p["symbol"] == "SOL" for p in _positions(http, simulator)))

    assert reset["success"] is True and reset["settings"]["kill_switch_active"] is False


def test_risk_per_trade_changes_the_size_of_new_trades(simulator, http):
    put_bulk(http, simulator, _all_slots(http, simulator, risk_per_trade="0.5", stop_loss_dollars="1000000"))

    _step_until(simulator, lambda: bool(_positions(http, simulator)))

    capital = simulator.trader("hyperliquid").config.starting_capital  # nothing has closed: equity is capital
    for position in _positions(http, simulator):
        step = simulator.simulation.market.specs[position["symbol"]].size_step
        expected = capital * Decimal("0.5") / 100 * LEVERAGE / Decimal(position["entry_price"])
        assert Decimal(position["size"]) == expected.quantize(step, rounding=ROUND_DOWN)


@pytest.mark.parametrize("stop_loss_dollars", ["40", "80"])
def test_stop_loss_dollars_changes_the_size_of_new_trades(simulator, http, stop_loss_dollars):
    put_bulk(http, simulator, _all_slots(http, simulator, risk_per_trade="100", stop_loss_dollars=stop_loss_dollars))

    simulator.step(100)

    positions = _positions(http, simulator)
    assert positions
    for position in positions:
        step = simulator.simulation.market.specs[position["symbol"]].size_step
        distance = abs(Decimal(position["entry_price"]) - Decimal(position["stop_loss"]))
        expected = Decimal(stop_loss_dollars) / distance
        assert Decimal(position["size"]) == expected.quantize(step, rounding=ROUND_DOWN)


def _all_slots(http, simulator, **values: str) -> list[dict]:
    strategies = http.get(simulator.hyperliquid_url + "/api/risk/settings").json()["strategies"]
    return [{"strategy_id": s["strategy_id"], "symbol": s["symbol"], **values} for s in strategies]


def _positions(http, simulator) -> list[dict]:
    return http.get(simulator.hyperliquid_url + "/api/positions").json()["positions"]


def _sol_trades(http, simulator) -> list[dict]:
    trades = http.get(simulator.hyperliquid_url + "/api/trades", params={"limit": 1000}).json()["trades"]
    return [t for t in trades if t["symbol"] == "SOL"]


def _step_until(simulator, condition, limit: int = 1000) -> None:
    for _ in range(limit):
        if condition():
            return
        simulator.step()
    raise AssertionError("condition never held")
