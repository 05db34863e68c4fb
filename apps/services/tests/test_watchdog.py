"""The watchdog on real processes: revive a killed trader, restart a hung one, back off, give up and alert."""

import os
import signal
import sys
import time

import pytest
from django.conf import settings

from apps.accounts.models import AuditEvent
from apps.core.models import Alert
from apps.services.choices import EventKind
from apps.services.models import ManagedService, ServiceEvent
from apps.services.services import ALERT_KIND, service_start
from apps.services.tests.factories import AlertChannelFactory, ManagedServiceFactory, free_port
from apps.services.watchdog import watchdog_tick

# The watchdog looks from worker threads with their own connections: they must see committed rows.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TICK_S = 0.2  # beat ticks every second; the test ticks faster so timings measure the watchdog, not the test


def tick_until(predicate, *, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        watchdog_tick()
        if value := predicate():
            return value
        time.sleep(TICK_S)
    raise AssertionError("the watchdog did not get there in time")


def event_kinds(service) -> list[str]:
    return list(ServiceEvent.objects.filter(service=service).order_by("at", "id").values_list("kind", flat=True))


def simulated_trader(port: int, **fields) -> ManagedService:
    """The simulator's Hyperliquid trader as a managed service (an hour of history: quick to start)."""
    argv = [sys.executable, "manage.py", "simulate", "--only", "hyperliquid_trader", "--hl-port", str(port),
            "--host", "127.0.0.1", "--history-hours", "1"]  # fmt: skip
    return ManagedServiceFactory(name="hl-trader", port=port, start_command=argv,
                                 working_directory=str(settings.BASE_DIR), **fields)  # fmt: skip


def test_a_killed_trader_is_back_within_two_intervals_plus_its_start_time(fund_admin):
    service = simulated_trader(free_port(), health_interval_s=1, start_timeout_s=30)
    began = time.monotonic()
    assert service_start(service=service, actor=fund_admin).ok
    start_time = time.monotonic() - began
    service.refresh_from_db()
    old_pid = service.pid

    os.kill(old_pid, signal.SIGKILL)
    killed_at = time.monotonic()

    def back():
        service.refresh_from_db()
        return service.status == "running" and service.pid != old_pid

    tick_until(back, timeout_s=2 * 1 + start_time + 5)

    assert time.monotonic() - killed_at <= 2 * 1 + start_time + 1.0  # + 1 s: this test ticks only every 0.2 s
    assert event_kinds(service) == [EventKind.STARTED, EventKind.CRASHED, EventKind.RESTARTED, EventKind.RECOVERED]
    assert service.restart_count == 1 and service.should_run
    assert AuditEvent.objects.filter(action="service.watchdog_restart", actor_label="watchdog").count() == 1


def test_a_hung_service_is_restarted_after_its_failed_checks_in_a_row(fund_admin):
    service = ManagedServiceFactory(flags=("--sick-after", "1"), health_interval_s=1, failures_before_restart=2)
    assert service_start(service=service, actor=fund_admin).ok
    service.refresh_from_db()
    old_pid = service.pid

    def restarted():
        service.refresh_from_db()
        return service.restart_count == 1 and service.pid != old_pid

    tick_until(restarted, timeout_s=10)

    kinds = event_kinds(service)
    assert kinds[:4] == [EventKind.STARTED, EventKind.HEALTH_FAILED, EventKind.HEALTH_FAILED, EventKind.RESTARTED]
    restart = ServiceEvent.objects.get(service=service, kind=EventKind.RESTARTED)
    assert restart.detail["reason"] == f"HTTP 503 from http://127.0.0.1:{service.port}/api/status"


def test_a_service_crashing_on_start_is_retried_with_backoff_then_given_up_with_an_alert(fund_admin, fake_telegram):
    channel = AlertChannelFactory(api_base_url=fake_telegram.base_url)
    service = ManagedServiceFactory(name="crashy", display_name="Crashy trader", flags=("--crash",),
                                    health_interval_s=1, max_restarts_per_hour=3)  # fmt: skip
    assert not service_start(service=service, actor=fund_admin).ok

    tick_until(lambda: ManagedService.objects.get(pk=service.pk).gave_up_at, timeout_s=20)
    for _ in range(5):  # more looks change nothing: it gave up
        watchdog_tick()
        time.sleep(TICK_S)

    restarts = list(ServiceEvent.objects.filter(service=service, kind=EventKind.RESTARTED).order_by("at"))
    gaps = [(later.at - earlier.at).total_seconds() for earlier, later in zip(restarts, restarts[1:], strict=False)]
    assert len(restarts) == 3
    assert gaps[0] >= 1.0 and gaps[1] >= 2.0  # backoff: one interval, then two
    assert ServiceEvent.objects.filter(service=service, kind=EventKind.GAVE_UP).count() == 1
    alert = Alert.objects.get(kind=ALERT_KIND, key="crashy")
    assert (alert.is_active, alert.severity, alert.title) == (True, "critical", "Watchdog gave up on Crashy trader")
    assert len(fake_telegram.messages) == 1
    message = fake_telegram.messages[0]
    assert message["chat_id"] == channel.chat_id
    assert message["text"].startswith("PoG Fund: Watchdog gave up on Crashy trader after 3 restarts in the last hour.")
    channel.refresh_from_db()
    assert channel.last_sent_at is not None and channel.last_error == ""
    assert AuditEvent.objects.filter(action="service.watchdog_gave_up").count() == 1


def test_an_admin_start_after_the_fix_clears_the_alert(fund_admin, fake_telegram):
    AlertChannelFactory(api_base_url=fake_telegram.base_url)
    service = ManagedServiceFactory(flags=("--crash",), health_interval_s=1, max_restarts_per_hour=1)
    service_start(service=service, actor=fund_admin)
    tick_until(lambda: ManagedService.objects.get(pk=service.pk).gave_up_at, timeout_s=15)
    service.refresh_from_db()

    service.start_command = service.start_command[:-1]  # drop --crash: the cause is fixed
    service.save()
    result = service_start(service=service, actor=fund_admin)

    service.refresh_from_db()
    assert result.ok and service.gave_up_at is None
    assert not Alert.objects.filter(kind=ALERT_KIND, cleared_at__isnull=True).exists()


def test_the_watchdog_leaves_stopped_and_unwatched_services_alone(fund_admin):
    stopped = ManagedServiceFactory()
    unwatched = ManagedServiceFactory(is_watchdog_enabled=False)
    assert service_start(service=unwatched, actor=fund_admin).ok
    unwatched.refresh_from_db()
    os.kill(unwatched.pid, signal.SIGKILL)

    tick_until(lambda: ManagedService.objects.get(pk=unwatched.pk).status == "crashed", timeout_s=5)
    for _ in range(3):
        watchdog_tick()

    assert event_kinds(stopped) == []
    assert ManagedService.objects.get(pk=stopped.pk).status == "stopped"
    assert event_kinds(unwatched) == [EventKind.STARTED, EventKind.CRASHED]
