"""Poll many sources at once: bounded threads, a timeout per call, one source never waits on another."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection
from django.utils import timezone

from apps.sources.models import Source
from apps.sources.services import PollOutcome, source_claim_for_poll, source_poll

logger = logging.getLogger(__name__)

MAX_CONCURRENT_POLLS = 16  # threads mostly wait on the network; the database pool is the real bound


def _poll_one(source_id: int, force: bool) -> PollOutcome | None:
    """Runs in a worker thread with its own database connection (returned to the pool at the end)."""
    try:
        now = timezone.now()
        source = Source.objects.filter(pk=source_id).first()
        if source is None or not source_claim_for_poll(source=source, now=now, force=force):
            return None  # gone, not due yet, or another poller has it
        return source_poll(source=source, now=now)
    except Exception as error:  # one broken source must not take the cycle down
        logger.exception("poll of source %s crashed", source_id)
        return PollOutcome(str(source_id), False, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def sources_poll_due(*, names: list[str] | None = None, force: bool = False,
                     max_workers: int = MAX_CONCURRENT_POLLS) -> list[PollOutcome]:
    """Poll every enabled source that is due (all named ones with force), concurrently."""
    close_old_connections()
    sources = Source.objects.filter(is_enabled=True)
    if names:
        sources = sources.filter(name__in=names)
    ids = list(sources.values_list("pk", flat=True))
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(ids)), thread_name_prefix="poll") as pool:
        outcomes = list(pool.map(lambda pk: _poll_one(pk, force), ids))
    return [outcome for outcome in outcomes if outcome is not None]
