"""Between a ManagedService row and its OS process: paths, environment, observation, recorded state."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from apps.core.broadcast import broadcast_after_commit
from apps.services import process
from apps.services.choices import ServiceStatus
from apps.services.models import ManagedService, ServiceEvent
from apps.services.rules import Observation, status_evaluate

WATCHDOG = "watchdog"


def services_dir() -> Path:
    return Path(settings.VAR_DIR) / "services"


def log_path(service: ManagedService) -> Path:
    return services_dir() / f"{service.name}.log"


def pid_file_path(service: ManagedService) -> Path:
    if not service.pid_file:
        return services_dir() / f"{service.name}.pid"
    path = Path(service.pid_file)
    return path if path.is_absolute() else Path(settings.BASE_DIR) / path


def working_directory(service: ManagedService) -> str:
    path = Path(service.working_directory or settings.BASE_DIR)
    return str(path if path.is_absolute() else Path(settings.BASE_DIR) / path)


def secret_environment(service: ManagedService) -> dict[str, str]:
    try:
        values = json.loads(service.secret_environment) if service.secret_environment else {}
    except ValueError:
        return {}
    return {str(key): str(value) for key, value in values.items()} if isinstance(values, dict) else {}


def child_environment(service: ManagedService) -> dict[str, str]:
    """The fund's environment plus the service's own and secret variables (a child sees output at once)."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.update({str(key): str(value) for key, value in (service.environment or {}).items()})
    env.update(secret_environment(service))
    return env


def tracked_pid(service: ManagedService) -> tuple[int | None, float | None]:
    """The live PID of the service: the one we started, else the one in its PID file."""
    if service.pid and process.is_alive(service.pid, service.pid_create_time):
        return service.pid, service.pid_create_time
    pid = _pid_from_file(pid_file_path(service))
    if pid and pid != service.pid and process.is_alive(pid):
        return pid, process.create_time_of(pid)
    return None, None


def _pid_from_file(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def pid_file_write(service: ManagedService, pid: int) -> None:
    path = pid_file_path(service)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{pid}\n")


def pid_file_remove(service: ManagedService) -> None:
    pid_file_path(service).unlink(missing_ok=True)


def observe(service: ManagedService, *, check_health: bool) -> Observation:
    """Look at PID, port and (when asked) the health URL; never raises."""
    pid, _ = tracked_pid(service)
    is_alive: bool | None = pid is not None
    if not pid and (service.is_detached or not service.pid):
        is_alive = None  # nothing of ours to watch: the port and health answer decide
    is_port_open = process.port_is_open(service.host, service.port)
    is_healthy, detail = None, ""
    if check_health and is_port_open is not False and service.effective_health_url:
        health = process.health_check(service.effective_health_url)
        is_healthy, detail = health.ok, health.detail
    if not detail:
        detail = _detail(service, pid, is_alive, is_port_open)
    return Observation(is_process_alive=is_alive, is_port_open=is_port_open, is_healthy=is_healthy, detail=detail)


def _detail(service: ManagedService, pid: int | None, is_alive: bool | None, is_port_open: bool | None) -> str:
    parts = []
    if is_alive is False:
        parts.append(f"process {service.pid} is gone" if service.pid else "no process")
    elif pid:
        parts.append(f"pid {pid}")
    if is_port_open is False:
        parts.append(f"nothing listens on {service.host}:{service.port}")
    return "; ".join(parts)


def status_from(service: ManagedService, observation: Observation, *, now: datetime) -> str:
    in_window = service.starting_until is not None and now < service.starting_until
    return status_evaluate(
        observation, previous=service.status, should_run=service.should_run, in_start_window=in_window
    )


def state_record(service: ManagedService, *, now: datetime | None = None, **fields) -> bool:
    """Write observed-state fields (never the definition) and broadcast service_status when it changed."""
    now = now or timezone.now()
    before = (service.status, service.is_gave_up, service.pid)
    if "status" in fields and fields["status"] != service.status:
        fields["status_changed_at"] = now
    if all(not hasattr(v, "resolve_expression") and getattr(service, k) == v for k, v in fields.items()):
        return False  # the watchdog looks every second: most looks change nothing, so write nothing
    ManagedService.objects.filter(pk=service.pk).update(**fields)
    counters = [name for name, value in fields.items() if hasattr(value, "resolve_expression")]  # F() + 1
    for name, value in fields.items():
        if name not in counters:
            setattr(service, name, value)
    if counters:
        service.refresh_from_db(fields=counters)
    changed = before != (service.status, service.is_gave_up, service.pid)
    if changed:
        broadcast_after_commit(event="service_status", payload=status_payload(service, now=now))
    return changed


def event_record(service: ManagedService, *, kind: str, actor=None, actor_label: str = "", detail: dict | None = None):
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = actor_label or (user.get_username() if user else WATCHDOG)
    return ServiceEvent.objects.create(service=service, kind=kind, actor=user, actor_label=label, detail=detail or {})


def status_payload(service: ManagedService, *, now: datetime | None = None) -> dict:
    """What the live socket and the API say about a service's state."""
    return {
        "id": service.pk, "name": service.name, "display_name": service.label, "kind": service.kind,
        "status": service.status, "detail": service.status_detail, "should_run": service.should_run,
        "gave_up": service.is_gave_up, "pid": service.pid, "started_at": service.started_at,
        "uptime_s": service.uptime_s(now), "restart_count": service.restart_count,
        "error_count": service.error_count, "last_heartbeat_at": service.last_heartbeat_at,
        "source": service.source.name if service.source_id else None,
    }  # fmt: skip


def is_failing(status: str) -> bool:
    return status in (ServiceStatus.CRASHED, ServiceStatus.UNHEALTHY)
