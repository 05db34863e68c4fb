"""Cached answers of the equity reads, keyed by a data version that every write bumps after its commit."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "equity:version"
ANSWER_FORMAT = 1  # bump when the answers change shape or meaning, so a deploy never serves the old ones
ANSWER_SECONDS = 3600  # also bounds how long a write that forgot to bump could go unseen


def data_version() -> str:
    """The current version; a new one if the cache lost it (which also lost every answer keyed by the old)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def data_changed() -> None:
    """Call from every write of snapshots or sources: a new version once the transaction commits.

    After the commit, so that a reader can never cache data older than the version it files the answer under.
    """

    def bump() -> None:
        try:
            cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.warning("could not bump the equity data version", exc_info=True)

    transaction.on_commit(bump)


def cached_json(key: str, compute: Callable[[], dict]) -> bytes:
    """`compute()` as JSON bytes, once per data version; a cache outage costs speed, never an answer.

    Bytes, not the dict: a hit is then served without unpickling and re-encoding 250 kB of points.
    """
    try:
        full_key = f"equity:{ANSWER_FORMAT}:{data_version()}:{key}"
        hit = cache.get(full_key)
    except Exception:
        logger.warning("equity cache unavailable", exc_info=True)
        return _encode(compute())
    if hit is not None:
        return hit
    value = _encode(compute())
    try:
        cache.set(full_key, value, ANSWER_SECONDS)
    except Exception:
        logger.warning("equity cache unavailable", exc_info=True)
    return value


def _encode(answer: dict) -> bytes:
    return json.dumps(answer, separators=(",", ":")).encode()
