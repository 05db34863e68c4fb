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


def _poll_one(source: Source, force: bool) -> PollOutcome | None:
    """Runs in a worker thread with its own database connection (returned to the pool at the end)."""
    try:
        now = timezone.now()
        if not source_claim_for_poll(source=source, now=now, force=force):
            return None  # disabled meanwhile, not due yet, or another poller has it
        return source_poll(source=source, now=now)
    except Exception as error:  # one broken source must not take the cycle down
        logger.exception("poll of source %s crashed", source.name)
        return PollOutcome(source.name, False, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def sources_poll_due(*, names: list[str] | None = None, force: bool = False,
                     max_workers: int = MAX_CONCURRENT_POLLS) -> list[PollOutcome]:
    """Poll every enabled source that is due (all named ones with force), concurrently."""
    close_old_connections()
    sources = Source.objects.filter(is_enabled=True)
    if names:
        sources = sources.filter(name__in=names)
    loaded = list(sources)  # one query; each thread then claims its source with a conditional update
    if not loaded:
        return []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(loaded)), thread_name_prefix="poll") as pool:
        outcomes = list(pool.map(lambda source: _poll_one(source, force), loaded))
    return [outcome for outcome in outcomes if outcome is not None]
