"""Every periodic task of the fund, in one place.

Beat runs django-celery-beat's DatabaseScheduler, which copies these entries into
the database at start-up; from then on they are editable in Django admin.
"""

CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.worker_heartbeat_task", "schedule": 15.0},
    # Each source has its own interval; this only looks for the due ones. expires: no backlog after a pause.
    "poll-due-sources": {"task": "sources.poll_due_sources_task", "schedule": 1.0, "options": {"expires": 2}},
}
