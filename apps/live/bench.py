"""`python manage.py bench live`: tick-to-client latency, loss and web CPU for N sockets, beside a bare broadcast.

Starts the real stack: a web process (Daphne; Uvicorn too when installed) on its own channel prefix, the
producer's own tick and publish code ticking a synthetic book on every second boundary, and N WebSocket
clients in a separate light process. The same clients then listen to a bare `websockets` server broadcasting
the same payload: the floor. Client counts: run(clients="100,500,1000") or POGFUND_BENCH_CLIENTS.
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from importlib.util import find_spec
from pathlib import Path

import psutil
import redis.asyncio as aioredis
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.choices import Role
from apps.live import keys
from apps.live.book_state import DbBook, SourceRow
from apps.live.producer import LiveProducer
from apps.live.ticks import PositionMark

DEFAULT_CLIENTS = (100, 500, 1000)
WARMUP_S = 5.0
WARMUP_S_PER_CLIENT = 0.015  # a connect storm is served one session lookup at a time: let it settle first
EVENTS = 20  # trade_closed events sent through the channel layer during the smallest run


def _client_counts(clients: str | None) -> tuple[int, ...]:
    raw = clients or os.environ.get("POGFUND_BENCH_CLIENTS", "")
    return tuple(int(n) for n in raw.split(",") if n.strip()) or DEFAULT_CLIENTS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:4]} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


@contextmanager
def _admin_cookie():
    """A throwaway OTP-verified fund admin session for the clients; removed afterwards."""
    user = get_user_model().objects.create_user(username=f"bench-live-{uuid.uuid4().hex[:8]}", role=Role.ADMIN)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    session = SessionStore()
    session.update({
        SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(), DEVICE_ID_SESSION_KEY: device.persistent_id,
    })  # fmt: skip
    session.create()
    try:
        yield f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    finally:
        session.delete()
        user.delete()


class BenchProducer(LiveProducer):
    """The real producer (lock, boundaries, tick, publish) over a synthetic book whose marks drift."""

    def __init__(self, **kwargs):
        super().__init__(use_push=False, use_fast_path=False, **kwargs)
        self.last_message: dict | None = None
        self._step = 0

    async def refresh_db(self) -> None:
        self._step += 1
        drift = Decimal(self._step % 7) / 100  # a few cents: trader-1's position moves past the $0.01 threshold
        sources = tuple(SourceRow(pk=i, name=f"trader-{i}", kind="trader_service", is_counted=True, status="ok",
                                  base_url="") for i in (1, 2))  # fmt: skip
        positions = {
            row.name: (PositionMark(source=row.name, strategy="ema", symbol="BTC", side="long", size=Decimal("0.25"),
                                    entry_price=Decimal("64000"), mark_price=Decimal("64100") + drift,
                                    unrealized_pnl=Decimal("25") + (drift if row.pk == 1 else 0)),)
            for row in sources
        }  # fmt: skip
        accounts = {row.name: (Decimal("25000"), Decimal("25")) for row in sources}
        self.db = DbBook(sources=sources, positions=positions, accounts=accounts)

    async def tick(self, *, at=None):
        await self.refresh_db()
        self.last_message = await super().tick(at=at)
        return self.last_message


class ProducerThread:
    """Runs the bench producer on its own event loop thread for the whole bench."""

    def __enter__(self) -> ProducerThread:
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)
        self.thread.start()
        self.ready.wait(10)
        return self

    async def _main(self) -> None:
        self.redis = aioredis.from_url(keys.live_redis_url())
        self.producer = BenchProducer(redis=self.redis)
        self.ready.set()
        await self.producer.run(self.stop)
        await self.redis.aclose()

    def send_event(self, payload: dict) -> None:
        coroutine = self.producer.on_event("bench", "trade_closed", payload)
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=5)

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=15)


@contextmanager
def _process(argv: list[str], env: dict, port: int):
    process = subprocess.Popen(argv, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        _wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _web_argv(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "pogfund.asgi:application", "--host", "127.0.0.1",
                "--port", str(port), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "pogfund.asgi:application"]


def _cpu_s(process: subprocess.Popen) -> float:
    times = psutil.Process(process.pid).cpu_times()
    return times.user + times.system


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)], 1)


def _measure(url: str, clients: int, seconds: float, web: subprocess.Popen, cookie: str,
             producer: ProducerThread | None) -> dict:  # fmt: skip
    """Connect `clients`, let them settle, then measure `seconds` of ticks (and events, given a producer)."""
    warmup = max(WARMUP_S, clients * WARMUP_S_PER_CLIENT)
    argv = [sys.executable, "-m", "apps.live.bench_client", url, str(clients), str(warmup + seconds + 2), cookie]
    load = subprocess.Popen(argv, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True)
    time.sleep(warmup)
    cpu_before, started = _cpu_s(web), time.time()
    if producer is not None:
        for _ in range(EVENTS):
            producer.send_event({"external_id": uuid.uuid4().hex, "sent_ms": time.time() * 1000})
            time.sleep(seconds / EVENTS)
    else:
        time.sleep(seconds)
    cpu_used, ended = _cpu_s(web) - cpu_before, time.time()
    out, _ = load.communicate(timeout=seconds + warmup + 60)
    report = json.loads(out)
    window = set(range(math.ceil(started), math.floor(ended)))
    latencies, lost = [], len(window) * (clients - report["connected"])
    for ticks in report["ticks"]:
        seen = {int(ts // 1000): latency for ts, latency in ticks if int(ts // 1000) in window}
        latencies.extend(seen.values())
        lost += len(window) - len(seen)
    row = {
        "clients": clients, "connected": report["connected"], "ticks_in_window": len(window),
        "messages": len(latencies), "lost": lost, "p50_ms": _percentile(latencies, 0.5),
        "p99_ms": _percentile(latencies, 0.99),
        "cpu_s_per_1000_messages": round(cpu_used / len(latencies) * 1000, 4) if latencies else None,
    }  # fmt: skip
    if producer is not None:  # events cost the web process CPU too: count them as messages
        events = report["event_latencies"]
        row["cpu_s_per_1000_messages"] = round(cpu_used / (len(latencies) + len(events)) * 1000, 4)
        row.update(event_messages=len(events), event_p50_ms=_percentile(events, 0.5),
                   event_p99_ms=_percentile(events, 0.99))  # fmt: skip
    if report["errors"]:
        row["client_errors"] = report["errors"]
    return row


def run(*, repeats: int, latency_ms: float, clients: str | None = None, **_options) -> dict:
    """Each server and the bare baseline, for each client count ("100,500,1000"); `repeats` seconds per case."""
    counts, seconds = _client_counts(clients), float(max(repeats, 5))
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["prefix"] = prefix
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "apps.live.bench_settings", "POGFUND_LIVE_PREFIX": prefix}
    servers = ["daphne"] + (["uvicorn"] if find_spec("uvicorn") else [])
    figures: dict = {"clients": list(counts), "seconds_per_case": seconds, "servers": {}}
    with override_settings(CHANNEL_LAYERS=layers), _admin_cookie() as cookie, ProducerThread() as producer:
        for server in servers:
            port = _free_port()
            with _process(_web_argv(server, port), env, port) as web:
                url = f"ws://127.0.0.1:{port}/ws"
                figures["servers"][server] = [
                    _measure(url, n, seconds, web, cookie, producer if n == min(counts) else None) for n in counts
                ]
        figures["tick_bytes"] = len(json.dumps(producer.producer.last_message, separators=(",", ":")))
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as payload:
            json.dump(producer.producer.last_message, payload)
        port = _free_port()
        bare_argv = [sys.executable, "-m", "apps.live.bench_bare", str(port), payload.name]
        with _process(bare_argv, env, port) as bare:
            url = f"ws://127.0.0.1:{port}"
            figures["bare_websockets"] = [_measure(url, n, seconds, bare, "", None) for n in counts]
        Path(payload.name).unlink()
    figures["cpu_ratio_vs_bare"] = {
        server: [_ratio(row, base) for row, base in zip(rows, figures["bare_websockets"], strict=True)]
        for server, rows in figures["servers"].items()
    }
    if "uvicorn" not in servers:
        figures["note"] = "uvicorn is not installed here: only Daphne was measured"
    figures["finished_at"] = datetime.now(UTC).isoformat()
    return figures


def _ratio(row: dict, base: dict) -> float | None:
    ours, floor = row["cpu_s_per_1000_messages"], base["cpu_s_per_1000_messages"]
    return round(ours / floor, 2) if ours and floor else None
