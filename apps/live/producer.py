"""The single 1 Hz live-PnL producer: one leader (a Redis lock), a tick on every wall-clock second.

Each second it composes the books it holds (trader marks from the fast path, the rest from the database),
builds the realtime_pnl tick and publishes it on one Redis pub/sub channel that every web process's hub
listens to. Nothing slow happens on the tick: the database and the traders are read by their own tasks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from asgiref.sync import sync_to_async
from celery import current_app
from channels.layers import get_channel_layer
from django.db import close_old_connections, connection
from redis.exceptions import RedisError

from apps.core.broadcast import LIVE_GROUP
from apps.core.wire import jsonable
from apps.live import keys
from apps.live.book_state import DbBook, books_compose, db_book_load
from apps.live.fastpath import FastMarks, marks_from
from apps.live.push import TraderPushListeners
from apps.live.ticks import snapshot_build, tick_build
from apps.sources.connectors import PositionData, TradeData, connector_for
from apps.sources.models import Source
from apps.sources.polling import sources_poll_due
from apps.sources.rules import risk_reward

logger = logging.getLogger(__name__)

LOCK_TTL_MS = 3000  # a dead leader is replaced within 3 s
DB_REFRESH_OFFSET_S = 0.5  # read the database half-way between ticks
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class LeaderLock:
    """Only the holder publishes: a second producer started by mistake stands by instead of doubling ticks."""

    def __init__(self, redis, *, key: str, ttl_ms: int = LOCK_TTL_MS):
        self.redis, self.key, self.ttl_ms = redis, key, ttl_ms
        self.token = uuid.uuid4().hex

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def renew(self) -> bool:
        return bool(await self.redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, self.token)


def _connector_for_name(name: str):
    return connector_for(Source.objects.get(name=name))


def _db_call(function, *args):
    """Run ORM work on the producer's database thread; a broken connection is dropped, not reused."""
    close_old_connections()
    try:
        return function(*args)
    except Exception:
        connection.close()
        raise


def trade_payload(source: str, trade: TradeData) -> dict:
    """A pushed trade in the shape sources' polling announces it, so browsers treat both alike."""
    return {
        "source": source, "external_id": trade.external_id, "strategy": trade.strategy, "symbol": trade.symbol,
        "side": trade.side, "size": trade.size, "entry_price": trade.entry_price, "exit_price": trade.exit_price,
        "realized_pnl": trade.realized_pnl, "fees": trade.fees, "closed_at": trade.closed_at,
        "risk_reward": risk_reward(entry=trade.entry_price, exit_price=trade.exit_price, stop_loss=trade.stop_loss,
                                   realized_pnl=trade.realized_pnl),
    }  # fmt: skip


class LiveProducer:
    """Leads (or stands by), ticks, and keeps its books fresh; `run` returns when `stop` is set."""

    def __init__(self, *, redis, clock=time.time, use_push: bool = True, use_fast_path: bool = True):
        self.redis = redis
        self.clock = clock
        self.lock = LeaderLock(redis, key=keys.leader_key())
        self.db_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-db")
        self.fetch_executor = ThreadPoolExecutor(max_workers=16, thread_name_prefix="live-fetch")
        self.fast = FastMarks(connector_factory=_connector_for_name, executor=self.fetch_executor)
        self.push = TraderPushListeners(self) if use_push else None
        self.use_fast_path = use_fast_path
        self.db: DbBook | None = None
        self.sent: dict = {}
        self.seq = 0

    async def run(self, stop: asyncio.Event) -> None:
        announced = False
        while not stop.is_set():
            try:
                leading = await self.lock.acquire()
            except (RedisError, OSError) as error:
                logger.warning("live producer: Redis unreachable (%s); retrying", error)
                await _wait(stop, 1.0)
                continue
            if leading:
                logger.info("live producer: leading, one tick a second on %s", keys.tick_channel())
                announced = False
                try:
                    await self._lead(stop)
                except (RedisError, OSError) as error:
                    logger.warning("live producer: Redis failed while leading (%s); standing by", error)
                finally:
                    await self._release_quietly()
            else:
                if not announced:
                    logger.info("live producer: another producer leads; standing by")
                    announced = True
                await _wait(stop, 1.0)
        await self.close()

    async def _release_quietly(self) -> None:
        try:
            await self.lock.release()
        except (RedisError, OSError):
            pass  # the lock expires by itself within LOCK_TTL_MS

    async def close(self) -> None:
        """Release the database connection and the thread pools."""
        await asyncio.get_running_loop().run_in_executor(self.db_executor, _close_connection)
        self.db_executor.shutdown(wait=True)
        self.fetch_executor.shutdown(wait=False)

    async def _lead(self, stop: asyncio.Event) -> None:
        self.sent = {}  # a new leader sends every position once: it cannot know what clients hold
        self.seq = int(await self.redis.get(keys.sequence_key()) or 0)
        await self.refresh_db()
        refresher = asyncio.create_task(self._refresh_db_forever(), name="live-db-refresh")
        boundary = math.floor(self.clock()) + 1
        try:
            while not stop.is_set():
                if await _wait(stop, boundary - self.clock()):
                    break
                if not await self.lock.renew():
                    logger.warning("live producer: lost the lead; standing by")
                    break
                await self.tick(at=boundary)
                # The next boundary from the schedule, not from "now": no drift, and an overrun skips ahead.
                boundary = max(boundary + 1, math.floor(self.clock()) + 1)
        finally:
            refresher.cancel()
            self.fast.stop()
            if self.push is not None:
                await self.push.stop()

    async def tick(self, *, at: float | None = None) -> dict | None:
        """Compose, build and publish one tick; returns the message (None before the first database read)."""
        if self.db is None:
            return None
        books = books_compose(db=self.db, fast=self.fast.marks, now_monotonic=time.monotonic())
        self.seq += 1
        now = datetime.fromtimestamp(max(self.clock(), at or 0.0), UTC)
        message, self.sent = tick_build(books=books, sent=self.sent, seq=self.seq, now=now)
        snapshot = snapshot_build(books=books, sent=self.sent, seq=self.seq, now=now)
        pipe = self.redis.pipeline(transaction=False)
        # The snapshot is written before the tick goes out: a client reading it never misses the next tick.
        pipe.set(keys.snapshot_key(), json.dumps(snapshot, separators=(",", ":")), ex=10)
        pipe.set(keys.sequence_key(), self.seq)
        pipe.rpush(keys.history_key(), json.dumps([message["ts_ms"], message["total"]["open_pnl"]]))
        pipe.ltrim(keys.history_key(), -keys.TICK_HISTORY_LENGTH, -1)
        pipe.publish(keys.tick_channel(), json.dumps(message, separators=(",", ":")))
        await pipe.execute()
        return message

    async def refresh_db(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self.db = await loop.run_in_executor(self.db_executor, _db_call, db_book_load)
        except Exception:
            logger.exception("live producer: could not read the book; ticking with the last one")
            return
        traders = {row.name: row.base_url for row in self.db.sources if row.has_fast_path}
        if self.use_fast_path:
            self.fast.track(set(traders))
        if self.push is not None:
            self.push.track(traders)

    async def _refresh_db_forever(self) -> None:
        while True:
            delay = (DB_REFRESH_OFFSET_S - self.clock() % 1.0) % 1.0
            await asyncio.sleep(delay if delay > 0.05 else delay + 1.0)
            await self.refresh_db()

    # Push handler: what a trader's WS /ws tells us.

    async def on_trade(self, source: str, trade: TradeData) -> None:
        """Tell browsers at once, then poll the source so the trade is stored (browsers dedupe the second)."""
        await self.on_event(source, "trade_closed", trade_payload(source, trade))
        asyncio.get_running_loop().run_in_executor(self.db_executor, _db_call, _poll_now, source)

    async def on_position(self, source: str, key: tuple[str, str], position: PositionData | None) -> None:
        held = self.fast.marks.get(source, (0.0, ()))[1]
        kept = tuple(mark for mark in held if (mark.strategy, mark.symbol) != key)
        self.fast.put(source, kept + (marks_from(source, (position,)) if position else ()))

    async def on_event(self, source: str, event: str, payload: dict) -> None:
        layer = get_channel_layer()
        message = {"type": "live.event", "event": event, "payload": jsonable(payload)}
        await layer.group_send(LIVE_GROUP, message)
        if event == "kill_switch":
            # The Risk page must confirm a trip within 2 s, sooner than the trader's next risk poll:
            # ask the risk sync to read this trader now (by task name: live imports no other app's code).
            await sync_to_async(_risk_sync_now, thread_sensitive=False)(source)


def _close_connection() -> None:
    connection.close()  # looked up here: each thread has its own connection


def _risk_sync_now(source: str) -> None:
    try:
        current_app.send_task("strategies.risk_sync_source_task", kwargs={"source": source})
    except Exception:  # the broker being away must not stop the stream; the regular sync catches up
        logger.exception("could not ask for a risk sync of %s", source)


def _poll_now(source: str) -> None:
    sources_poll_due(names=[source], force=True)


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True if `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=max(seconds, 0.0))
        return True
    except TimeoutError:
        return False
