"""The producer process's parts with real Redis and the simulator: one leader, wall-clock ticks, the push path."""

import asyncio
import json
from decimal import Decimal

import pytest
import redis.asyncio as aioredis

from apps.live import keys
from apps.live.bench import BenchProducer
from apps.live.push import TraderPushListeners

pytestmark = pytest.mark.asyncio


async def collect_ticks(seconds: float) -> list[dict]:
    client = aioredis.from_url(keys.live_redis_url())
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.tick_channel())
    ticks = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        message = await pubsub.get_message(timeout=0.2)
        if message and message["type"] == "message":
            ticks.append(json.loads(message["data"]))
    await pubsub.aclose()
    await client.aclose()
    return ticks


async def test_a_second_producer_stands_by_so_ticks_are_not_doubled_and_fall_on_second_boundaries():
    # given two producers started against the same Redis (one by mistake)
    clients = [aioredis.from_url(keys.live_redis_url()) for _ in range(2)]
    producers = [BenchProducer(redis=client) for client in clients]
    stop = asyncio.Event()
    runs = [asyncio.create_task(producer.run(stop)) for producer in producers]
    # when we listen for a few seconds
    ticks = await collect_ticks(3.6)
    stop.set()
    await asyncio.gather(*runs)
    for client in clients:
        await client.aclose()
    # then one tick a second went out, numbered without gaps or repeats, each just after a second boundary
    seqs = [tick["seq"] for tick in ticks]
    assert 3 <= len(seqs) <= 4
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert all(tick["ts_ms"] % 1000 < 100 for tick in ticks)
    assert sorted(bool(p.seq) for p in producers) == [False, True]  # exactly one led


async def test_the_leader_lock_passes_on_when_its_holder_stops():
    client = aioredis.from_url(keys.live_redis_url())
    first, second = BenchProducer(redis=client), BenchProducer(redis=client)
    assert await first.lock.acquire()
    assert not await second.lock.acquire()
    await first.lock.release()
    assert await second.lock.acquire()
    assert not await first.lock.renew()  # the old holder can no longer extend what it lost
    await second.lock.release()
    await client.aclose()


class Recorder:
    """A push handler that remembers what the trader pushed."""

    def __init__(self):
        self.trades, self.positions, self.events = [], [], []
        self.got_trade = asyncio.Event()

    async def on_trade(self, source, trade):
        self.trades.append((source, trade))
        self.got_trade.set()

    async def on_position(self, source, key, position):
        self.positions.append((source, key, position))

    async def on_event(self, source, event, payload):
        self.events.append((source, event, payload))


async def test_a_trade_closed_at_the_trader_is_pushed_without_waiting_for_a_poll(simulator):
    # given the producer listening to the simulated trader's WS /ws
    recorder = Recorder()
    listeners = TraderPushListeners(recorder)
    listeners.track({"hl": simulator.hyperliquid_url})
    await asyncio.sleep(0.5)  # connected
    # when the market moves until a trade closes
    for _ in range(200):
        await asyncio.to_thread(simulator.step)
        if recorder.got_trade.is_set():
            break
    await asyncio.wait_for(recorder.got_trade.wait(), timeout=2)
    await listeners.stop()
    # then the trade came through the contract's parser, with Decimal money
    source, trade = recorder.trades[0]
    assert source == "hl" and trade.external_id and trade.closed_at.tzinfo is not None
    assert isinstance(trade.realized_pnl, Decimal) and isinstance(trade.size, Decimal)
    assert recorder.positions  # position updates came with it
