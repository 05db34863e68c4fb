"""The risk REST API: list, change, enable/disable, reset, bulk, history; codes, field errors, roles."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import AuditEvent
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.tests.conftest import D, at_trader, risk_row, trader_down
from apps.strategies.tests.factories import RiskSettingFactory

pytestmark = pytest.mark.django_db

ONE = "/api/risk/hl-trader/ema_cross/BTC"
ENDPOINTS = [("get", "/api/risk/strategies"), ("get", ONE), ("put", ONE), ("post", f"{ONE}/enable"),
             ("post", f"{ONE}/disable"), ("post", f"{ONE}/reset-kill-switch"), ("post", f"{ONE}/take-trader"),
             ("post", f"{ONE}/push-ours"), ("get", f"{ONE}/history"), ("post", "/api/risk/bulk-update")]  # fmt: skip


def send(client, method: str, path: str, body=None):
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_clients_senders_anonymous_and_unverified_admins_are_refused(
    method, path, investor_client, sender_client, unverified_admin_client, client
):
    row = RiskSettingFactory(strategy__source__name="hl-trader", strategy__strategy_id="ema_cross",
                             strategy__symbol="BTC")  # fmt: skip

    for outsider in (investor_client, sender_client, unverified_admin_client, client):
        response = send(
            outsider, method, path, [{"risk_per_trade": "1"}] if "bulk" in path else {"risk_per_trade": "1"}
        )
        assert response.status_code == 403
        assert "ema_cross" not in response.content.decode()
    row.refresh_from_db()
    assert (row.version, row.risk_per_trade, row.sync_state) == (1, D("2"), SyncState.IN_SYNC)
    assert not AuditEvent.objects.filter(action__startswith="risk.").exists()


def test_a_client_token_opens_nothing(synced, investor):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=investor).key}")

    assert api.get("/api/risk/strategies").status_code == 403
    assert api.put(ONE, {"risk_per_trade": "1"}, format="json").status_code == 403


def test_list_shows_ours_and_the_traders_values_in_a_fixed_number_of_queries(
    synced, verified_admin_client, django_assert_num_queries
):
    RiskSettingFactory.create_batch(20)  # more rows, same queries
    with django_assert_num_queries(4):  # session, user, OTP device, then every row with its strategy and source
        response = verified_admin_client.get("/api/risk/strategies")

    rows = response.json()
    assert response.status_code == 200 and len(rows) == 25
    btc = next(r for r in rows if (r["strategy_id"], r["symbol"]) == ("ema_cross", "BTC"))
    assert {k: btc[k] for k in ("source", "enabled", "risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars",
                                 "kill_switch_active", "total_pnl", "sync_state", "version")} == {
        "source": "hl-trader", "enabled": True, "risk_per_trade": "2", "stop_loss_dollars": "100",
        "max_drawdown_dollars": "1500", "kill_switch_active": False, "total_pnl": "0", "sync_state": "in_sync",
        "version": 1}  # fmt: skip
    assert btc["trader"]["risk_per_trade"] == "2" and btc["trader"]["enabled"] is True


def test_list_filters_by_source_symbol_and_sync_state(synced, verified_admin_client):
    RiskSettingFactory(strategy__source__name="other", strategy__symbol="BTC", sync_state=SyncState.DRIFT)

    by_symbol = verified_admin_client.get("/api/risk/strategies", {"symbol": "BTC"}).json()
    by_source = verified_admin_client.get("/api/risk/strategies", {"source": "other"}).json()
    drifting = verified_admin_client.get("/api/risk/strategies", {"sync_state": "drift"}).json()

    assert sorted((r["source"], r["strategy_id"]) for r in by_symbol)[:2] == [("hl-trader", "ema_cross"),
                                                                               ("hl-trader", "momentum")]  # fmt: skip
    assert len(by_symbol) == 3 and [r["source"] for r in by_source] == ["other"]
    assert [r["source"] for r in drifting] == ["other"]


def test_put_pushes_and_answers_with_the_traders_confirmation(synced, simulator, verified_admin_client, fund_admin):
    response = send(verified_admin_client, "put", ONE, {"risk_per_trade": "1.5", "version": 1})

    body = response.json()
    assert response.status_code == 200
    assert (body["result"], body["setting"]["risk_per_trade"], body["setting"]["version"]) == ("in_sync", "1.5", 2)
    assert body["message"].startswith("Confirmed by the trader")
    assert at_trader(simulator)["risk_per_trade"] == D("1.5")
    assert AuditEvent.objects.get(action=RiskAction.UPDATE).after["channel"] == "api"


def test_json_numbers_are_read_as_exact_decimals(synced, simulator, verified_admin_client):
    response = verified_admin_client.put(ONE, data='{"stop_loss_dollars": 100.1}', content_type="application/json")

    assert response.status_code == 200
    assert at_trader(simulator)["stop_loss_dollars"] == D("100.1")


def test_invalid_values_are_400_with_field_messages_and_nothing_is_pushed(synced, simulator, verified_admin_client):
    response = send(verified_admin_client, "put", ONE, {"risk_per_trade": "0", "max_drawdown_dollars": "-5"})

    assert response.status_code == 400
    assert response.json() == {
        "risk_per_trade": ["Risk per trade must be more than 0 and at most 100 (% of margin)."],
        "max_drawdown_dollars": ["Max drawdown must be more than $0."],
    }
    assert at_trader(simulator)["risk_per_trade"] == D("2") and risk_row().version == 1
    assert not AuditEvent.objects.filter(action__startswith="risk.").exists()


def test_a_stale_version_is_409_and_changes_nothing(synced, simulator, verified_admin_client):
    send(verified_admin_client, "put", ONE, {"risk_per_trade": "1.5", "version": 1})

    response = send(verified_admin_client, "put", ONE, {"risk_per_trade": "3", "version": 1})

    assert response.status_code == 409 and response.json()["version"] == 2
    assert at_trader(simulator)["risk_per_trade"] == D("1.5")


def test_trader_down_is_202_pending(synced, simulator, verified_admin_client):
    trader_down(simulator)

    response = send(verified_admin_client, "put", ONE, {"stop_loss_dollars": "90"})

    assert response.status_code == 202
    assert response.json()["setting"]["sync_state"] == "pending" and response.json()["result"] == "pending"


def test_unknown_strategy_is_404(synced, verified_admin_client):
    assert (
        send(verified_admin_client, "put", "/api/risk/hl-trader/ema_cross/XRP", {"risk_per_trade": "1"}).status_code
        == 404
    )


def test_disable_then_enable_at_the_trader(synced, simulator, verified_admin_client):
    assert send(verified_admin_client, "post", f"{ONE}/disable").json()["setting"]["enabled"] is False
    assert at_trader(simulator)["enabled"] is False

    assert send(verified_admin_client, "post", f"{ONE}/enable").json()["setting"]["enabled"] is True
    assert at_trader(simulator)["enabled"] is True
    risk_events = AuditEvent.objects.filter(action__startswith="risk.").order_by("id")
    assert list(risk_events.values_list("action", flat=True)) == [RiskAction.DISABLE,
                                                                                        RiskAction.ENABLE]  # fmt: skip


def test_reset_needs_a_reason_and_says_so_when_the_trader_is_down(synced, simulator, verified_admin_client):
    assert send(verified_admin_client, "post", f"{ONE}/reset-kill-switch", {}).json() == {
        "reason": ["Say why the kill switch is reset; the reason is recorded."]}  # fmt: skip

    trader_down(simulator)
    response = send(verified_admin_client, "post", f"{ONE}/reset-kill-switch", {"reason": "checked"})

    assert response.status_code == 503 and "NOT reset" in response.json()["detail"]


def test_bulk_update_applies_good_items_and_reports_bad_ones_with_their_field_errors(
    synced, simulator, verified_admin_client
):
    items = [
        {"source": "hl-trader", "strategy_id": "ema_cross", "symbol": "BTC", "risk_per_trade": "1"},
        {"source": "hl-trader", "strategy_id": "ema_cross", "symbol": "ETH", "stop_loss_dollars": "0"},
        {"source": "hl-trader", "strategy_id": "nope", "symbol": "ETH", "stop_loss_dollars": "5"},
        {"source": "hl-trader", "strategy_id": "momentum", "symbol": "BTC", "enabled": False, "version": 1},
        "junk",
    ]

    response = send(verified_admin_client, "post", "/api/risk/bulk-update", items)

    results = response.json()["results"]
    assert response.status_code == 200
    assert [(r.get("strategy_id"), r["success"], r["sync_state"]) for r in results] == [
        ("ema_cross", True, "in_sync"), ("ema_cross", False, None), ("nope", False, None),
        ("momentum", True, "in_sync"), (None, False, None)]  # fmt: skip
    assert results[1]["errors"] == {"stop_loss_dollars": ["Stop loss must be more than $0."]}
    assert results[2]["errors"] == {"__all__": ["No such strategy on that source."]}
    assert results[0]["version"] == 2
    assert at_trader(simulator)["risk_per_trade"] == D("1")
    assert at_trader(simulator, "ema_cross", "ETH")["stop_loss_dollars"] == D("100")
    assert at_trader(simulator, "momentum", "BTC")["enabled"] is False


@pytest.mark.parametrize("body", ["{oops", "[]", '{"items": "x"}'])
def test_a_malformed_bulk_body_is_400(synced, verified_admin_client, body):
    response = verified_admin_client.post("/api/risk/bulk-update", data=body, content_type="application/json")
    assert response.status_code == 400


def test_history_lists_confirmed_versions_newest_first(synced, verified_admin_client):
    send(verified_admin_client, "put", ONE, {"risk_per_trade": "1.5"})

    versions = verified_admin_client.get(f"{ONE}/history").json()

    assert [(v["version"], v["risk_per_trade"], v["channel"]) for v in versions] == [(2, "1.5", "api"),
                                                                                     (1, "2", "system")]  # fmt: skip
