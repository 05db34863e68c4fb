"""The services REST API end to end with real processes: control, state, access and audit."""

import json
import sys

import psutil
import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import AuditEvent
from apps.services import process
from apps.services.models import ManagedService
from apps.services.tests.factories import ManagedServiceFactory, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def simulated_trader(port: int) -> ManagedService:
    argv = [sys.executable, "manage.py", "simulate", "--only", "hyperliquid_trader", "--hl-port", str(port),
            "--host", "127.0.0.1", "--history-hours", "1"]  # fmt: skip
    return ManagedServiceFactory(name="hl-trader", port=port, start_command=argv, start_timeout_s=30,
                                 working_directory=str(settings.BASE_DIR))  # fmt: skip


def alive_family(pid: int) -> list[psutil.Process]:
    return [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]


def test_start_a_simulated_trader_see_it_healthy_stop_it_restart_it(verified_admin_client):
    service = simulated_trader(free_port())

    started = verified_admin_client.post(f"/api/services/{service.pk}/start")

    assert started.status_code == 200, started.content
    body = started.json()
    assert (body["ok"], body["action"], body["status"]) == (True, "start", "running")
    listed = {row["name"]: row for row in verified_admin_client.get("/api/services").json()}["hl-trader"]
    assert (listed["status"], listed["should_run"], listed["health_url"]) == (
        "running",
        True,
        f"http://127.0.0.1:{service.port}/api/status",
    )
    assert listed["uptime_s"] >= 0 and listed["pid"] and listed["last_heartbeat_at"]
    family = alive_family(listed["pid"])

    stopped = verified_admin_client.post(f"/api/services/{service.pk}/stop").json()

    assert (stopped["ok"], stopped["status"], stopped["detail"]) == (True, "stopped", "stopped")
    assert process.port_is_open("127.0.0.1", service.port) is False
    assert [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []

    restarted = verified_admin_client.post(f"/api/services/{service.pk}/restart").json()

    assert (restarted["ok"], restarted["status"]) == (True, "running")
    assert restarted["service_state"]["pid"] not in (None, listed["pid"])
    assert restarted["service_state"]["restart_count"] == 1
    actions = list(AuditEvent.objects.filter(target="service:hl-trader").order_by("at", "id")
                   .values_list("action", "outcome", "actor_label"))  # fmt: skip
    assert [a[:2] for a in actions] == [("service.start", "success"), ("service.stop", "success"),
                                        ("service.restart", "success")]  # fmt: skip


def test_start_all_and_stop_all(verified_admin_client):
    first, second = ManagedServiceFactory(flags=("--delay", "0.5")), ManagedServiceFactory()
    broken = ManagedServiceFactory(flags=("--crash",))

    started = verified_admin_client.post("/api/services/start-all").json()

    by_name = {result["service"]: result for result in started["results"]}
    assert started["ok"] is False  # one of them cannot start
    assert [by_name[s.name]["ok"] for s in (first, second, broken)] == [True, True, False]
    assert "fatal: cannot reach the exchange" in by_name[broken.name]["output_tail"]
    pids = [ManagedService.objects.get(pk=s.pk).pid for s in (first, second)]

    stopped = verified_admin_client.post("/api/services/stop-all").json()

    assert stopped["ok"] is True
    assert {r["service"]: r["status"] for r in stopped["results"]} == dict.fromkeys(
        (first.name, second.name, broken.name), "stopped"
    )
    assert not any(process.is_alive(pid) for pid in pids)
    assert not any(process.port_is_open("127.0.0.1", s.port) for s in (first, second))


def test_no_request_parameter_reaches_the_command_line(verified_admin_client, tmp_path):
    service = ManagedServiceFactory()

    response = verified_admin_client.post(
        f"/api/services/{service.pk}/start?argv=--crash",
        data=json.dumps({"start_command": ["/bin/sh", "-c", f"touch {tmp_path}/pwned"], "args": ["--crash"]}),
        content_type="application/json",
    )

    service.refresh_from_db()
    assert response.json()["ok"] is True
    assert psutil.Process(service.pid).cmdline() == service.start_command
    assert not (tmp_path / "pwned").exists()


def test_shell_metacharacters_in_a_definition_are_literal_arguments(verified_admin_client, tmp_path):
    tricky = [f"; touch {tmp_path}/a", f"$(touch {tmp_path}/b)", f"`touch {tmp_path}/c`", "|", "&&", "*", "$HOME",
              f"> {tmp_path}/d"]  # fmt: skip
    argv_out = tmp_path / "argv.json"
    service = ManagedServiceFactory(flags=("--argv-out", str(argv_out), "--", *tricky))

    assert verified_admin_client.post(f"/api/services/{service.pk}/start").json()["ok"] is True

    assert json.loads(argv_out.read_text())[-len(tricky) :] == tricky
    assert sorted(path.name for path in tmp_path.iterdir()) == ["argv.json", "var"]


@pytest.mark.parametrize("method, url", [
    ("get", "/api/services"), ("post", "/api/services/{pk}/start"), ("post", "/api/services/{pk}/stop"),
    ("post", "/api/services/{pk}/restart"), ("post", "/api/services/start-all"), ("post", "/api/services/stop-all"),
    ("get", "/api/settings"), ("put", "/api/settings"), ("get", "/api/settings/keys"), ("put", "/api/settings/keys"),
])  # fmt: skip
@pytest.mark.parametrize("who", ["investor_client", "sender_client", "unverified_admin_client", "anonymous"])
def test_only_verified_admins_get_in(request, method, url, who):
    client = Client() if who == "anonymous" else request.getfixturevalue(who)
    service = ManagedServiceFactory()

    body = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    response = getattr(client, method)(url.format(pk=service.pk), **body)

    assert response.status_code in (401, 403) if who == "anonymous" else response.status_code == 403
    service.refresh_from_db()
    assert (service.status, service.pid, service.should_run) == ("stopped", None, False)
    if method != "get":
        denied = AuditEvent.objects.get(outcome="denied")
        assert denied.action.startswith(("service.", "settings."))


def test_an_unknown_service_is_404(verified_admin_client):
    assert verified_admin_client.post("/api/services/999999/start").status_code == 404


def test_the_list_costs_the_same_queries_for_one_service_or_many(verified_admin_client, django_assert_num_queries):
    ManagedServiceFactory()
    with django_assert_num_queries(4) as one:  # session, user, OTP device, services
        verified_admin_client.get("/api/services")
    ManagedServiceFactory.create_batch(4)

    with django_assert_num_queries(len(one.captured_queries)):
        response = verified_admin_client.get("/api/services")

    assert len(response.json()) == 5
