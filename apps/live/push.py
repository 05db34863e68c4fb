"""The push path: listen to each trader service's optional WS /ws so closed trades skip the poll interval.

One aiohttp WebSocket per trader, reconnecting with a growing delay; a trader without /ws (404) is asked
again every few minutes and otherwise just polled. Parsing uses the trader connector's own contract parsers.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

import aiohttp

from apps.sources.connectors import ConnectorError, PositionData, TradeData
from apps.sources.connectors.trader_service import parse_position, parse_trade

logger = logging.getLogger(__name__)

MAX_RECONNECT_DELAY_S = 30.0
NO_ENDPOINT_RETRY_S = 300.0  # a trader without /ws: ask again now and then (it may be upgraded)
CONNECT_TIMEOUT_S = 2.0


class PushHandler(Protocol):
    """What the producer does with a pushed event; each method is awaited on the producer's loop."""

    async def on_trade(self, source: str, trade: TradeData) -> None: ...

    async def on_position(self, source: str, key: tuple[str, str], position: PositionData | None) -> None: ...

    async def on_event(self, source: str, event: str, payload: dict) -> None: ...


class TraderPushListeners:
    """One listening task per trader service with a base URL; `track` follows the sources as they change."""

    def __init__(self, handler: PushHandler):
        self.handler = handler
        self._tasks: dict[str, tuple[str, asyncio.Task]] = {}
        self._session: aiohttp.ClientSession | None = None

    def track(self, urls: dict[str, str]) -> None:
        for name, (url, task) in list(self._tasks.items()):
            if urls.get(name) != url:
                task.cancel()
                del self._tasks[name]
        for name, url in urls.items():
            if name not in self._tasks and url:
                self._tasks[name] = (url, asyncio.create_task(self._listen_forever(name, url), name=f"push:{name}"))

    async def stop(self) -> None:
        self.track({})
        if self._session is not None:
            await self._session.close()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(connect=CONNECT_TIMEOUT_S))
        return self._session

    async def _listen_forever(self, name: str, base_url: str) -> None:
        url = base_url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/ws"
        delay = 1.0
        while True:
            try:
                async with self._http().ws_connect(url, heartbeat=30) as ws:
                    logger.info("push: listening to %s", url)
                    delay = 1.0
                    async for message in ws:
                        if message.type == aiohttp.WSMsgType.TEXT:
                            await self._dispatch(name, message.data)
            except aiohttp.WSServerHandshakeError as error:
                if error.status == 404:
                    await asyncio.sleep(NO_ENDPOINT_RETRY_S)  # no push here: polling alone serves this trader
                    continue
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                logger.debug("push: %s unreachable: %s", url, error)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RECONNECT_DELAY_S)

    async def _dispatch(self, name: str, text: str) -> None:
        """Hand one pushed message to the producer; a malformed one is logged and skipped."""
        try:
            event = json.loads(text)
            kind = event.get("type")
            if kind == "trade_closed":
                await self.handler.on_trade(name, parse_trade(event.get("trade"), where=f"{name} ws trade"))
            elif kind == "position_update":
                item: Any = event.get("position") or {}
                key = (str(item.get("strategy_id", "")), str(item.get("symbol", "")))
                await self.handler.on_position(name, key, parse_position(item, where=f"{name} ws position"))
            elif kind == "kill_switch":
                await self.handler.on_event(name, "kill_switch", {
                    "source": name, "strategy_id": event.get("strategy_id"), "symbol": event.get("symbol"),
                    "active": bool(event.get("active")),
                })  # fmt: skip
        except (ValueError, AttributeError, ConnectorError) as error:
            logger.warning("push: ignored a malformed message from %s: %s", name, error)
