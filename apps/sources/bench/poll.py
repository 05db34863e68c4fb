"""`bench poll`: one full poll cycle of 10 big traders, concurrent vs the same work done sequentially."""

from __future__ import annotations

import statistics
import time

import httpx
from django.db import connection

from apps.sources.bench.fake_traders import FakeTraders
from apps.sources.choices import SourceKind
from apps.sources.models import Order, Position, Source, Trade
from apps.sources.polling import MAX_CONCURRENT_POLLS, sources_poll_due

TRADERS, POSITIONS, ORDERS, TRADES = 10, 200, 500, 5000


def _cycle(*, workers: int) -> float:
    started = time.perf_counter()
    outcomes = sources_poll_due(force=True, max_workers=workers)
    elapsed = time.perf_counter() - started
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if failed or len(outcomes) != TRADERS:
        raise RuntimeError(f"a benchmark poll failed: {failed or outcomes}")
    return elapsed


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def _changed_cycles(urls: list[str], *, workers: int, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        for url in urls:  # not timed: the traders' marks move between polls
            httpx.post(f"{url}/control/move-marks", params={"fraction": "0.1"}, timeout=5).raise_for_status()
        samples.append(_cycle(workers=workers))
    return samples


def run(*, repeats: int, latency_ms: float) -> dict:
    """Measure in a throwaway database; return the figures."""
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with FakeTraders(count=TRADERS, positions=POSITIONS, orders=ORDERS, trades=TRADES,
                         latency_s=latency_ms / 1000) as urls:  # fmt: skip
            for i, url in enumerate(urls):
                Source.objects.create(name=f"bench-{i}", kind=SourceKind.TRADER_SERVICE, base_url=url)
            first_load = _cycle(workers=MAX_CONCURRENT_POLLS)
            rows = {"positions": Position.objects.count(), "orders": Order.objects.count(),
                    "trades": Trade.objects.count()}  # fmt: skip
            steady = [_cycle(workers=MAX_CONCURRENT_POLLS) for _ in range(repeats)]
            steady_seq = [_cycle(workers=1) for _ in range(max(3, repeats // 2))]
            changed = _changed_cycles(urls, workers=MAX_CONCURRENT_POLLS, repeats=repeats)
            changed_seq = _changed_cycles(urls, workers=1, repeats=max(3, repeats // 2))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return {
        "traders": TRADERS, "positions_each": POSITIONS, "orders_each": ORDERS, "trades_each": TRADES,
        "trader_latency_ms": latency_ms, "database": connection.vendor, "rows_after_first_load": rows,
        "first_load_ms": round(first_load * 1000, 1),
        "steady_concurrent_median_ms": _median_ms(steady), "steady_sequential_median_ms": _median_ms(steady_seq),
        "steady_speedup": round(statistics.median(steady_seq) / statistics.median(steady), 2),
        "changed_concurrent_median_ms": _median_ms(changed), "changed_sequential_median_ms": _median_ms(changed_seq),
        "changed_speedup": round(statistics.median(changed_seq) / statistics.median(changed), 2),
        "targets": {"steady_ms": 250, "changed_ms": 400, "speedup": 5},
    }  # fmt: skip
