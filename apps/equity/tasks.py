import logging

from celery import shared_task

from apps.equity.analytics import equity_answers_warm
from apps.equity.services import equity_import_run, equity_snapshot_take

logger = logging.getLogger(__name__)


def _warm() -> None:
    # Best effort: a cold cache only makes the next page view slower.
    try:
        equity_answers_warm()
    except Exception:
        logger.exception("could not warm the equity answers")


@shared_task(name="equity.snapshot_task", ignore_result=True, time_limit=120, soft_time_limit=100)
def equity_snapshot_task() -> None:
    """Record this hour's equity snapshot of every source and of the fund, then warm the Equity tab's answers."""
    equity_snapshot_take()
    _warm()


# Time limits fit a file of a few hundred thousand rows; the import commits chunk by chunk, and a rerun merges.
@shared_task(name="equity.import_run_task", ignore_result=True, time_limit=1800, soft_time_limit=1740)
def equity_import_run_task(*, import_id: int) -> None:
    """Validate and merge one history import (a file, JSON rows or a pull from a source)."""
    equity_import_run(import_id=import_id)
    _warm()
