"""Every periodic task of the fund, in one place.

Beat runs django-celery-beat's DatabaseScheduler, which copies these entries into
the database at start-up; from then on they are editable in Django admin.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.worker_heartbeat_task", "schedule": 15.0},
    # Each source has its own interval; this only looks for the due ones. expires: no backlog after a pause.
    "poll-due-sources": {"task": "sources.poll_due_sources_task", "schedule": 1.0, "options": {"expires": 2}},
    # Reads each trader's risk settings at its poll interval (the task skips traders not yet due); also retries
    # pushes that are still pending once their trader answers again.
    "risk-sync-due": {"task": "strategies.risk_sync_due_task", "schedule": 1.0, "options": {"expires": 2}},
    # Looks at every managed service each second; each one's health interval decides when its URL is asked.
    "services-watchdog": {"task": "services.watchdog_tick_task", "schedule": 1.0, "options": {"expires": 2}},
    # Minute 0 of every hour; expires: a snapshot run late would land in the next hour's bucket anyway.
    "equity-snapshot": {"task": "equity.snapshot_task", "schedule": crontab(minute=0), "options": {"expires": 3300}},
}
