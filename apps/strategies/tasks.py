"""Celery tasks of the strategies app: read the traders' risk settings, retry pushes that did not land."""

from celery import shared_task

from apps.strategies.choices import SyncState
from apps.strategies.models import RiskSetting
from apps.strategies.services import retry_countdown, risk_settings_push, risk_settings_sync_due


@shared_task(name="strategies.risk_sync_due_task", ignore_result=True, time_limit=30, soft_time_limit=25)
def risk_sync_due_task() -> None:
    """Read the risk settings of every trader whose poll interval has passed (beat runs this every second)."""
    risk_settings_sync_due()


@shared_task(bind=True, name="strategies.risk_push_retry_task", ignore_result=True, max_retries=None,
             time_limit=60, soft_time_limit=50)  # fmt: skip
def risk_push_retry_task(self, *, setting_id: int) -> str:
    """Push a pending risk setting again; retried with exponential backoff until it lands or is refused."""
    if not RiskSetting.objects.filter(pk=setting_id, strategy__source__is_enabled=True).exists():
        return "not pushed"  # deleted, or its trader switched off: the sync pushes it once the trader is back on
    result = risk_settings_push(setting_ids=[setting_id], schedule_retry=False).get(setting_id)
    if result is None:
        return "not pushed"
    if result.sync_state == SyncState.PENDING:
        raise self.retry(countdown=retry_countdown(result.attempts))
    return result.sync_state


@shared_task(name="strategies.risk_sync_source_task", ignore_result=True, time_limit=30, soft_time_limit=25)
def risk_sync_source_task(*, source: str) -> None:
    """Read one trader's risk settings now (e.g. when its socket reports a kill switch), whatever its interval."""
    risk_settings_sync_due(names=[source], force=True)
