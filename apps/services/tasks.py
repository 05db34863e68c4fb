from celery import shared_task

from apps.services.watchdog import watchdog_tick


@shared_task(name="services.watchdog_tick_task", ignore_result=True, time_limit=110, soft_time_limit=100)
def watchdog_tick_task() -> None:
    """Look at every managed service and revive or give up on the failing ones (beat runs this every second)."""
    watchdog_tick()
