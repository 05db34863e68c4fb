"""Run aiohttp apps on free 127.0.0.1 ports in a background thread; plus dead and silent hosts."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

START_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Reply:
    """A canned HTTP answer: status, raw body and content type (for faults and odd answers)."""

    body: str | bytes
    status: int = 200
    content_type: str = "application/json"

    def response(self) -> web.Response:
        """The aiohttp response."""
        body = self.body.encode() if isinstance(self.body, str) else self.body
        return web.Response(status=self.status, body=body, content_type=self.content_type)


def json_reply(data: Any, *, status: int = 200) -> Reply:
    """A JSON answer; decimals must already be strings, as on the wire."""
    return Reply(json.dumps(data), status=status)


HTML_PAGE = Reply("<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>", content_type="text/html")


@dataclass
class Recorded:
    """One request a fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any = None

    @classmethod
    def of(cls, request: web.Request, body: Any = None) -> Recorded:
        """The record of an aiohttp request."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        return cls(request.method, request.path, dict(request.query), headers, body)


@dataclass
class Scripted:
    """Overrides and a request log shared by every fake: `overrides[key] = Reply(...)` beats the real answer."""

    overrides: dict[str, Reply] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)

    def override(self, key: str) -> Reply | None:
        """The canned answer for a key (a path or an /info type), if a test set one."""
        return self.overrides.get(key)


@contextmanager
def serve(app: web.Application) -> Iterator[str]:
    """Serve `app` on 127.0.0.1:<free port> until the block ends; yields the base URL."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-server", daemon=True)
    thread.start()
    runner = web.AppRunner(app, shutdown_timeout=0.5)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner.addresses[0][1]

    try:
        port = asyncio.run_coroutine_threadsafe(start(), loop).result(START_TIMEOUT_S)
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(START_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT_S)
        loop.close()


def refused_url() -> str:
    """A URL on a 127.0.0.1 port nobody listens on: connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextmanager
def silent_server() -> Iterator[str]:
    """A host that accepts connections (kernel backlog) and never answers: every read times out."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
