"""The Risk page: the table, htmx row actions, bulk apply, filters, history and restore; who is let in."""

import pytest

from apps.accounts.models import AuditEvent
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.services import risk_settings_sync
from apps.strategies.tests.conftest import D, at_trader, risk_row, set_at_trader, step_until, trader_down
from apps.strategies.tests.factories import RiskSettingFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def row_values(row, **changes) -> dict:
    values = {"risk_per_trade": "2", "stop_loss_dollars": "100", "max_drawdown_dollars": "1500",
              f"version-{row.pk}": str(row.version)}  # fmt: skip
    return {**values, **changes}


def test_the_page_lists_every_strategy_with_its_values_and_sync_state(synced, verified_admin_client):
    response = verified_admin_client.get("/office/risk/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="risk-row') == 5
    assert 'name="risk_per_trade" value="2"' in page and 'name="max_drawdown_dollars" value="1500"' in page
    assert "EMA cross 4h" in page and ">In sync<" in page and "5 in sync" in page
    assert 'href="/office/risk/"' in page  # the Risk tab


def test_the_page_costs_the_same_queries_for_5_or_25_rows(synced, verified_admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        verified_admin_client.get("/office/risk/")
    RiskSettingFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        response = verified_admin_client.get("/office/risk/")

    assert response.content.decode().count('class="risk-row') == 25
    assert len(many) == len(few) <= 12


def test_filters_by_source_and_symbol(synced, verified_admin_client):
    RiskSettingFactory(strategy__source__name="other", strategy__symbol="DOGE")

    by_symbol = verified_admin_client.get("/office/risk/", {"symbol": "ETH"}).content.decode()
    by_source = verified_admin_client.get("/office/risk/", {"source": "other"}).content.decode()

    assert by_symbol.count('class="risk-row') == 2 and "rsi_revert" in by_symbol and "momentum" not in by_symbol
    assert by_source.count('class="risk-row') == 1 and "DOGE" in by_source


def test_saving_a_row_pushes_it_and_shows_the_traders_confirmation(synced, simulator, verified_admin_client):
    row = risk_row()

    response = verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, risk_per_trade="1.25"),
                                          **HTMX)  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith(f'<tr id="risk-row-{row.pk}"')
    assert "Confirmed by the trader: risk 1.25%" in html and 'value="1.25"' in html
    assert at_trader(simulator)["risk_per_trade"] == D("1.25")
    assert AuditEvent.objects.get(action=RiskAction.UPDATE).after["channel"] == "page"


def test_invalid_values_come_back_400_with_messages_in_the_row_and_nothing_is_pushed(
    synced, simulator, verified_admin_client
):
    row = risk_row()

    response = verified_admin_client.post(
        f"/office/risk/{row.pk}/save/", row_values(row, risk_per_trade="150", stop_loss_dollars=""), **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Risk per trade must be more than 0 and at most 100 (% of margin)." in html
    assert "This field is required." in html and 'value="150"' in html  # typed values are kept
    assert at_trader(simulator)["risk_per_trade"] == D("2") and risk_row().version == 1


def test_a_stale_row_is_refused_409_and_shows_the_current_values(synced, simulator, verified_admin_client):
    row = risk_row()
    verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, risk_per_trade="1.5"), **HTMX)

    response = verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, risk_per_trade="3"), **HTMX)

    html = response.content.decode()
    assert response.status_code == 409
    assert "changed since you loaded them" in html and "Your values were: risk per trade 3" in html
    assert 'name="risk_per_trade" value="1.5"' in html and f'name="version-{row.pk}" value="2"' in html
    assert at_trader(simulator)["risk_per_trade"] == D("1.5")


def test_trader_down_shows_pending_and_the_retry(synced, simulator, verified_admin_client):
    trader_down(simulator)
    row = risk_row()

    response = verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, stop_loss_dollars="90"),
                                          **HTMX)  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 202
    assert ">Pending<" in html and "retried until it lands" in html and "next try " in html


def test_the_enabled_switch_disables_and_enables_at_the_trader(synced, simulator, verified_admin_client):
    row = risk_row()

    off = verified_admin_client.post(f"/office/risk/{row.pk}/toggle/", {f"version-{row.pk}": "1"}, **HTMX)
    on = verified_admin_client.post(f"/office/risk/{row.pk}/toggle/", {f"version-{row.pk}": "2", "enabled": "on"},
                                    **HTMX)  # fmt: skip

    assert off.status_code == on.status_code == 200
    assert at_trader(simulator)["enabled"] is True and risk_row().version == 3
    assert list(AuditEvent.objects.filter(action__startswith="risk.").values_list("action", flat=True)) == [
        RiskAction.ENABLE,
        RiskAction.DISABLE,
    ]  # fmt: skip (newest first)


def test_drift_shows_both_values_and_one_click_takes_the_traders(synced, simulator, verified_admin_client):
    set_at_trader(simulator, stop_loss_dollars="140")
    risk_settings_sync(source=synced)
    row = risk_row()

    page = verified_admin_client.get("/office/risk/").content.decode()
    assert ">Drift<" in page and "trader: 140" in page and "Take trader" in page and "Push ours" in page

    response = verified_admin_client.post(f"/office/risk/{row.pk}/take-trader/", {f"version-{row.pk}": "1"}, **HTMX)
    assert response.status_code == 200 and risk_row().stop_loss_dollars == D("140")
    assert risk_row().sync_state == SyncState.IN_SYNC


def test_push_ours_from_the_page(synced, simulator, verified_admin_client):
    set_at_trader(simulator, stop_loss_dollars="140")
    risk_settings_sync(source=synced)
    row = risk_row()

    response = verified_admin_client.post(f"/office/risk/{row.pk}/push-ours/", {f"version-{row.pk}": "1"}, **HTMX)

    assert response.status_code == 200 and at_trader(simulator)["stop_loss_dollars"] == D("100")


def test_kill_switch_trips_shows_on_the_page_and_reset_with_a_reason_clears_it(
    synced, simulator, verified_admin_client
):
    row = risk_row("breakout", "SOL")
    verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, max_drawdown_dollars="0.01"), **HTMX)
    step_until(simulator, lambda: at_trader(simulator, "breakout", "SOL")["kill_switch_active"])
    risk_settings_sync(source=synced)

    page = verified_admin_client.get("/office/risk/").content.decode()
    assert ">Tripped<" in page and "1 kill switch tripped" in page and "hx-prompt=" in page

    refused = verified_admin_client.post(f"/office/risk/{row.pk}/reset-kill-switch/", **HTMX)
    assert refused.status_code == 400 and "Say why the kill switch is reset" in refused.content.decode()

    reset = verified_admin_client.post(f"/office/risk/{row.pk}/reset-kill-switch/", HTTP_HX_PROMPT="losses reviewed",
                                       **HTMX)  # fmt: skip
    assert reset.status_code == 200 and "Kill switch reset by the trader." in reset.content.decode()
    assert at_trader(simulator, "breakout", "SOL")["kill_switch_active"] is False
    assert AuditEvent.objects.get(action=RiskAction.KILL_SWITCH_RESET).after["reason"] == "losses reviewed"


def test_bulk_apply_updates_the_selected_rows_and_reports_each(synced, simulator, verified_admin_client):
    btc, eth = risk_row("ema_cross", "BTC"), risk_row("ema_cross", "ETH")
    data = {
        "selected": [btc.pk, eth.pk],
        "stop_loss_dollars": "80",
        "enabled": "off",
        f"version-{btc.pk}": "1",
        f"version-{eth.pk}": "7",
    }  # fmt: skip  (ETH's form is stale)

    response = verified_admin_client.post("/office/risk/bulk/", data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<template>") == 3 and html.count('hx-swap-oob="true"') == 3  # two rows, the header
    assert "Confirmed by the trader" in html and "changed since you loaded them" in html
    assert (at_trader(simulator)["stop_loss_dollars"], at_trader(simulator)["enabled"]) == (D("80"), False)
    assert at_trader(simulator, "ema_cross", "ETH")["stop_loss_dollars"] == D("100")


@pytest.mark.parametrize("data, message", [
    ({"stop_loss_dollars": "80"}, "Select at least one strategy"),
    ({"selected": "1"}, "Enter at least one value"),
    ({"selected": "1", "risk_per_trade": "-1"}, "Risk per trade must be more than 0"),
])  # fmt: skip
def test_bulk_apply_refuses_what_it_cannot_apply(synced, simulator, verified_admin_client, data, message):
    response = verified_admin_client.post("/office/risk/bulk/", data, **HTMX)

    assert response.status_code == 400 and message in response.content.decode()
    assert at_trader(simulator)["risk_per_trade"] == D("2")


def test_history_restores_an_earlier_version_in_one_click(synced, simulator, verified_admin_client):
    row = risk_row()
    verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, risk_per_trade="3"), **HTMX)

    page = verified_admin_client.get(f"/office/risk/{row.pk}/history/").content.decode()
    assert "Restore v1" in page and "risk.update" in page

    response = verified_admin_client.post(f"/office/risk/{row.pk}/restore/1/", {"version": "2"}, follow=True)

    assert "Version 1: Confirmed by the trader" in response.content.decode()
    assert at_trader(simulator)["risk_per_trade"] == D("2") and risk_row().version == 3


def test_without_htmx_an_action_redirects_to_the_page_with_a_message(synced, verified_admin_client):
    row = risk_row()

    response = verified_admin_client.post(f"/office/risk/{row.pk}/save/", row_values(row, risk_per_trade="1"),
                                          follow=True)  # fmt: skip

    assert response.redirect_chain[-1][0] == "/office/risk/"
    assert "Confirmed by the trader" in response.content.decode()


@pytest.mark.parametrize("path", ["/office/risk/", "/office/risk/rows/", "/office/risk/{pk}/row/",
                                  "/office/risk/{pk}/history/"])  # fmt: skip
def test_clients_and_senders_get_403_and_unverified_admins_must_verify(
    path, investor_client, sender_client, unverified_admin_client
):
    row = RiskSettingFactory()
    url = path.format(pk=row.pk)

    assert investor_client.get(url).status_code == 403
    assert sender_client.get(url).status_code == 403
    unverified = unverified_admin_client.get(url)
    assert unverified.status_code == 302 and "/account/login/" in unverified["Location"]


@pytest.mark.parametrize("action", ["save", "toggle", "reset-kill-switch", "take-trader", "push-ours"])
def test_outsiders_cannot_change_anything(action, investor_client, sender_client, unverified_admin_client):
    row = RiskSettingFactory()
    data = {"risk_per_trade": "1", "stop_loss_dollars": "1", "max_drawdown_dollars": "1", f"version-{row.pk}": "1"}

    for outsider in (investor_client, sender_client, unverified_admin_client):
        assert outsider.post(f"/office/risk/{row.pk}/{action}/", data, **HTMX).status_code in (302, 403)
    assert investor_client.post("/office/risk/bulk/", {"selected": row.pk, "risk_per_trade": "1"}).status_code == 403
    row.refresh_from_db()
    assert (row.version, row.risk_per_trade) == (1, D("2"))
    assert not AuditEvent.objects.filter(action__startswith="risk.").exists()
