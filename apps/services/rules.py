"""The rules of service status and of the watchdog, as plain functions of what was observed (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from apps.services.choices import ServiceStatus

MAX_BACKOFF = timedelta(minutes=15)


@dataclass(frozen=True)
class Observation:
    """What one look at a service found; None means 'not known' (no PID tracked, no port, health not asked)."""

    is_process_alive: bool | None
    is_port_open: bool | None
    is_healthy: bool | None
    detail: str = ""


def status_evaluate(observation: Observation, *, previous: str, should_run: bool, in_start_window: bool) -> str:
    """Running, starting, unhealthy, crashed or stopped, from PID, port and health answer together."""
    if observation.is_healthy:
        return ServiceStatus.RUNNING
    gone = observation.is_process_alive is False
    down = gone or observation.is_port_open is False
    if observation.is_healthy is None and not down:
        # Health was not asked this time: a living process keeps what its last health check said.
        if previous in (ServiceStatus.RUNNING, ServiceStatus.UNHEALTHY):
            return previous
        if observation.is_process_alive is None and observation.is_port_open is None:
            return previous  # nothing was looked at
    if in_start_window and not gone:
        return ServiceStatus.STARTING
    if observation.is_process_alive or observation.is_port_open:
        return ServiceStatus.UNHEALTHY
    return ServiceStatus.CRASHED if should_run else ServiceStatus.STOPPED


class Decision(Enum):
    """What the watchdog does about a service after one look."""

    NOTHING = "nothing"
    WAIT = "wait"  # restart due, but the backoff has not passed yet
    RESTART = "restart"
    GIVE_UP = "give_up"


def backoff(*, restarts_last_hour: int, interval_s: int) -> timedelta:
    """Delay before the next restart: none for the first, then one health interval doubling each time."""
    if restarts_last_hour <= 0:
        return timedelta(0)
    return min(timedelta(seconds=interval_s * 2 ** (restarts_last_hour - 1)), MAX_BACKOFF)


def watchdog_decide(
    *,
    status: str,
    consecutive_failures: int,
    failures_before_restart: int,
    restarts_last_hour: int,
    max_restarts_per_hour: int,
    last_restart_at: datetime | None,
    interval_s: int,
    now: datetime,
) -> Decision:
    """Restart a crashed service at once, a hung one after N failed checks; back off; give up past the hourly cap."""
    crashed = status == ServiceStatus.CRASHED
    hung = status == ServiceStatus.UNHEALTHY and consecutive_failures >= failures_before_restart
    if not (crashed or hung):
        return Decision.NOTHING
    if restarts_last_hour >= max_restarts_per_hour:
        return Decision.GIVE_UP
    delay = backoff(restarts_last_hour=restarts_last_hour, interval_s=interval_s)
    if last_restart_at is not None and now < last_restart_at + delay:
        return Decision.WAIT
    return Decision.RESTART
