"""The watchdog: look at every service each second (health per its interval), revive it or give up.

A process that is gone is restarted at the next look; one that lives but fails its health check is
restarted after `failures_before_restart` checks in a row. Restarts back off exponentially; past
`max_restarts_per_hour` the watchdog gives up, raises an alert and notifies the alert channels.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.services import audit_event_record
from apps.core.alerts import alert_clear, alert_raise
from apps.core.models import Alert
from apps.services import process, runtime
from apps.services.choices import EventKind, ServiceStatus
from apps.services.models import ManagedService, ServiceEvent
from apps.services.notifiers import alert_notify
from apps.services.rules import Decision, watchdog_decide
from apps.services.services import ALERT_KIND, service_claim, service_release, watchdog_restart

logger = logging.getLogger(__name__)

LOOK_CLAIM_S = 15  # a look takes a few seconds at most; the claim only outlives a worker killed mid-look
MAX_THREADS = 8


def watchdog_tick() -> None:
    """Look at every service once, concurrently: a hung health URL must not delay the others."""
    process.reap_children()
    ids = list(ManagedService.objects.values_list("pk", flat=True))
    if not ids:
        return
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(ids)), thread_name_prefix="watchdog") as pool:
        list(pool.map(_watch_one, ids))


def _watch_one(service_id: int) -> None:
    """Runs in a thread with its own database connection."""
    try:
        service = ManagedService.objects.filter(pk=service_id).first()
        if service is not None:
            service_watch(service=service)
    except Exception:  # one broken service must not stop the watch of the others
        logger.exception("watchdog look at service %s failed", service_id)
    finally:
        connection.close()


def service_watch(*, service: ManagedService) -> Decision:
    """Observe one service, record its state and act on it; what the watchdog decided.

    The look holds the service's claim, like a start or stop does: an action never overlaps a look, so the
    watchdog cannot revive a service an admin is stopping, and overlapping ticks skip a service being looked at.
    """
    if not service_claim(service=service, seconds=LOOK_CLAIM_S + service.stop_timeout_s):
        return Decision.NOTHING  # a start, stop or restart is under way and judges the outcome itself
    try:
        return _look(service, now=timezone.now())
    finally:
        service_release(service=service)


def _look(service: ManagedService, *, now: datetime) -> Decision:
    # A starting service is asked every look, so it shows as running as soon as it answers.
    is_health_due = (
        service.status == ServiceStatus.STARTING
        or service.last_health_check_at is None
        or now >= service.last_health_check_at + timedelta(seconds=service.health_interval_s)
    )
    observation = runtime.observe(service, check_health=is_health_due)
    status = runtime.status_from(service, observation, now=now)
    _record(service, status=status, detail=observation.detail, is_health_due=is_health_due, now=now)
    if not (service.is_watchdog_enabled and service.should_run and not service.is_gave_up):
        return Decision.NOTHING
    restarts = ServiceEvent.objects.filter(
        service=service, kind=EventKind.RESTARTED, at__gte=now - timedelta(hours=1)
    ).count()
    decision = watchdog_decide(
        status=status, consecutive_failures=service.consecutive_failures,
        failures_before_restart=service.failures_before_restart, restarts_last_hour=restarts,
        max_restarts_per_hour=service.max_restarts_per_hour, last_restart_at=service.last_restart_at,
        interval_s=service.health_interval_s, now=now,
    )  # fmt: skip
    if decision == Decision.RESTART:
        watchdog_restart(service=service, reason=observation.detail or status)
    elif decision == Decision.GIVE_UP:
        _give_up(service, restarts=restarts, reason=observation.detail or status, now=now)
    return decision


def _record(service: ManagedService, *, status: str, detail: str, is_health_due: bool, now: datetime) -> None:
    previous = service.status
    fields: dict = {"status": status, "status_detail": detail[:500]}
    if is_health_due:
        fields["last_health_check_at"] = now
    if status == ServiceStatus.RUNNING:
        fields.update(consecutive_failures=0, starting_until=None, started_at=service.started_at or now)
        if is_health_due:
            fields["last_heartbeat_at"] = now
    elif runtime.is_failing(status) and is_health_due and service.should_run and not service.is_gave_up:
        fields.update(consecutive_failures=F("consecutive_failures") + 1, error_count=F("error_count") + 1)
    if status == ServiceStatus.RUNNING and service.is_gave_up:
        fields["gave_up_at"] = None  # it came back by itself: stop shouting
    runtime.state_record(service, now=now, **fields)
    _events_for(service, previous=previous, status=status, detail=detail, is_health_due=is_health_due)


def _events_for(service: ManagedService, *, previous: str, status: str, detail: str, is_health_due: bool) -> None:
    if status == ServiceStatus.RUNNING and previous != ServiceStatus.RUNNING and service.should_run:
        runtime.event_record(service, kind=EventKind.RECOVERED, detail={"was": previous, "detail": detail})
        alert_clear(kind=ALERT_KIND, key=service.name)
    elif status == ServiceStatus.CRASHED and previous != ServiceStatus.CRASHED:
        runtime.event_record(service, kind=EventKind.CRASHED, detail={"was": previous, "detail": detail})
    elif status == ServiceStatus.UNHEALTHY and is_health_due and service.should_run and not service.is_gave_up:
        runtime.event_record(service, kind=EventKind.HEALTH_FAILED,
                             detail={"detail": detail, "in_a_row": service.consecutive_failures})  # fmt: skip


@transaction.atomic
def _give_up(service: ManagedService, *, restarts: int, reason: str, now: datetime) -> None:
    """Stop trying: mark the service, log, audit, raise the alert and notify once the row is committed."""
    runtime.state_record(service, now=now, gave_up_at=now)
    detail = {"restarts_last_hour": restarts, "max_restarts_per_hour": service.max_restarts_per_hour,
              "reason": reason}  # fmt: skip
    runtime.event_record(service, kind=EventKind.GAVE_UP, detail=detail)
    audit_event_record(actor=None, actor_label=runtime.WATCHDOG, action="service.watchdog_gave_up",
                       target=f"service:{service.name}", after=detail)  # fmt: skip
    title = f"Watchdog gave up on {service.label}"
    alert_raise(kind=ALERT_KIND, key=service.name, title=title, detail={"service": service.name, **detail},
                severity=Alert.Severity.CRITICAL)  # fmt: skip
    text = (f"PoG Fund: {title} after {restarts} restarts in the last hour. Last problem: {reason}. "
            "Start it from Services once the cause is fixed.")  # fmt: skip
    transaction.on_commit(lambda: alert_notify(text=text))
