"""The 1 s fast path: each trader service's positions (marks, unrealized PnL) read straight from it.

One asyncio task per trader, each with its own HTTP client and the connector's 2 s timeout, run in a
dedicated thread pool: a dead or slow trader only delays its own task, never another trader or the tick.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from apps.live.ticks import PositionMark
from apps.sources.connectors.base import PositionData

logger = logging.getLogger(__name__)

# Fetch this long before each second boundary, so the tick publishes marks a fraction of a second old.
LEAD_S = 0.25


def marks_from(source: str, positions: tuple[PositionData, ...]) -> tuple[PositionMark, ...]:
    return tuple(
        PositionMark(source=source, strategy=p.strategy, symbol=p.symbol, side=p.side, size=p.size,
                     entry_price=p.entry_price, mark_price=p.mark_price, unrealized_pnl=p.unrealized_pnl)
        for p in positions
    )  # fmt: skip


class FastMarks:
    """Latest marks per trader service: (monotonic time fetched, positions), refreshed every second."""

    def __init__(self, *, connector_factory: Callable[[str], object], executor: ThreadPoolExecutor):
        self.connector_factory = connector_factory  # source name -> connector with fetch_positions()
        self.executor = executor
        self.marks: dict[str, tuple[float, tuple[PositionMark, ...]]] = {}
        self._tasks: dict[str, asyncio.Task] = {}

    def track(self, names: set[str]) -> None:
        """Run one refresh task per named trader; stop the tasks of traders no longer listed."""
        for name in set(self._tasks) - names:
            self._tasks.pop(name).cancel()
            self.marks.pop(name, None)
        for name in names - set(self._tasks):
            self._tasks[name] = asyncio.create_task(self._refresh_forever(name), name=f"fast:{name}")

    def stop(self) -> None:
        self.track(set())

    def put(self, name: str, marks: tuple[PositionMark, ...]) -> None:
        """Take marks from elsewhere (a trader's push) as the freshest."""
        self.marks[name] = (time.monotonic(), marks)

    async def _refresh_forever(self, name: str) -> None:
        loop = asyncio.get_running_loop()
        connector, failures = None, 0
        try:
            while True:
                await asyncio.sleep(_until_next_fetch(time.time()))
                try:
                    if connector is None:
                        connector = await loop.run_in_executor(self.executor, self.connector_factory, name)
                    positions = await loop.run_in_executor(self.executor, connector.fetch_positions)
                except Exception as error:  # ConnectorError mostly; anything else must not end the task either
                    failures += 1
                    if failures in (1, 10) or failures % 60 == 0:  # say it, without a line every second
                        logger.warning("fast path of %s failing (%s in a row): %s", name, failures, error)
                    continue
                failures = 0
                self.put(name, marks_from(name, positions))
        finally:
            if connector is not None:
                loop.run_in_executor(self.executor, connector.close)


def _until_next_fetch(now: float) -> float:
    delay = (int(now) + 1 - LEAD_S) - now
    return delay if delay > 0.05 else delay + 1.0
