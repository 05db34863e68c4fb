"""Health of the fund's moving parts, as /healthz reports it.

The Celery worker proves it is alive by running the heartbeat task; beat proves
it by ticking (our scheduler records each tick). Both are written to the cache,
so the check also proves Redis works.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

WORKER_HEARTBEAT_KEY = "health:worker_heartbeat"
BEAT_TICK_KEY = "health:beat_tick"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "failing", "detail": self.detail}


def heartbeat_record(*, key: str, at: datetime | None = None) -> None:
    """Store when a process last showed signs of life (aware UTC, ISO string)."""
    cache.set(key, (at or timezone.now()).isoformat(), timeout=24 * 3600)


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means the check failed
        return Check("database", False, f"{type(error).__name__}: {error}")
    return Check("database", True, connection.vendor)


def check_redis() -> Check:
    try:
        cache.set("health:ping", "pong", timeout=30)
        if cache.get("health:ping") != "pong":
            return Check("redis", False, "wrote a key but could not read it back")
    except Exception as error:
        return Check("redis", False, f"{type(error).__name__}: {error}")
    return Check("redis", True, "ping ok")


def check_fresh(*, name: str, key: str, max_age_s: int) -> Check:
    try:
        raw = cache.get(key)
    except Exception as error:
        return Check(name, False, f"cannot read heartbeat: {type(error).__name__}: {error}")
    if raw is None:
        return Check(name, False, "no heartbeat recorded yet")
    age = timezone.now() - datetime.fromisoformat(raw)
    if age > timedelta(seconds=max_age_s):
        return Check(name, False, f"last heartbeat {int(age.total_seconds())} s ago (limit {max_age_s} s)")
    return Check(name, True, f"last heartbeat {int(age.total_seconds())} s ago")


def health_report() -> tuple[bool, dict]:
    """Run every check; the fund is healthy only when all pass."""
    checks = [
        check_database(),
        check_redis(),
        check_fresh(name="celery_worker", key=WORKER_HEARTBEAT_KEY, max_age_s=settings.HEALTH_WORKER_MAX_AGE_S),
        check_fresh(name="celery_beat", key=BEAT_TICK_KEY, max_age_s=settings.HEALTH_BEAT_MAX_AGE_S),
    ]
    healthy = all(check.ok for check in checks)
    return healthy, {
        "status": "ok" if healthy else "failing",
        "checks": {check.name: check.as_dict() for check in checks},
        "at": timezone.now().isoformat(),
    }
