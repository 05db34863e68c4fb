from celery import shared_task

from apps.sources.polling import sources_poll_due


@shared_task(name="sources.poll_due_sources_task", ignore_result=True, time_limit=30, soft_time_limit=25)
def poll_due_sources_task() -> None:
    """Poll every source whose interval has passed (beat runs this every second)."""
    sources_poll_due()
