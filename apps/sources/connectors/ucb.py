"""Client for the UCB training service's read endpoints (shared/contracts/trader-api.md, UCB section)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from apps.sources.connectors.base import DEFAULT_TIMEOUT_S
from apps.sources.connectors.http import JsonHttpClient
from apps.sources.connectors.parsing import (
    as_dict,
    decimal_at,
    int_at,
    iso_at,
    optional_iso_at,
    text_at,
)
from apps.sources.connectors.trader_service import listed


@dataclass(frozen=True, slots=True)
class GpuInfo:
    """The training GPU as /api/status reports it."""

    name: str
    utilization_pct: Decimal
    memory_used_mb: int
    memory_total_mb: int


@dataclass(frozen=True, slots=True)
class UcbStatus:
    """GET /api/status of UCB."""

    service: str
    gpu: GpuInfo | None
    active_trainings: int
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class UcbStrategy:
    """A strategy UCB serves a model for."""

    strategy_id: str
    symbol: str
    status: str


@dataclass(frozen=True, slots=True)
class UcbTraining:
    """A training run in progress."""

    strategy_id: str
    symbol: str
    episode: int
    progress_pct: Decimal
    best_reward: Decimal
    started_at: datetime | None


@dataclass(frozen=True, slots=True)
class UcbModel:
    """A trained model and its score."""

    strategy_id: str
    symbol: str
    score: Decimal
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class UcbStats:
    """GET /api/stats totals."""

    models: int
    episodes_total: int
    gpu_hours: Decimal


@dataclass(frozen=True, slots=True)
class UcbSnapshot:
    """Everything UCB's read endpoints say at one time."""

    status: UcbStatus
    strategies: tuple[UcbStrategy, ...]
    trainings: tuple[UcbTraining, ...]
    models: tuple[UcbModel, ...]
    stats: UcbStats


def parse_gpu(value: Any, *, where: str) -> GpuInfo | None:
    """The `gpu` object, or None when UCB runs without one (null or absent)."""
    if value is None:
        return None
    gpu = as_dict(value, where=where)
    return GpuInfo(
        name=text_at(gpu, "name", where=where),
        utilization_pct=decimal_at(gpu, "utilization_pct", where=where),
        memory_used_mb=int_at(gpu, "memory_used_mb", where=where),
        memory_total_mb=int_at(gpu, "memory_total_mb", where=where),
    )


def parse_ucb_status(body: Any, *, where: str) -> UcbStatus:
    """GET /api/status."""
    body = as_dict(body, where=where)
    return UcbStatus(
        service=text_at(body, "service", where=where),
        gpu=parse_gpu(body.get("gpu"), where=f"{where}.gpu"),
        active_trainings=int_at(body, "active_trainings", where=where),
        timestamp=iso_at(body, "timestamp", where=where),
    )


def parse_ucb_strategy(item: Any, *, where: str) -> UcbStrategy:
    """One item of /api/strategies."""
    item = as_dict(item, where=where)
    return UcbStrategy(
        strategy_id=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        status=text_at(item, "status", where=where),
    )


def parse_ucb_training(item: Any, *, where: str) -> UcbTraining:
    """One item of /api/training/sync."""
    item = as_dict(item, where=where)
    return UcbTraining(
        strategy_id=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        episode=int_at(item, "episode", where=where),
        progress_pct=decimal_at(item, "progress_pct", where=where),
        best_reward=decimal_at(item, "best_reward", where=where),
        started_at=optional_iso_at(item, "started_at", where=where),
    )


def parse_ucb_model(item: Any, *, where: str) -> UcbModel:
    """One item of /api/models."""
    item = as_dict(item, where=where)
    return UcbModel(
        strategy_id=text_at(item, "strategy_id", where=where),
        symbol=text_at(item, "symbol", where=where),
        score=decimal_at(item, "score", where=where),
        created_at=optional_iso_at(item, "created_at", where=where),
    )


def parse_ucb_stats(body: Any, *, where: str) -> UcbStats:
    """GET /api/stats."""
    body = as_dict(body, where=where)
    return UcbStats(
        models=int_at(body, "models", where=where),
        episodes_total=int_at(body, "episodes_total", where=where),
        gpu_hours=decimal_at(body, "gpu_hours", where=where),
    )


class UcbClient:
    """Reads the UCB service with a timeout on every call."""

    def __init__(self, *, base_url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.http = JsonHttpClient(base_url=base_url, timeout_s=timeout_s, name=f"ucb {base_url}")

    def _items(self, path: str, key: str, parse: Any) -> tuple[Any, ...]:
        """The parsed items of an endpoint answering {key: [...]}."""
        items = listed(self.http.get_json(path), key, where=path)
        return tuple(parse(item, where=f"{path}[{i}]") for i, item in enumerate(items))

    def status(self) -> UcbStatus:
        """GET /api/status."""
        return parse_ucb_status(self.http.get_json("/api/status"), where="/api/status")

    def strategies(self) -> tuple[UcbStrategy, ...]:
        """GET /api/strategies."""
        return self._items("/api/strategies", "strategies", parse_ucb_strategy)

    def trainings(self) -> tuple[UcbTraining, ...]:
        """GET /api/training/sync."""
        return self._items("/api/training/sync", "trainings", parse_ucb_training)

    def models(self) -> tuple[UcbModel, ...]:
        """GET /api/models."""
        return self._items("/api/models", "models", parse_ucb_model)

    def stats(self) -> UcbStats:
        """GET /api/stats."""
        return parse_ucb_stats(self.http.get_json("/api/stats"), where="/api/stats")

    def snapshot(self) -> UcbSnapshot:
        """All five reads."""
        return UcbSnapshot(
            status=self.status(),
            strategies=self.strategies(),
            trainings=self.trainings(),
            models=self.models(),
            stats=self.stats(),
        )

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()


def ucb_snapshot(*, base_url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> UcbSnapshot:
    """Read /api/status, /api/strategies, /api/training/sync, /api/models and /api/stats of a UCB service."""
    client = UcbClient(base_url=base_url, timeout_s=timeout_s)
    try:
        return client.snapshot()
    finally:
        client.close()
