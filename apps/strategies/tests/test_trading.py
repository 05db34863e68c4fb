"""What the simulated trader does with our settings: it sizes trades with them, stops when disabled or tripped."""

from decimal import ROUND_DOWN

import httpx
import pytest

from apps.simulator.engine import LEVERAGE
from apps.strategies.models import RiskSetting
from apps.strategies.services import risk_settings_sync
from apps.strategies.tests.conftest import D, at_trader, risk_row, step_until

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def positions(simulator, strategy_id: str = "ema_cross", symbol: str = "BTC") -> list[dict]:
    items = httpx.get(simulator.hyperliquid_url + "/api/positions", timeout=2.0).json()["positions"]
    return [p for p in items if (p["strategy_id"], p["symbol"]) == (strategy_id, symbol)]


def trades(simulator, symbol: str) -> list[dict]:
    items = httpx.get(simulator.hyperliquid_url + "/api/trades", params={"limit": 1000}, timeout=2.0).json()["trades"]
    return [t for t in items if t["symbol"] == symbol]


def change_risk(channel: str, client, row: RiskSetting, **values: str) -> None:
    """Change a row's values through one of the three channels, as an admin would."""
    if channel == "page":
        data = {"risk_per_trade": str(row.risk_per_trade), "stop_loss_dollars": str(row.stop_loss_dollars),
                "max_drawdown_dollars": str(row.max_drawdown_dollars), f"version-{row.pk}": row.version,
                **values}  # fmt: skip
        response = client.post(f"/office/risk/{row.pk}/save/", data, **HTMX)
    elif channel == "api":
        response = client.put(f"/api/risk/hl-trader/{row.strategy.strategy_id}/{row.strategy.symbol}",
                              data={**values, "version": row.version}, content_type="application/json")  # fmt: skip
    else:
        data = {"version": row.version, "enabled": "on", "risk_per_trade": row.risk_per_trade,
                "stop_loss_dollars": row.stop_loss_dollars, "max_drawdown_dollars": row.max_drawdown_dollars,
                "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0", **values}  # fmt: skip
        response = client.post(f"/admin/strategies/risksetting/{row.pk}/change/", data)
    assert response.status_code in (200, 302), response.content


@pytest.mark.parametrize("channel", ["page", "api", "admin"])
def test_a_new_risk_per_trade_reaches_the_trader_and_sizes_its_next_trade(
    synced, simulator, verified_admin_client, channel
):
    # given only ema_cross BTC may trade, so equity is the starting capital when it enters
    others = [
        r for r in RiskSetting.objects.all() if r.strategy.strategy_id != "ema_cross" or r.strategy.symbol != "BTC"
    ]
    versions = {f"version-{r.pk}": r.version for r in others}
    bulk = {"selected": [r.pk for r in others], "enabled": "off", **versions}
    verified_admin_client.post("/office/risk/bulk/", bulk, **HTMX)

    # when risk per trade goes to 0.5 % (with a stop so wide that the margin cap decides the size)
    change_risk(channel, verified_admin_client, risk_row(), risk_per_trade="0.5", stop_loss_dollars="1000000")

    # then the trader reports it and its next trade uses 0.5 % of equity as margin
    assert at_trader(simulator)["risk_per_trade"] == D("0.5")
    step_until(simulator, lambda: bool(positions(simulator)))
    position = positions(simulator)[0]
    capital = simulator.trader("hyperliquid").config.starting_capital
    step = simulator.simulation.market.specs["BTC"].size_step
    expected = (capital * D("0.5") / 100 * LEVERAGE / D(position["entry_price"])).quantize(step, rounding=ROUND_DOWN)
    assert D(position["size"]) == expected


def test_a_disabled_strategy_opens_nothing_and_enabling_resumes_it(synced, simulator, verified_admin_client):
    row = risk_row("breakout", "SOL")
    verified_admin_client.post(f"/office/risk/{row.pk}/toggle/", {f"version-{row.pk}": "1"}, **HTMX)
    step_until(simulator, lambda: not positions(simulator, "breakout", "SOL"))  # an open one keeps its stop
    traded = len(trades(simulator, "SOL"))

    simulator.step(200)

    assert len(trades(simulator, "SOL")) == traded and not positions(simulator, "breakout", "SOL")
    verified_admin_client.post(f"/office/risk/{row.pk}/toggle/", {f"version-{row.pk}": "2", "enabled": "on"}, **HTMX)
    step_until(simulator, lambda: bool(positions(simulator, "breakout", "SOL")))


def test_past_max_drawdown_the_kill_switch_trips_shows_on_the_page_and_reset_clears_it_at_the_trader(
    synced, simulator, verified_admin_client
):
    row = risk_row("breakout", "SOL")
    change_risk("api", verified_admin_client, row, max_drawdown_dollars="0.01")
    step_until(simulator, lambda: at_trader(simulator, "breakout", "SOL")["kill_switch_active"])
    traded = len(trades(simulator, "SOL"))
    simulator.step(100)
    assert len(trades(simulator, "SOL")) == traded  # tripped: it opens nothing

    risk_settings_sync(source=synced)  # the next read of the trader
    row_html = verified_admin_client.get(f"/office/risk/{row.pk}/row/").content.decode()
    assert ">Tripped<" in row_html and "Reset" in row_html

    verified_admin_client.post(f"/office/risk/{row.pk}/reset-kill-switch/", HTTP_HX_PROMPT="one-off loss", **HTMX)

    assert at_trader(simulator, "breakout", "SOL")["kill_switch_active"] is False
    assert ">OK<" in verified_admin_client.get(f"/office/risk/{row.pk}/row/").content.decode()
