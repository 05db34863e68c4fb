from celery import shared_task

from apps.core.health import WORKER_HEARTBEAT_KEY, heartbeat_record


@shared_task(name="core.worker_heartbeat_task", ignore_result=True, time_limit=10, soft_time_limit=8)
def worker_heartbeat_task() -> None:
    """Prove the worker consumes the queue (read by /healthz)."""
    heartbeat_record(key=WORKER_HEARTBEAT_KEY)
