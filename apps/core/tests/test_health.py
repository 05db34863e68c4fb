from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.core.health import BEAT_TICK_KEY, WORKER_HEARTBEAT_KEY, heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_heartbeats():
    cache.delete_many([WORKER_HEARTBEAT_KEY, BEAT_TICK_KEY])


def test_healthz_fails_naming_worker_and_beat_when_they_never_ran(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["redis"]["status"] == "ok"
    assert checks["celery_worker"] == {"status": "failing", "detail": "no heartbeat recorded yet"}
    assert checks["celery_beat"] == {"status": "failing", "detail": "no heartbeat recorded yet"}


def test_healthz_is_200_when_every_part_is_fresh(client):
    heartbeat_record(key=WORKER_HEARTBEAT_KEY)
    heartbeat_record(key=BEAT_TICK_KEY)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_fails_on_a_stale_worker_heartbeat(client, settings):
    settings.HEALTH_WORKER_MAX_AGE_S = 60
    heartbeat_record(key=WORKER_HEARTBEAT_KEY, at=timezone.now() - timedelta(seconds=300))
    heartbeat_record(key=BEAT_TICK_KEY)

    response = client.get("/healthz")

    assert response.status_code == 503
    detail = response.json()["checks"]["celery_worker"]["detail"]
    assert detail.startswith("last heartbeat 30") and detail.endswith("(limit 60 s)")


def test_healthz_reports_an_unreachable_redis(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["status"] == "failing"
    assert "ConnectionError" in checks["redis"]["detail"]
    assert checks["database"]["status"] == "ok"
