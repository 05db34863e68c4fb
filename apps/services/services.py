"""Write use-cases of the services app: start, stop and restart managed processes (audited).

Commands run in the process that asks: the web process for the buttons, API and admin, the Celery worker
for the watchdog, `runfund` when the fund starts and stops. Each action claims its services first
(a conditional update of busy_until), so two actions, or an action and the watchdog, never overlap.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.core.alerts import alert_clear
from apps.services import process, runtime
from apps.services.choices import EventKind, ServiceStatus
from apps.services.models import ManagedService

ALERT_KIND = "service_gave_up"
CLAIM_MARGIN_S = 15
POLL_S = 0.25
ACTION_WAIT_S = 5.0  # an action waits this long for a watchdog look (health timeout + port probe) to finish


@dataclass
class ActionResult:
    """The outcome of one action on one service, as the buttons, API and admin report it."""

    service: str
    action: str
    ok: bool
    status: str
    detail: str
    output_tail: str = ""
    is_conflict: bool = False  # another action held the service


@dataclass
class _Actor:
    user: object = None
    label: str = ""
    ip: str | None = None


@dataclass
class _Starting:
    service: ManagedService
    deadline: float
    began: float = field(default_factory=time.monotonic)


def service_start(*, service: ManagedService, actor, ip: str | None = None) -> ActionResult:
    """Start a service and wait for its health answer (or its start timeout); audited."""
    return services_start(services=[service], actor=actor, ip=ip)[0]


def service_stop(*, service: ManagedService, actor, ip: str | None = None) -> ActionResult:
    """Stop a service: its stop command or SIGTERM to its process group, then SIGKILL; audited."""
    return services_stop(services=[service], actor=actor, ip=ip)[0]


def service_restart(*, service: ManagedService, actor, ip: str | None = None) -> ActionResult:
    """Stop then start a service under one claim; audited."""
    who = _Actor(actor, ip=ip)
    if not _claim(service, seconds=service.stop_timeout_s + service.start_timeout_s + CLAIM_MARGIN_S):
        return _busy(service, "restart", who)
    try:
        stopped = _stop_claimed(service, who, action="restart", keep_desired=True, audit=False)
        if not stopped.ok:
            _audit(service, who, "restart", stopped)
            return stopped
        ManagedService.objects.filter(pk=service.pk).update(restart_count=F("restart_count") + 1)
        service.refresh_from_db()
        return _start_claimed([service], who, action="restart")[0]
    finally:
        _release([service])


def services_start(*, services: list[ManagedService], actor, ip: str | None = None, actor_label: str = "",
                   cancel: threading.Event | None = None) -> list[ActionResult]:  # fmt: skip
    """Start several services at once and wait for all of them (start-all, the fund's boot)."""
    who = _Actor(actor, actor_label, ip)
    results, claimed = {}, []
    for service in services:
        if _claim(service, seconds=service.start_timeout_s + CLAIM_MARGIN_S):
            claimed.append(service)
        else:
            results[service.pk] = _busy(service, "start", who)
    try:
        results.update(zip([s.pk for s in claimed], _start_claimed(claimed, who, "start", cancel), strict=True))
    finally:
        _release(claimed)
    return [results[service.pk] for service in services]


def services_stop(*, services: list[ManagedService], actor, ip: str | None = None, actor_label: str = "",
                  force: bool = False) -> list[ActionResult]:  # fmt: skip
    """Stop several services (stop-all, the fund's exit; force ignores a claim held by a start in progress)."""
    who = _Actor(actor, actor_label, ip)
    results = []
    for service in services:
        if not _claim(service, seconds=service.stop_timeout_s + CLAIM_MARGIN_S, force=force):
            results.append(_busy(service, "stop", who))
            continue
        try:
            results.append(_stop_claimed(service, who, action="stop", keep_desired=False))
        finally:
            _release([service])
    return results


def services_stop_for_fund_exit() -> list[ActionResult]:
    """Stop every service this host runs that the fund started, so nothing outlives `runfund`."""
    ours = ManagedService.objects.filter(is_detached=False)  # a detached service outlives the fund by design
    running = [s for s in ours if s.start_with_fund or runtime.tracked_pid(s)[0]]
    return services_stop(services=running, actor=None, actor_label="runfund", force=True)


def service_claim(*, service: ManagedService, seconds: float) -> bool:
    """Hold a service for a watchdog look; False if an action holds it (the look is skipped)."""
    return _claim(service, seconds=seconds, wait_s=0)


def service_release(*, service: ManagedService) -> None:
    _release([service])


def watchdog_restart(*, service: ManagedService, reason: str) -> None:
    """Kill what is left of a failing service and launch it again, without waiting (the next looks judge it).

    The caller (a watchdog look) holds the service's claim.
    """
    _kill_process(service)
    now = timezone.now()
    runtime.state_record(service, now=now, restart_count=F("restart_count") + 1, last_restart_at=now)
    runtime.event_record(service, kind=EventKind.RESTARTED, actor_label=runtime.WATCHDOG,
                         detail={"reason": reason, "restart": service.restart_count})  # fmt: skip
    failure = _launch(service)
    audit_event_record(actor=None, actor_label=runtime.WATCHDOG, action="service.watchdog_restart",
                       target=f"service:{service.name}", after={"reason": reason, "launch": failure or "ok"},
                       outcome=AuditOutcome.FAILURE if failure else AuditOutcome.SUCCESS)  # fmt: skip
    if failure:
        runtime.state_record(service, status=ServiceStatus.CRASHED, status_detail=failure[:500],
                             error_count=F("error_count") + 1)  # fmt: skip
        runtime.event_record(service, kind=EventKind.START_FAILED, actor_label=runtime.WATCHDOG,
                             detail={"detail": failure})  # fmt: skip


def _start_claimed(services, who: _Actor, action: str, cancel=None) -> list[ActionResult]:
    results: dict[int, ActionResult] = {}
    waiting: list[_Starting] = []
    for service in services:
        begun = _begin_start(service, who, action)
        if isinstance(begun, ActionResult):
            results[service.pk] = begun
        else:
            waiting.append(begun)
    for service, result in _await_health(waiting, who, action, cancel):
        results[service.pk] = result
    return [results[service.pk] for service in services]


def _begin_start(service: ManagedService, who: _Actor, action: str) -> ActionResult | _Starting:
    observation = runtime.observe(service, check_health=True)
    if observation.is_healthy:
        runtime.state_record(service, status=ServiceStatus.RUNNING, should_run=True, gave_up_at=None,
                             started_at=service.started_at or timezone.now(), starting_until=None)  # fmt: skip
        return _finish(service, who, action, ok=True, detail="already running")
    runtime.state_record(service, should_run=True, gave_up_at=None, consecutive_failures=0)
    if not observation.is_process_alive:
        failure = _launch(service)
        if failure:
            return _finish(service, who, action, ok=False, detail=failure)
    return _Starting(service, deadline=time.monotonic() + service.start_timeout_s)


def _launch(service: ManagedService) -> str:
    """Start the process and record it as starting; the reason when it could not even be started."""
    argv, cwd, log = service.start_command, runtime.working_directory(service), runtime.log_path(service)
    env = runtime.child_environment(service)
    now = timezone.now()
    until = now + timedelta(seconds=service.start_timeout_s)
    try:
        if service.is_detached:
            code = process.run_command(argv=argv, cwd=cwd, env=env, log_path=log, timeout_s=service.start_timeout_s)
            if code != 0:
                return f"the start command exited with {code}"
            runtime.state_record(service, now=now, status=ServiceStatus.STARTING, starting_until=until,
                                 pid=None, pid_create_time=None, started_at=now, status_detail="")  # fmt: skip
            return ""
        launched = process.launch(argv=argv, cwd=cwd, env=env, log_path=log)
    except process.LaunchError as error:
        return f"could not run {argv[0]!r}: {error}"
    except TimeoutError:
        return f"the start command did not return within {service.start_timeout_s} s"
    runtime.pid_file_write(service, launched.pid)
    runtime.state_record(service, now=now, status=ServiceStatus.STARTING, starting_until=until, pid=launched.pid,
                         pid_create_time=launched.create_time, log_offset=launched.log_offset, started_at=now,
                         status_detail=f"pid {launched.pid}")  # fmt: skip
    return ""


def _await_health(waiting: list[_Starting], who: _Actor, action: str, cancel):
    """Poll every starting service until it answers, dies, times out, or the caller cancels."""
    while waiting:
        for starting in list(waiting):
            outcome = _start_progress(starting)
            if outcome is None and cancel is not None and cancel.is_set():
                outcome = (False, "cancelled: the fund is stopping")
            if outcome is not None:
                waiting.remove(starting)
                ok, detail = outcome
                if not ok:
                    _kill_process(starting.service)
                yield starting.service, _finish(starting.service, who, action, ok=ok, detail=detail)
        if waiting:
            time.sleep(POLL_S)


def _start_progress(starting: _Starting) -> tuple[bool, str] | None:
    service = starting.service
    if not service.is_detached and not process.is_alive(service.pid, service.pid_create_time):
        return False, "the process exited while starting"
    health = process.health_check(service.effective_health_url, timeout_s=1.0)
    if health.ok:
        return True, f"healthy after {time.monotonic() - starting.began:.1f} s"
    if time.monotonic() >= starting.deadline:
        return False, f"no healthy answer within {service.start_timeout_s} s ({health.detail})"
    return None


def _finish(service: ManagedService, who: _Actor, action: str, *, ok: bool, detail: str) -> ActionResult:
    now = timezone.now()
    tail = "" if ok else process.log_tail(runtime.log_path(service), offset=service.log_offset)
    if ok:
        runtime.state_record(service, now=now, status=ServiceStatus.RUNNING, status_detail=detail,
                             starting_until=None, last_heartbeat_at=now, last_health_check_at=now)  # fmt: skip
        if alert_clear(kind=ALERT_KIND, key=service.name):
            runtime.event_record(service, kind=EventKind.RECOVERED, actor=who.user, actor_label=who.label)
    else:
        runtime.state_record(service, now=now, status=ServiceStatus.CRASHED, status_detail=detail[:500],
                             starting_until=None, error_count=F("error_count") + 1)  # fmt: skip
    kind = EventKind.STARTED if ok else EventKind.START_FAILED
    detail_record = {"action": action, "detail": detail, "pid": service.pid, "output_tail": tail}
    runtime.event_record(service, kind=kind, actor=who.user, actor_label=who.label, detail=detail_record)
    result = ActionResult(service.name, action, ok, service.status, detail, tail)
    _audit(service, who, action, result)
    return result


def _stop_claimed(service, who: _Actor, *, action: str, keep_desired: bool, audit: bool = True) -> ActionResult:
    before = service.status
    if not keep_desired:
        runtime.state_record(service, should_run=False)  # first, so the watchdog leaves it alone from now on
    outcome = _kill_process(service)
    still_open = _wait_port_closed(service)
    ok = not still_open and "did not go away" not in outcome
    detail = outcome if ok else f"{outcome}; {service.host}:{service.port} still answers"
    runtime.state_record(service, status=ServiceStatus.STOPPED if ok else ServiceStatus.UNHEALTHY,
                         status_detail=detail[:500], pid=None, pid_create_time=None, started_at=None,
                         starting_until=None, consecutive_failures=0)  # fmt: skip
    runtime.event_record(service, kind=EventKind.STOPPED, actor=who.user, actor_label=who.label,
                         detail={"action": action, "detail": detail, "was": before})  # fmt: skip
    result = ActionResult(service.name, action, ok, service.status, detail)
    if audit:
        _audit(service, who, action, result, before=before)
    return result


def _kill_process(service: ManagedService) -> str:
    """End the service's processes (stop command first, if it has one); what happened, in words."""
    pid, create_time = runtime.tracked_pid(service)
    log = runtime.log_path(service)
    outcome = ""
    if service.stop_command:
        outcome = _run_stop_command(service)
    if pid and process.is_alive(pid, create_time):
        process.log_line(log, f"stopping pid {pid} (SIGTERM to its process group)")
        outcome = process.terminate(pid=pid, create_time=create_time, timeout_s=service.stop_timeout_s)
        process.log_line(log, outcome)
    elif service.pid and not service.is_detached:
        process.terminate(pid=service.pid, create_time=service.pid_create_time, timeout_s=1.0)  # leftovers
    if not service.is_detached:
        runtime.pid_file_remove(service)
    return outcome or "not running"


def _run_stop_command(service: ManagedService) -> str:
    try:
        code = process.run_command(argv=service.stop_command, cwd=runtime.working_directory(service),
                                   env=runtime.child_environment(service), log_path=runtime.log_path(service),
                                   timeout_s=service.stop_timeout_s)  # fmt: skip
    except process.LaunchError as error:
        return f"could not run the stop command: {error}"
    except TimeoutError:
        return f"the stop command did not return within {service.stop_timeout_s} s"
    return "stopped by its stop command" if code == 0 else f"the stop command exited with {code}"


def _wait_port_closed(service: ManagedService, timeout_s: float = 3.0) -> bool:
    """True if the port still answers after the wait (someone else is serving it)."""
    deadline = time.monotonic() + timeout_s
    while process.port_is_open(service.host, service.port):
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.1)
    return False


def _audit(service, who: _Actor, action: str, result: ActionResult, before: str | None = None) -> None:
    audit_event_record(
        actor=who.user, actor_label=who.label, action=f"service.{action}", target=f"service:{service.name}",
        before={"status": before} if before else None,
        after={"status": result.status, "detail": result.detail, "pid": service.pid},
        outcome=AuditOutcome.SUCCESS if result.ok else AuditOutcome.FAILURE, ip=who.ip,
    )  # fmt: skip


def _busy(service: ManagedService, action: str, who: _Actor) -> ActionResult:
    result = ActionResult(
        service.name, action, False, service.status, "another action on this service is running", is_conflict=True
    )
    _audit(service, who, action, result)
    return result


def _claim(service: ManagedService, *, seconds: float, force: bool = False, wait_s: float = ACTION_WAIT_S) -> bool:
    """Take the service with a conditional update (never read-then-write); retry for wait_s if it is held."""
    deadline = time.monotonic() + wait_s
    while True:
        now: datetime = timezone.now()
        rows = ManagedService.objects.filter(pk=service.pk)
        if not force:
            rows = rows.filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))
        if rows.update(busy_until=now + timedelta(seconds=seconds)) == 1:
            service.refresh_from_db()  # what the previous holder left, not what we read before
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _release(services) -> None:
    ManagedService.objects.filter(pk__in=[s.pk for s in services]).update(busy_until=None)
