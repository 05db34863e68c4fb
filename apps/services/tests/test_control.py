"""Start, stop and restart through the service functions, on real processes; outcomes, events, audit."""

import asyncio
from datetime import timedelta

import psutil
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.core.alerts import alert_raise
from apps.core.broadcast import LIVE_GROUP
from apps.core.models import Alert
from apps.services import process
from apps.services.choices import EventKind, ServiceStatus
from apps.services.definitions import service_definition_delete
from apps.services.models import ManagedService, ServiceEvent
from apps.services.rules import Decision
from apps.services.services import ALERT_KIND, service_restart, service_start, service_stop
from apps.services.tests.factories import ManagedServiceFactory
from apps.services.watchdog import service_watch

pytestmark = pytest.mark.django_db


def events(service) -> list[str]:
    return list(ServiceEvent.objects.filter(service=service).order_by("at", "id").values_list("kind", flat=True))


def test_start_waits_for_the_health_answer_and_records_a_running_service(fund_admin):
    service = ManagedServiceFactory(flags=("--delay", "0.5"))

    result = service_start(service=service, actor=fund_admin, ip="127.0.0.1")

    service.refresh_from_db()
    assert (result.ok, result.status, result.output_tail) == (True, ServiceStatus.RUNNING, "")
    assert result.detail.startswith("healthy after ")
    assert service.should_run and service.pid and process.is_alive(service.pid, service.pid_create_time)
    assert service.last_heartbeat_at is not None and service.started_at is not None
    assert events(service) == [EventKind.STARTED]
    audit = AuditEvent.objects.get(action="service.start")
    assert (audit.actor, audit.target, audit.outcome, audit.ip) == (fund_admin, f"service:{service.name}",
                                                                   "success", "127.0.0.1")  # fmt: skip
    assert audit.after["status"] == "running"


def test_a_service_that_crashes_on_start_is_reported_failed_with_its_output(fund_admin):
    service = ManagedServiceFactory(flags=("--crash",))

    result = service_start(service=service, actor=fund_admin)

    service.refresh_from_db()
    assert (result.ok, result.status, result.detail) == (False, "crashed", "the process exited while starting")
    assert result.output_tail.splitlines()[-1] == "fatal: cannot reach the exchange"
    assert (service.error_count, events(service)) == (1, [EventKind.START_FAILED])
    assert AuditEvent.objects.get(action="service.start").outcome == "failure"


def test_a_start_that_never_turns_healthy_times_out_and_leaves_nothing_running(fund_admin):
    service = ManagedServiceFactory(start_timeout_s=2, flags=("--status", "503"))

    result = service_start(service=service, actor=fund_admin)

    assert result.ok is False
    assert result.detail.startswith("no healthy answer within 2 s (HTTP 503")
    assert "service ready" in result.output_tail
    assert not process.port_is_open("127.0.0.1", service.port)


def test_a_program_that_does_not_exist_is_a_failed_start(fund_admin):
    service = ManagedServiceFactory(start_command=["/nonexistent/pog-trader", "--live"])

    result = service_start(service=service, actor=fund_admin)

    assert (result.ok, result.status) == (False, "crashed")
    assert result.detail.startswith("could not run '/nonexistent/pog-trader'")


def test_stop_closes_the_port_and_leaves_no_child(fund_admin):
    service = ManagedServiceFactory(flags=("--spawn-children",))
    assert service_start(service=service, actor=fund_admin).ok
    service.refresh_from_db()
    pid = service.pid
    family = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]

    result = service_stop(service=service, actor=fund_admin)

    service.refresh_from_db()
    assert (result.ok, result.status, result.detail) == (True, "stopped", "killed")
    assert (service.status, service.pid, service.should_run) == ("stopped", None, False)
    assert not process.port_is_open("127.0.0.1", service.port)
    assert process.group_members(pid) == []
    assert [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert events(service) == [EventKind.STARTED, EventKind.STOPPED]
    assert AuditEvent.objects.filter(action="service.stop", outcome="success").count() == 1


def test_stop_of_a_stopped_service_says_so(fund_admin):
    service = ManagedServiceFactory()

    result = service_stop(service=service, actor=fund_admin)

    assert (result.ok, result.detail) == (True, "not running")


def test_restart_replaces_the_process(fund_admin):
    service = ManagedServiceFactory()
    service_start(service=service, actor=fund_admin)
    service.refresh_from_db()
    old_pid = service.pid

    result = service_restart(service=service, actor=fund_admin)

    service.refresh_from_db()
    assert (result.ok, result.status, result.action) == (True, "running", "restart")
    assert service.pid != old_pid and not process.is_alive(old_pid)
    assert service.restart_count == 1
    assert events(service) == [EventKind.STARTED, EventKind.STOPPED, EventKind.STARTED]
    assert AuditEvent.objects.filter(action="service.restart", outcome="success").count() == 1


def test_a_service_held_by_another_action_is_refused_and_untouched(fund_admin):
    service = ManagedServiceFactory(busy_until=timezone.now() + timedelta(seconds=30))

    result = service_start(service=service, actor=fund_admin)

    service.refresh_from_db()
    assert (result.ok, result.is_conflict) == (False, True)
    assert (service.status, service.pid, service.should_run) == ("stopped", None, False)
    assert not process.port_is_open("127.0.0.1", service.port)


def test_the_watchdog_does_not_look_at_a_service_an_action_holds():
    # A stop in progress: the watchdog must not see the dying process and revive it.
    service = ManagedServiceFactory(should_run=True, status="running", pid=4_000_000,
                                    busy_until=timezone.now() + timedelta(seconds=30))  # fmt: skip

    decision = service_watch(service=service)

    assert decision == Decision.NOTHING
    assert ManagedService.objects.values_list("status", "restart_count").get() == ("running", 0)
    assert events(service) == []


def test_each_status_change_is_broadcast_as_service_status(fund_admin, django_capture_on_commit_callbacks):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(LIVE_GROUP, channel)
    service = ManagedServiceFactory(name="hl")

    with django_capture_on_commit_callbacks(execute=True):
        service_start(service=service, actor=fund_admin)

    statuses = []
    while True:
        try:
            message = async_to_sync(asyncio.wait_for)(layer.receive(channel), 2)
        except TimeoutError:
            break
        if message["event"] == "service_status":
            statuses.append(message["payload"]["status"])
            payload = message["payload"]
    assert statuses == ["starting", "running"]
    assert (payload["name"], payload["should_run"], payload["gave_up"]) == ("hl", True, False)
    assert payload["pid"] and payload["uptime_s"] is not None


def test_deleting_a_running_service_stops_it_first_and_clears_its_alert(fund_admin):
    service = ManagedServiceFactory(name="old-trader")
    assert service_start(service=service, actor=fund_admin).ok
    service.refresh_from_db()
    pid = service.pid
    alert_raise(kind=ALERT_KIND, key="old-trader", title="Watchdog gave up on old-trader", detail={})

    service_definition_delete(service=service, actor=fund_admin)

    assert not process.is_alive(pid) and not ManagedService.objects.exists()
    assert not Alert.objects.filter(cleared_at__isnull=True).exists()
    assert AuditEvent.objects.get(action="service.delete").before["name"] == "old-trader"
