"""The per-process hub: one Redis subscription and one channel-layer channel per web process, fanned out in memory.

A group_send to N sockets costs the channel layer N messages; measured here it is 15-25x the CPU of a bare
broadcast (DESIGN.md, "Live stream"). So each web process subscribes once to the producer's tick channel
and joins the "live" group once, and hands every message to its own sockets as the same pre-encoded text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Protocol

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer
from django.conf import settings

from apps.core.broadcast import LIVE_GROUP
from apps.live import keys
from apps.live.selectors import live_state_from_db, live_state_overlay, orders_state, parse_snapshot

logger = logging.getLogger(__name__)

MAX_RETRY_DELAY_S = 30.0
# Daphne and Uvicorn already ping at the WebSocket level (20 s); this app-level ping is for the page (it shows
# the socket alive) and closes sockets whose browser tab stopped answering; rare, so it costs little.
PING_EVERY_S = 60.0
SILENT_LIMIT_S = 190.0
GROUP_RENEW_S = 3600.0  # channels-redis forgets group members after a day; rejoin well before
STATE_CACHE_S = 1.0
RECEIVE_SOCKET_TIMEOUT_S = 15.0  # a reconnect storm reads the database once a second, not once per socket


class Socket(Protocol):
    last_seen: float
    scope: dict

    async def deliver(self, seq: int | None, frame: dict) -> None: ...

    async def close(self, code=None) -> None: ...


class LiveHub:
    """Fan the producer's ticks and the live group's events out to this process's sockets."""

    def __init__(self) -> None:
        self.sockets: set[Socket] = set()
        self._tasks: list[asyncio.Task] = []
        self._redis: aioredis.Redis | None = None
        self._state_lock = asyncio.Lock()
        self._state: tuple[float, dict] | None = None
        self.ticks_relayed = 0
        self._subscribed = asyncio.Event()
        self._in_group = asyncio.Event()

    async def join(self, socket: Socket) -> None:
        """Add a socket; the first one starts the hub, and waits (2 s at most) until it listens."""
        self.sockets.add(socket)
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._ticks_forever(), name="live-hub-ticks"),
                asyncio.create_task(self._events_forever(), name="live-hub-events"),
                asyncio.create_task(self._keepalive_forever(), name="live-hub-keepalive"),
            ]
        try:
            await asyncio.wait_for(asyncio.gather(self._subscribed.wait(), self._in_group.wait()), timeout=2.0)
        except TimeoutError:
            logger.warning("live hub: not listening yet; this socket may start with a resync")

    def leave(self, socket: Socket) -> None:
        self.sockets.discard(socket)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            self._redis = aioredis.from_url(keys.live_redis_url())
        return self._redis

    async def fanout(self, seq: int | None, text: str) -> None:
        frame = {"type": "websocket.send", "text": text}  # one ASGI message for every socket: nothing per socket
        for socket in list(self.sockets):
            try:
                await socket.deliver(seq, frame)
            except Exception:  # one broken socket must not starve the others
                logger.debug("live hub: a socket failed to take a message", exc_info=True)
                self.sockets.discard(socket)

    async def initial_state(self, user) -> dict:
        """The stored state (cached a second) with the producer's newest snapshot on top."""
        async with self._state_lock:
            if self._state is None or time.monotonic() - self._state[0] > STATE_CACHE_S:
                self._state = (time.monotonic(), await database_sync_to_async(live_state_from_db)(user=user))
            state = self._state[1]
        pipe = self.redis().pipeline(transaction=False)
        pipe.get(keys.snapshot_key())
        pipe.lrange(keys.history_key(), 0, -1)
        try:
            raw_snapshot, raw_history = await pipe.execute()
        except (aioredis.RedisError, OSError):
            logger.warning("live hub: Redis unreachable; sending the stored state without live figures")
            raw_snapshot, raw_history = None, []
        history = [json.loads(item) for item in raw_history]
        return live_state_overlay(state, parse_snapshot(raw_snapshot), history)

    async def _ticks_forever(self) -> None:
        delay = 1.0
        while True:
            client = aioredis.from_url(keys.live_redis_url())
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(keys.tick_channel())
                self._subscribed.set()
                delay = 1.0
                while True:
                    # get_message with a timeout, not listen(): a quiet second is not an error to reconnect on.
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is None or message["type"] != "message":
                        continue
                    text = message["data"].decode()
                    await self.fanout(_seq_of(text), text)
                    self.ticks_relayed += 1
            except Exception as error:  # Redis gone, or anything else: this task must outlive it
                logger.warning("live hub: tick subscription lost (%r); retrying in %.0f s", error, delay)
            finally:
                await pubsub.aclose()
                await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY_S)

    async def _events_forever(self) -> None:
        delay = 1.0
        while True:
            layer = hub_channel_layer()
            try:
                channel = await layer.new_channel("live-hub.")
                await layer.group_add(LIVE_GROUP, channel)
                self._in_group.set()
                joined, delay = time.monotonic(), 1.0
                while True:
                    message = await layer.receive(channel)
                    if "event" in message:
                        text = json.dumps({"type": message["event"], "payload": message.get("payload", {})})
                        await self.fanout(None, text)
                        if message["event"] == "positions_update" and message.get("payload", {}).get("orders"):
                            await self._fanout_orders()
                    if time.monotonic() - joined > GROUP_RENEW_S:
                        await layer.group_add(LIVE_GROUP, channel)
                        joined = time.monotonic()
            except Exception as error:  # Redis gone, or anything else: this task must outlive it
                logger.warning("live hub: event channel lost (%r); retrying in %.0f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_DELAY_S)

    async def _fanout_orders(self) -> None:
        """Orders changed at a poll: read them once for the whole process, not once per socket."""
        sockets = list(self.sockets)
        if not sockets:
            return
        state = await database_sync_to_async(orders_state)(user=sockets[0].scope["user"])  # all verified admins
        await self.fanout(None, json.dumps(state))

    async def _keepalive_forever(self) -> None:
        """Ping every socket; close the ones that stopped answering (their TCP connection died silently)."""
        ping = json.dumps({"type": "ping"})
        while True:
            await asyncio.sleep(PING_EVERY_S)
            now = time.monotonic()
            for socket in list(self.sockets):
                if now - socket.last_seen > SILENT_LIMIT_S:
                    self.sockets.discard(socket)
                    try:
                        await socket.close(code=4408)
                    except Exception:  # already gone
                        pass
            await self.fanout(None, ping)


def hub_channel_layer() -> RedisChannelLayer:
    """The default layer's Redis and prefix, with a socket timeout longer than its 5 s blocking receive.

    redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis's BZPOPMIN: a quiet
    channel would then fail every 5 s instead of waiting.
    """
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    hosts = [
        {"socket_timeout": RECEIVE_SOCKET_TIMEOUT_S, **host} if isinstance(host, dict) else
        {"address": host, "socket_timeout": RECEIVE_SOCKET_TIMEOUT_S}
        for host in config["hosts"]
    ]  # fmt: skip
    return RedisChannelLayer(**{**config, "hosts": hosts})


def _seq_of(text: str) -> int | None:
    try:
        return int(json.loads(text)["seq"])
    except (ValueError, KeyError, TypeError):
        return None


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LiveHub] = weakref.WeakKeyDictionary()


def live_hub() -> LiveHub:
    """The hub of the running event loop (a web process has one loop; each test has its own)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = LiveHub()
    return hub


def live_hub_if_any() -> LiveHub | None:
    try:
        return _hubs.get(asyncio.get_running_loop())
    except RuntimeError:
        return None
