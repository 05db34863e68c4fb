"""GET/PUT /api/settings and /api/settings/keys: validation naming fields, all or nothing, secrets masked."""

import json

import pytest

from apps.accounts.models import AuditEvent
from apps.services.models import AlertChannel, ManagedService, PanelSettings
from apps.services.tests.factories import AlertChannelFactory, ManagedServiceFactory
from apps.sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db


def put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def fund_setup():
    source = SourceFactory(name="hl-trader", credentials=json.dumps({"token": "trader-token-123456"}))
    service = ManagedServiceFactory(name="hl-trader", source=source, secret_environment=json.dumps(
        {"HL_PRIVATE_KEY": "0xdeadbeefcafe0001"}))  # fmt: skip
    channel = AlertChannelFactory(name="telegram", token="123456:secret-bot-token")
    return source, service, channel


def test_get_settings_lists_every_editable_setting_and_no_secret(verified_admin_client, fund_setup):
    body = verified_admin_client.get("/api/settings").json()

    service = body["services"][0]
    assert service["name"] == "hl-trader" and service["source"] == "hl-trader"
    assert service["health_interval_s"] == 1 and service["start_command"][1].endswith("service_script.py")
    assert body["sources"] == [
        {
            "name": "hl-trader",
            "kind": "trader_service",
            "display_name": "",
            "base_url": fund_setup[0].base_url,
            "poll_interval_s": 5,
            "is_enabled": True,
        }
    ]
    assert body["alert_channels"][0] | {"last_sent_at": None} == {
        "name": "telegram",
        "kind": "telegram",
        "is_enabled": True,
        "chat_id": "-1001234567890",
        "api_base_url": "https://api.telegram.org",
        "has_token": True,
        "last_sent_at": None,
        "last_error": "",
    }
    assert body["general"] == {"refresh_s": 2}
    text = json.dumps(body)
    assert "deadbeef" not in text and "secret-bot-token" not in text and "trader-token" not in text


def test_put_settings_changes_several_things_and_audits_each(verified_admin_client, fund_setup, fund_admin):
    response = put(verified_admin_client, "/api/settings", {
        "services": {"hl-trader": {"health_interval_s": 15, "failures_before_restart": 3,
                                   "stop_command": ["kill", "-TERM", "1"], "environment": {"LOG_LEVEL": "debug"}}},
        "sources": {"hl-trader": {"poll_interval_s": 10}},
        "alert_channels": {"ops": {"kind": "telegram", "chat_id": "@pogfund_ops"}},
        "general": {"refresh_s": 3},
    })  # fmt: skip

    assert response.status_code == 200, response.content
    service = ManagedService.objects.get(name="hl-trader")
    assert (service.health_interval_s, service.failures_before_restart, service.stop_command, service.environment) == (
        15,
        3,
        ["kill", "-TERM", "1"],
        {"LOG_LEVEL": "debug"},
    )
    assert AlertChannel.objects.get(name="ops").chat_id == "@pogfund_ops"
    assert PanelSettings.load().refresh_s == 3
    actions = sorted(AuditEvent.objects.exclude(action="auth.login").values_list("action", flat=True))
    assert actions == ["alert_channel.create", "panel_settings.update", "service.update", "source.update"]
    update = AuditEvent.objects.get(action="service.update")
    assert (update.before["health_interval_s"], update.after["health_interval_s"]) == (1, 15)
    assert update.after["secret_environment"] == {"HL_PRIVATE_KEY": "••••0001"}


def test_bad_settings_are_a_400_naming_each_field_and_nothing_changes(verified_admin_client, fund_setup):
    before = ManagedService.objects.values().get(name="hl-trader")

    response = put(verified_admin_client, "/api/settings", {
        "services": {"hl-trader": {"health_interval_s": 0, "start_command": "python trader.py; rm -rf /",
                                   "port": 70000, "pid": 1},
                     "nope": {"port": 1}},
        "sources": {"hl-trader": {"poll_interval_s": "often"}},
        "general": {"refresh_s": 2, "theme": "light"},
        "alert_channels": {"ops": {"kind": "telegram", "chat_id": "x"}},  # valid alone, but all or nothing
        "colours": {},
    })  # fmt: skip

    assert response.status_code == 400
    errors = response.json()
    assert set(errors["services"]["hl-trader"]) == {"health_interval_s", "start_command", "port", "pid"}
    assert errors["services"]["hl-trader"]["start_command"] == [
        'Must be a list of strings, e.g. ["python", "manage.py", "simulate"] (never a shell string).'
    ]
    assert errors["services"]["hl-trader"]["pid"] == ["Not a setting that can be changed here."]
    assert errors["services"]["nope"] == {"name": ["No such service."]}
    assert list(errors["sources"]["hl-trader"]) == ["poll_interval_s"]
    assert errors["general"] == {"theme": ["Not a setting that can be changed here."]}
    assert "colours" in errors
    assert ManagedService.objects.values().get(name="hl-trader") == before
    assert not AlertChannel.objects.filter(name="ops").exists()
    assert list(AuditEvent.objects.exclude(action="auth.login").values_list("action", "outcome")) == [
        ("settings.update", "failure")
    ]


@pytest.mark.parametrize("field, value, message", [
    ("start_command", ["no-such-program-anywhere"], "'no-such-program-anywhere' is not a program on this host's PATH."),
    ("start_command", [], "This field cannot be blank."),
    ("working_directory", "/no/such/dir", "/no/such/dir is not a directory on this host."),
    ("environment", {"1BAD": "x"}, "'1BAD' is not a variable name (letters, digits and _, not starting with a digit)."),
    ("environment", {"PORT": 9002}, "The value of PORT must be a string (quote numbers)."),
    ("host", "127.0.0.1; rm", "A host name or IP address, without spaces or a scheme."),
    ("health_url", "not a url", "Enter a valid URL."),
    ("source", "missing", "No source named 'missing'."),
])  # fmt: skip
def test_each_service_field_is_validated_with_a_clear_message(verified_admin_client, fund_setup, field, value, message):
    response = put(verified_admin_client, "/api/settings", {"services": {"hl-trader": {field: value}}})

    assert response.status_code == 400
    assert response.json() == {"services": {"hl-trader": {field: [message]}}}


def test_keys_are_masked_on_read(verified_admin_client, fund_setup):
    body = verified_admin_client.get("/api/settings/keys").json()

    assert body == {
        "services": {"hl-trader": {"HL_PRIVATE_KEY": "••••0001"}},
        "sources": {"hl-trader": {"token": "••••3456"}},
        "alert_channels": {"telegram": {"token": "••••oken"}},
    }


def test_keys_are_replaced_write_only_and_audited_masked(verified_admin_client, fund_setup, fund_admin):
    response = put(verified_admin_client, "/api/settings/keys", {
        "sources": {"hl-trader": {"apiKey": "new-api-key-777777", "secret": "new-secret-888888"}},
        "services": {"hl-trader": {"HL_PRIVATE_KEY": "0xfeedfacefeed9999"}},
        "alert_channels": {"telegram": {"token": "999:brand-new-token"}},
    })  # fmt: skip

    assert response.status_code == 200
    assert response.json() == {
        "services": {"hl-trader": {"HL_PRIVATE_KEY": "••••9999"}},
        "sources": {"hl-trader": {"apiKey": "••••7777", "secret": "••••8888"}},
        "alert_channels": {"telegram": {"token": "••••oken"}},
    }
    service, channel, source = ManagedService.objects.get(), AlertChannel.objects.get(), fund_setup[0]
    source.refresh_from_db()
    assert json.loads(service.secret_environment) == {"HL_PRIVATE_KEY": "0xfeedfacefeed9999"}
    assert channel.token == "999:brand-new-token"
    assert json.loads(source.credentials)["apiKey"] == "new-api-key-777777"
    audit = json.dumps(list(AuditEvent.objects.values("before", "after")))
    assert "feedface" not in audit and "brand-new" not in audit and "new-api-key" not in audit
    assert sorted(AuditEvent.objects.exclude(action="auth.login").values_list("action", flat=True)) == [
        "alert_channel.keys_update",
        "service.keys_update",
        "source.update",
    ]


def test_null_removes_a_key_and_bad_keys_are_refused_whole(verified_admin_client, fund_setup):
    refused = put(verified_admin_client, "/api/settings/keys", {
        "services": {"hl-trader": None}, "sources": {"hl-trader": "plain-string"},
        "alert_channels": {"telegram": {"token": ""}}})  # fmt: skip

    assert refused.status_code == 400
    assert set(refused.json()) == {"sources", "alert_channels"}
    assert ManagedService.objects.get().secret_environment  # the valid part was not applied either

    removed = put(verified_admin_client, "/api/settings/keys", {"services": {"hl-trader": None}})

    assert removed.json()["services"] == {"hl-trader": {}}
    assert ManagedService.objects.get().secret_environment == ""
