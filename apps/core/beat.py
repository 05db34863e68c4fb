"""Beat scheduler that records each tick, so /healthz can tell beat is alive."""

import logging
import time

from django_celery_beat.schedulers import DatabaseScheduler

from apps.core.health import BEAT_TICK_KEY, heartbeat_record

logger = logging.getLogger(__name__)


class HealthRecordingScheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler, plus a beat heartbeat in the cache."""

    heartbeat_every_s = 10
    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= self.heartbeat_every_s:
            try:
                heartbeat_record(key=BEAT_TICK_KEY)
                self._last_heartbeat = now
            except Exception:  # a Redis hiccup must not stop scheduling
                logger.exception("could not record the beat heartbeat")
        # Never sleep longer than the heartbeat period, or /healthz would see beat as dead.
        return min(super().tick(*args, **kwargs), self.heartbeat_every_s)
