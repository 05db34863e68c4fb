"""Risk settings in Django admin: list edits, the change form and the actions all push through the service."""

import pytest
from django.contrib.messages import get_messages

from apps.accounts.models import AuditEvent
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.models import RiskSetting
from apps.strategies.services import risk_settings_sync
from apps.strategies.tests.conftest import D, at_trader, risk_row, step_until, trader_down

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/strategies/risksetting/"


def change_data(row: RiskSetting, **changes) -> dict:
    data = {"version": row.version, "enabled": "on" if row.enabled else "", "risk_per_trade": "2",
            "stop_loss_dollars": "100", "max_drawdown_dollars": "1500",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def changelist_data(rows: list[RiskSetting], edits: dict[int, dict]) -> dict:
    data = {"form-TOTAL_FORMS": len(rows), "form-INITIAL_FORMS": len(rows), "_save": "Save"}
    for index, row in enumerate(rows):
        fields = {"id": row.pk, "version": row.version, "enabled": "on", "risk_per_trade": "2",
                  "stop_loss_dollars": "100", "max_drawdown_dollars": "1500", **edits.get(row.pk, {})}  # fmt: skip
        data.update({f"form-{index}-{name}": value for name, value in fields.items() if value != ""})
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_list_shows_editable_values_and_sync_state(synced, verified_admin_client):
    response = verified_admin_client.get(CHANGELIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert "ema_cross BTC</span><br><small>hl-trader</small>" in page and "In sync" in page
    assert 'name="form-0-risk_per_trade" value="2"' in page  # plain decimals, not 2.0000000000


def test_editing_in_the_list_pushes_to_the_trader_and_shows_its_answer(synced, simulator, verified_admin_client):
    rows = list(RiskSetting.objects.order_by("strategy__source__name", "strategy__strategy_id", "strategy__symbol"))
    btc = risk_row()

    response = verified_admin_client.post(CHANGELIST, changelist_data(rows, {btc.pk: {"risk_per_trade": "1.75"}}),
                                          follow=True)  # fmt: skip

    assert response.status_code == 200
    assert at_trader(simulator)["risk_per_trade"] == D("1.75")
    assert any("Confirmed by the trader: risk 1.75%" in message for message in messages_of(response))
    assert AuditEvent.objects.get(action=RiskAction.UPDATE).after["channel"] == "admin"
    assert AuditEvent.objects.filter(action__startswith="risk.").count() == 1  # the untouched rows are not pushed


def test_the_change_form_pushes_and_says_what_the_trader_answered(synced, simulator, verified_admin_client):
    row = risk_row()

    data = change_data(row, stop_loss_dollars="75", enabled="")
    response = verified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", data, follow=True)

    assert response.status_code == 200
    assert (at_trader(simulator)["stop_loss_dollars"], at_trader(simulator)["enabled"]) == (D("75"), False)
    assert any("Confirmed by the trader: risk 2%, stop $75" in message for message in messages_of(response))


def test_the_change_form_refuses_invalid_values_per_field(synced, simulator, verified_admin_client):
    row = risk_row()

    response = verified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", change_data(row, risk_per_trade="0"))

    assert response.status_code == 200
    assert "Risk per trade must be more than 0 and at most 100 (% of margin)." in response.content.decode()
    assert at_trader(simulator)["risk_per_trade"] == D("2") and risk_row().version == 1


def test_a_stale_change_form_is_refused_with_a_message(synced, simulator, verified_admin_client):
    row = risk_row()
    verified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", change_data(row, risk_per_trade="1"))

    response = verified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", change_data(row, risk_per_trade="5"))

    assert response.status_code == 200 and "changed since you loaded them" in response.content.decode()
    assert at_trader(simulator)["risk_per_trade"] == D("1")


def test_a_change_while_the_trader_is_down_is_pending_and_says_so(synced, simulator, verified_admin_client):
    trader_down(simulator)
    row = risk_row()

    response = verified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", change_data(row, risk_per_trade="1"),
                                          follow=True)  # fmt: skip

    assert risk_row().sync_state == SyncState.PENDING
    assert any("pending" in message and "engine not ready" in message for message in messages_of(response))


def test_enable_and_disable_actions(synced, simulator, verified_admin_client):
    ids = [risk_row("ema_cross", "BTC").pk, risk_row("momentum", "BTC").pk]

    verified_admin_client.post(CHANGELIST, {"action": "disable_selected", "_selected_action": ids})

    assert at_trader(simulator)["enabled"] is False and at_trader(simulator, "momentum", "BTC")["enabled"] is False
    verified_admin_client.post(CHANGELIST, {"action": "enable_selected", "_selected_action": ids})
    assert at_trader(simulator)["enabled"] is True


def test_set_values_action_asks_for_the_values_then_pushes_them(synced, simulator, verified_admin_client):
    ids = [risk_row("ema_cross", "BTC").pk, risk_row("ema_cross", "ETH").pk]

    form = verified_admin_client.post(CHANGELIST, {"action": "set_values", "_selected_action": ids})
    assert form.status_code == 200 and "Set values on selected strategies" in form.content.decode()

    bad = verified_admin_client.post(CHANGELIST, {"action": "set_values", "_selected_action": ids, "apply": "1",
                                                  "stop_loss_dollars": "-3"})  # fmt: skip
    assert "Stop loss must be more than $0." in bad.content.decode()

    done = verified_admin_client.post(CHANGELIST, {"action": "set_values", "_selected_action": ids, "apply": "1",
                                                   "stop_loss_dollars": "65"}, follow=True)  # fmt: skip
    assert at_trader(simulator)["stop_loss_dollars"] == D("65")
    assert at_trader(simulator, "ema_cross", "ETH")["stop_loss_dollars"] == D("65")
    assert sum("Confirmed by the trader" in message for message in messages_of(done)) == 2


def test_reset_kill_switch_action_asks_for_a_reason(synced, simulator, verified_admin_client):
    row = risk_row("breakout", "SOL")
    verified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", change_data(row, max_drawdown_dollars="0.01"))
    step_until(simulator, lambda: at_trader(simulator, "breakout", "SOL")["kill_switch_active"])
    risk_settings_sync(source=synced)

    asked = verified_admin_client.post(CHANGELIST, {"action": "reset_kill_switch", "_selected_action": [row.pk],
                                                    "apply": "1"})  # fmt: skip
    assert "Say why the kill switch is reset" in asked.content.decode()

    done = verified_admin_client.post(CHANGELIST, {"action": "reset_kill_switch", "_selected_action": [row.pk],
                                                   "apply": "1", "reason": "reviewed"}, follow=True)  # fmt: skip
    assert at_trader(simulator, "breakout", "SOL")["kill_switch_active"] is False
    assert any("Kill switch reset by the trader." in message for message in messages_of(done))


def test_unverified_admins_are_sent_to_verify(synced, unverified_admin_client, investor_client):
    assert unverified_admin_client.get(CHANGELIST).status_code == 302
    assert investor_client.get(CHANGELIST).status_code == 302
    row = risk_row()
    unverified_admin_client.post(f"{CHANGELIST}{row.pk}/change/", change_data(row, risk_per_trade="1"))
    assert risk_row().version == 1
