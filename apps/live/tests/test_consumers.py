"""The live socket through the real ASGI stack and the real Redis channel layer."""

import asyncio
import json
from decimal import Decimal

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from apps.core.broadcast import broadcast_after_commit
from apps.live import keys
from apps.live.hub import live_hub_if_any
from apps.live.producer import LiveProducer
from apps.live.tests.conftest import socket_headers
from apps.sources.models import Position
from pogfund.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def connect(client=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws", headers=socket_headers(client))
    communicator.connected, _ = await communicator.connect(timeout=5)
    return communicator


async def receive(communicator, timeout=3.0) -> dict:
    return json.loads(await communicator.receive_from(timeout=timeout))


async def receive_type(communicator, kind: str, timeout=3.0) -> dict:
    """The next message of `kind`, skipping others (pings, ticks)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message = await receive(communicator, timeout=max(deadline - asyncio.get_running_loop().time(), 0.01))
        if message["type"] == kind:
            return message


@pytest_asyncio.fixture
async def producer(live_layer):
    """A producer leading over the test's own layer, driven tick by tick (no fast path, no push)."""
    client = aioredis.from_url(keys.live_redis_url())
    made = LiveProducer(redis=client, use_push=False, use_fast_path=False)
    assert await made.lock.acquire()
    await made.refresh_db()
    yield made
    await made.lock.release()
    await made.close()
    await client.aclose()


def _close_thread_connections() -> None:
    connections.close_all()  # in the thread Channels runs ORM calls on; the test database is dropped later


@pytest_asyncio.fixture(autouse=True)
async def stop_hub(live_layer):
    yield
    hub = live_hub_if_any()
    if hub is not None:
        await hub.stop()
    await sync_to_async(_close_thread_connections)()


@pytest.fixture
def outsiders(investor_client, sender_client, unverified_admin_client):
    return {"anonymous": None, "client": investor_client, "sender": sender_client,
            "unverified admin": unverified_admin_client}  # fmt: skip


@pytest.mark.parametrize("who", ["anonymous", "client", "sender", "unverified admin"])
async def test_the_socket_refuses_everyone_but_a_verified_admin_at_the_handshake(outsiders, who):
    # given an anonymous visitor, a client, a sender, or an admin without a second factor in this session
    client = outsiders[who]
    # when they open /ws
    communicator = await connect(client)
    # then the handshake is refused
    assert communicator.connected is False


async def test_initial_state_without_producer_is_the_stored_book(verified_admin_client, book):
    communicator = await connect(verified_admin_client)
    state = await receive(communicator)
    assert state["type"] == "initial_state"
    assert (state["seq"], state["producer"]) == (0, "missing")
    assert set(state) >= {"summary", "positions", "orders", "trades", "sources", "services", "pnl_history", "ts"}
    # the summary counts the two traders, not the account they trade through
    summary = state["summary"]
    assert {k: summary[k] for k in ("equity", "open_pnl", "positions", "orders")} == {
        "equity": "35000.00", "open_pnl": "49.88", "positions": 2, "orders": 1}  # fmt: skip
    assert [(row["source"], row["counted"], row["equity"]) for row in summary["sources"]] == [
        ("account", False, "25000.00"), ("alpha", True, "25000.00"), ("beta", True, "10000.00")]  # fmt: skip
    assert [p["key"] for p in state["positions"]] == ["account||BTC", "alpha|ema|BTC", "beta|mom|ETH"]
    assert state["positions"][1]["unrealized_pnl"] == "29.88"
    assert [o["external_id"] for o in state["orders"]] == ["o-1"]
    assert len(state["trades"]) == 20
    assert state["trades"][0]["external_id"] == "t-24"  # newest first
    assert {s["source"]: s["status"] for s in state["sources"]} == {"account": "ok", "alpha": "ok", "beta": "ok"}
    await communicator.disconnect()


async def test_realtime_pnl_ticks_in_sequence_and_resends_only_positions_that_moved(
    verified_admin_client, book, producer
):
    # given an admin connected after a first tick
    await producer.tick()
    communicator = await connect(verified_admin_client)
    state = await receive(communicator)
    assert (state["producer"], state["seq"]) == ("running", producer.seq)
    # when the next tick goes out with nothing changed
    await producer.tick()
    tick = await receive_type(communicator, "realtime_pnl")
    # then it carries the next sequence number, the totals and no position
    assert tick["seq"] == state["seq"] + 1
    assert tick["total"] == {"equity": "35000.00", "open_pnl": "49.88", "positions": 2}
    assert (tick["positions"], tick["closed"]) == ([], [])
    assert isinstance(tick["ts_ms"], int) and tick["ts"].endswith("Z")
    # when BTC's PnL moves by half a cent, then by two cents
    for moved in ("29.880", "29.900"):
        await database_sync_to_async(Position.objects.filter(symbol="BTC", source__name="alpha").update)(
            unrealized_pnl=Decimal(moved)
        )
        await producer.refresh_db()
        await producer.tick()
        tick = await receive_type(communicator, "realtime_pnl")
        # then only the move over a cent is sent
        assert [(p["key"], p["unrealized_pnl"]) for p in tick["positions"]] == (
            [] if moved == "29.880" else [("alpha|ema|BTC", "29.90")]
        )
    await communicator.disconnect()


async def test_trade_closed_and_any_other_live_event_are_relayed(verified_admin_client, book):
    communicator = await connect(verified_admin_client)
    await receive(communicator)
    payload = {"source": "alpha", "external_id": "t-99", "symbol": "BTC", "realized_pnl": Decimal("12.5")}
    broadcast = database_sync_to_async(broadcast_after_commit)
    await broadcast(event="trade_closed", payload=payload)
    await broadcast(event="service_status", payload={"name": "alpha", "status": "running"})
    assert await receive_type(communicator, "trade_closed") == {
        "type": "trade_closed", "payload": {**payload, "realized_pnl": "12.5"}}  # fmt: skip
    assert (await receive_type(communicator, "service_status"))["payload"]["status"] == "running"
    await communicator.disconnect()


async def test_changed_orders_reach_every_socket_as_one_orders_update(verified_admin_client, book):
    communicator = await connect(verified_admin_client)
    await receive(communicator)
    await database_sync_to_async(broadcast_after_commit)(
        event="positions_update", payload={"source": "alpha", "positions": False, "orders": True}
    )
    update = await receive_type(communicator, "orders_update")
    assert ([o["external_id"] for o in update["orders"]], update["counted"]) == (["o-1"], 1)
    await communicator.disconnect()


async def test_ping_is_answered_and_resync_resends_initial_state(verified_admin_client, book):
    communicator = await connect(verified_admin_client)
    await receive(communicator)
    await communicator.send_to(text_data=json.dumps({"type": "ping"}))
    assert (await receive_type(communicator, "pong"))["type"] == "pong"
    await asyncio.sleep(1.0)  # resync is served at most once a second per socket
    await communicator.send_to(text_data=json.dumps({"type": "resync"}))
    assert (await receive_type(communicator, "initial_state"))["summary"]["positions"] == 2
    await communicator.disconnect()


async def test_a_reconnect_storm_of_a_hundred_sockets_all_get_state_and_the_next_tick(
    verified_admin_client, book, producer
):
    # given a hundred browsers reconnecting at the same instant (channels-redis pool: max_connections)
    communicators = await asyncio.gather(*(connect(verified_admin_client) for _ in range(100)))
    assert all(c.connected for c in communicators)
    states = await asyncio.gather(*(receive(c, timeout=20) for c in communicators))
    assert {s["type"] for s in states} == {"initial_state"}
    # when the producer ticks
    await producer.tick()
    ticks = await asyncio.gather(*(receive_type(c, "realtime_pnl", timeout=5) for c in communicators))
    # then every one of them gets it
    assert {t["seq"] for t in ticks} == {producer.seq}
    await asyncio.gather(*(c.disconnect() for c in communicators))
