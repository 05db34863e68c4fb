"""The live socket /ws: admits OTP-verified fund admins, sends initial_state, relays what the hub hands it."""

from __future__ import annotations

import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.live.auth import may_watch_live, scope_user_otp_verify
from apps.live.hub import live_hub

REFUSED = 4403
MAX_PENDING = 20  # messages held while initial_state is being built; more means this socket must resync
RESYNC_MIN_INTERVAL_S = 1.0  # a full state costs the server: a client asking in a loop gets one a second


class LiveConsumer(AsyncWebsocketConsumer):
    """One browser's live view: authenticate, join the process hub, relay; no business logic here."""

    # No channel-layer channel per socket: the process hub holds the one channel that joins the live group.
    # (An alias that is not configured makes Channels give the consumer no layer, and no receive task.)
    channel_layer_alias = "live-sockets-use-the-hub"

    async def connect(self) -> None:
        self.ready, self.pending, self.last_seen, self.hub, self.state_sent_at = False, [], time.monotonic(), None, 0.0
        user = await database_sync_to_async(scope_user_otp_verify)(self.scope)
        if not may_watch_live(user):
            await self.close(code=REFUSED)  # before accept: the handshake itself is refused (HTTP 403)
            return
        await self.accept()
        self.hub = live_hub()
        await self.hub.join(self)
        await self.send_initial_state()

    async def disconnect(self, code) -> None:
        if self.hub is not None:
            self.hub.leave(self)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        self.last_seen = time.monotonic()
        try:
            kind = json.loads(text_data or "{}").get("type")
        except (ValueError, AttributeError):
            return
        if kind == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "ts_ms": int(time.time() * 1000)}))
        elif kind == "resync" and time.monotonic() - self.state_sent_at > RESYNC_MIN_INTERVAL_S:
            await self.send_initial_state()

    async def send_initial_state(self) -> None:
        """Hold hub messages while the state is read, send it, then the held ones it does not already cover."""
        self.ready, self.pending, self.state_sent_at = False, [], time.monotonic()
        state = await self.hub.initial_state(self.scope["user"])
        await self.send(text_data=json.dumps(state))
        held, self.pending, self.ready = self.pending, [], True
        for seq, frame in held:
            if seq is None or seq > state["seq"]:
                await self.base_send(frame)

    async def deliver(self, seq: int | None, frame: dict) -> None:
        """Called by the hub for every tick (seq) and event (None) with the ASGI message all sockets share."""
        if self.ready:
            await self.base_send(frame)
        elif len(self.pending) < MAX_PENDING:
            self.pending.append((seq, frame))
