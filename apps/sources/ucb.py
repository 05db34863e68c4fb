"""UCB (training service) data: polled like a source, kept in the cache, read with its age."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from apps.accounts.access import require_fund_admin
from apps.core.wire import jsonable
from apps.sources.choices import SourceKind, SourceStatus
from apps.sources.connectors.ucb import UcbSnapshot, ucb_snapshot
from apps.sources.models import Source

UCB_SECTIONS = ("strategies", "training", "models", "gpu")
CACHE_TTL_S = 7 * 24 * 3600  # keep the last good answer long after the service went away


def _cache_key(source: Source) -> str:
    return f"ucb:{source.name}"


def ucb_fetch_and_store(*, source: Source, at: datetime) -> None:
    """Read every UCB endpoint and keep the answer (raises ConnectorError and keeps the old one on failure)."""
    snapshot = ucb_snapshot(base_url=source.base_url)
    cache.set(_cache_key(source), {"fetched_at": at.isoformat(), "sections": _sections(snapshot)}, timeout=CACHE_TTL_S)


def _sections(snapshot: UcbSnapshot) -> dict:
    return jsonable({
        "gpu": {**asdict(snapshot.status), "stats": asdict(snapshot.stats)},
        "strategies": [asdict(item) for item in snapshot.strategies],
        "training": [asdict(item) for item in snapshot.trainings],
        "models": [asdict(item) for item in snapshot.models],
    })  # fmt: skip


def ucb_section(*, user, section: str) -> dict:
    """One section of every UCB source, with when it was fetched and whether the source is stale now."""
    require_fund_admin(user)
    results = []
    for source in Source.objects.filter(kind=SourceKind.UCB, is_enabled=True):
        cached = cache.get(_cache_key(source)) or {}
        fetched_at = cached.get("fetched_at")
        age_s = (timezone.now() - datetime.fromisoformat(fetched_at)).total_seconds() if fetched_at else None
        results.append({
            "source": source.name, "status": source.status, "stale": source.status != SourceStatus.OK,
            "last_error": source.last_error, "fetched_at": fetched_at,
            "age_s": round(age_s, 1) if age_s is not None else None,
            "data": cached.get("sections", {}).get(section),
        })  # fmt: skip
    return {"section": section, "sources": results}
