"""The service cards page (htmx actions, polled status) and the Settings tab, as a browser uses them."""

import json

import pytest

from apps.accounts.models import AuditEvent
from apps.services import process
from apps.services.models import AlertChannel, ManagedService
from apps.services.tests.factories import AlertChannelFactory, ManagedServiceFactory
from apps.sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_page_shows_a_card_per_service_with_its_controls(verified_admin_client):
    service = ManagedServiceFactory(name="hl-trader", display_name="PoGTrader (Hyperliquid)", error_count=3)

    page = verified_admin_client.get("/office/services/").content.decode()

    assert "PoGTrader (Hyperliquid)" in page and 'class="badge badge-muted">Stopped' in page
    for action in ("start", "stop", "restart"):
        assert f'hx-post="/office/services/{service.pk}/{action}/"' in page
    assert 'hx-trigger="every 2s, svc-refresh from:body"' in page
    assert '<span class="stat-value neg">3</span>' in page


def test_outsiders_are_refused_and_an_unverified_admin_is_sent_to_verify(investor_client, sender_client,
                                                                        unverified_admin_client):  # fmt: skip
    service = ManagedServiceFactory()
    for client in (investor_client, sender_client):
        assert client.get("/office/services/").status_code == 403
        assert client.get("/office/services/settings/").status_code == 403
        assert client.post(f"/office/services/{service.pk}/start/", **HTMX).status_code == 403
    response = unverified_admin_client.post(f"/office/services/{service.pk}/start/", **HTMX)

    assert response.status_code == 302 and "/account/" in response["Location"]
    assert ManagedService.objects.get().pid is None


def test_a_card_button_starts_and_stops_and_answers_the_result_and_fresh_state(verified_admin_client):
    service = ManagedServiceFactory(name="hl")

    started = verified_admin_client.post(f"/office/services/{service.pk}/start/", **HTMX).content.decode()
    service.refresh_from_db()
    stopped = verified_admin_client.post(f"/office/services/{service.pk}/stop/", **HTMX).content.decode()

    assert "hl: start done" in started and 'class="alert alert-success small"' in started
    assert f'id="svc-state-{service.pk}" hx-swap-oob="true"' in started and ">Running<" in started
    assert "hl: stop done" in stopped and ">Stopped<" in stopped
    assert not process.is_alive(service.pid)


def test_a_failed_start_shows_the_tail_of_the_output(verified_admin_client):
    service = ManagedServiceFactory(flags=("--crash",))

    html = verified_admin_client.post(f"/office/services/{service.pk}/start/", **HTMX).content.decode()

    assert "start failed" in html and "the process exited while starting" in html
    assert '<pre class="svc-tail">' in html and "fatal: cannot reach the exchange" in html


def test_the_poll_answers_every_card_and_the_dots_out_of_band(verified_admin_client):
    first, second = ManagedServiceFactory(), ManagedServiceFactory(status="crashed")

    html = verified_admin_client.get("/office/services/status/", **HTMX).content.decode()

    assert f'id="svc-state-{first.pk}" hx-swap-oob="true"' in html
    assert f'id="svc-state-{second.pk}" hx-swap-oob="true"' in html and "dot-red" in html
    assert 'id="svc-dots" hx-swap-oob="true"' in html and 'id="svc-alerts" hx-swap-oob="true"' in html


def service_form(service, **changes) -> dict:
    """The POST a browser sends for a service's settings form, with some fields changed."""
    prefix = f"service-{service.pk}"
    values = {"display_name": service.display_name, "kind": service.kind, "source": "", "host": service.host,
              "port": service.port, "health_url": "", "start_command": "\n".join(service.start_command),
              "stop_command": "", "working_directory": "", "pid_file": "", "environment": "",
              "secret_environment": "", "is_watchdog_enabled": "on", "health_interval_s": 30,
              "failures_before_restart": 2, "max_restarts_per_hour": 5, "start_timeout_s": 30,
              "stop_timeout_s": 10} | changes  # fmt: skip
    return {"form": f"service:{service.pk}", **{f"{prefix}-{k}": v for k, v in values.items() if v is not False}}


def test_the_settings_form_saves_a_service_and_its_secret_variables(verified_admin_client):
    service = ManagedServiceFactory(name="hl")

    response = verified_admin_client.post("/office/services/settings/", service_form(
        service, health_interval_s=15, environment="LOG_LEVEL=debug\nTZ=UTC",
        secret_environment="HL_PRIVATE_KEY=0xsecret-value-1234"))  # fmt: skip

    assert response.status_code == 302 and response["Location"].endswith(f"#service-{service.pk}")
    service.refresh_from_db()
    assert (service.health_interval_s, service.environment) == (15, {"LOG_LEVEL": "debug", "TZ": "UTC"})
    assert json.loads(service.secret_environment) == {"HL_PRIVATE_KEY": "0xsecret-value-1234"}
    page = verified_admin_client.get("/office/services/settings/").content.decode()
    assert "HL_PRIVATE_KEY ••••1234" in page and "0xsecret" not in page
    assert {"service.update", "service.keys_update"} <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_bad_settings_form_shows_the_field_and_saves_nothing(verified_admin_client):
    service = ManagedServiceFactory(name="hl")
    before = ManagedService.objects.values().get()

    response = verified_admin_client.post("/office/services/settings/", service_form(
        service, health_interval_s=0, start_command="no-such-program-xyz",
        secret_environment="HL_PRIVATE_KEY=0xnew-secret-5678"))  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved" in html
    assert "&#x27;no-such-program-xyz&#x27; is not a program on this host&#x27;s PATH." in html
    assert "Ensure this value is greater than or equal to 1." in html
    assert ManagedService.objects.values().get() == before


def test_a_source_poll_interval_and_keys_from_the_settings_tab(verified_admin_client):
    source = SourceFactory(name="binance")
    prefix = f"source-{source.pk}"

    response = verified_admin_client.post("/office/services/settings/", {
        "form": f"source:{source.pk}", f"{prefix}-poll_interval_s": "12", f"{prefix}-is_enabled": "on",
        f"{prefix}-base_url": source.base_url, f"{prefix}-credentials": '{"apiKey": "abcd-key-9999"}'})  # fmt: skip

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.poll_interval_s == 12 and json.loads(source.credentials) == {"apiKey": "abcd-key-9999"}
    assert "apiKey ••••9999" in verified_admin_client.get("/office/services/settings/").content.decode()


def test_add_a_telegram_channel_and_send_a_test_message(verified_admin_client, fake_telegram):
    response = verified_admin_client.post("/office/services/settings/", {
        "form": "channel:", "channel-new-name": "ops", "channel-new-kind": "telegram",
        "channel-new-is_enabled": "on", "channel-new-chat_id": "-100777",
        "channel-new-api_base_url": fake_telegram.base_url, "channel-new-token": fake_telegram.token})  # fmt: skip
    channel = AlertChannel.objects.get(name="ops")

    tested = verified_admin_client.post(f"/office/services/settings/channels/{channel.pk}/test/")

    assert response.status_code == 302 and tested.status_code == 302
    assert channel.token == fake_telegram.token
    assert fake_telegram.messages[0]["chat_id"] == "-100777"
    assert fake_telegram.messages[0]["text"].startswith("PoG Fund: test message from ")


def test_removing_a_channel_is_audited(verified_admin_client):
    channel = AlertChannelFactory(name="old")

    verified_admin_client.post(f"/office/services/settings/channels/{channel.pk}/delete/")

    assert not AlertChannel.objects.exists()
    assert AuditEvent.objects.get(action="alert_channel.delete").before["token"].startswith("••••")


def test_django_admin_actions_start_and_stop(verified_admin_client):
    service = ManagedServiceFactory()
    url = "/admin/services/managedservice/"

    verified_admin_client.post(url, {"action": "start_selected", "_selected_action": [service.pk]})
    service.refresh_from_db()
    running = (service.status, process.is_alive(service.pid))
    verified_admin_client.post(url, {"action": "stop_selected", "_selected_action": [service.pk]})
    service.refresh_from_db()

    assert running == ("running", True)
    assert (service.status, service.pid) == ("stopped", None)
    assert [a for a in AuditEvent.objects.values_list("action", flat=True) if a.startswith("service.")] == [
        "service.stop",
        "service.start",
    ]
