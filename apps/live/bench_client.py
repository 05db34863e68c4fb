"""The bench's load client: N raw asyncio WebSocket clients in one process, recording tick latency.

Run as `python -m apps.live.bench_client URL N SECONDS [COOKIE]`; prints one JSON line of results. Written on
asyncio streams rather than a WebSocket library: measured here, a library client adds ~10 ms at 100 clients.
No Django import: it must stay light.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import sys
import time
from urllib.parse import urlsplit


class Client:
    """One socket: handshake, read frames, answer pings, keep (server time, latency) of each realtime_pnl."""

    def __init__(self, url: str, cookie: str):
        self.url, self.cookie = urlsplit(url), cookie
        self.latencies: list[tuple[int, float]] = []
        self.event_latencies: list[float] = []
        self.writer: asyncio.StreamWriter | None = None

    async def run(self, until: float, delay: float = 0.0) -> None:
        await asyncio.sleep(delay)
        reader, self.writer = await asyncio.open_connection(self.url.hostname, self.url.port)
        key = base64.b64encode(os.urandom(16)).decode()
        cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
        request = (f"GET {self.url.path or '/'} HTTP/1.1\r\nHost: {self.url.netloc}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Origin: http://{self.url.netloc}\r\n{cookie}\r\n")  # fmt: skip
        self.writer.write(request.encode())
        status = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise ConnectionError(status.decode(errors="replace"))
        try:
            while time.time() < until:
                opcode, payload = await asyncio.wait_for(self._frame(reader), timeout=max(until - time.time(), 0.01))
                if opcode == 1:
                    self._on_text(payload)
                elif opcode == 8:
                    return
        except (TimeoutError, asyncio.IncompleteReadError):
            return
        finally:
            self.writer.close()

    async def _frame(self, reader: asyncio.StreamReader) -> tuple[int, bytes]:
        head = await reader.readexactly(2)
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", await reader.readexactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", await reader.readexactly(8))[0]
        return head[0] & 0x0F, await reader.readexactly(length)

    def _on_text(self, payload: bytes) -> None:
        now_ms = time.time() * 1000
        message = json.loads(payload)
        kind = message.get("type")
        if kind == "realtime_pnl":
            self.latencies.append((message["ts_ms"], round(now_ms - message["ts_ms"], 2)))
        elif kind == "trade_closed" and "sent_ms" in message.get("payload", {}):
            self.event_latencies.append(now_ms - message["payload"]["sent_ms"])
        elif kind == "ping":
            self._send(b'{"type":"pong"}')

    def _send(self, data: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.writer.write(bytes([0x81, 0x80 | len(data)]) + mask + masked)


RAMP_S_PER_CLIENT = 0.003  # connect 1,000 clients over 3 s: the bench measures the steady state, not a storm


async def main(url: str, count: int, seconds: float, cookie: str) -> dict:
    until = time.time() + seconds
    clients = [Client(url, cookie) for _ in range(count)]
    runs = (client.run(until, delay=i * RAMP_S_PER_CLIENT) for i, client in enumerate(clients))
    results = await asyncio.gather(*runs, return_exceptions=True)
    failed = [repr(result) for result in results if isinstance(result, BaseException)]
    return {
        "connected": count - len(failed), "errors": failed[:3],
        "ticks": [c.latencies for c in clients],  # per client: [server ts_ms, latency ms] of each tick
        "event_latencies": [round(v, 2) for c in clients for v in c.event_latencies],
    }  # fmt: skip


if __name__ == "__main__":
    url, count, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(asyncio.run(main(url, count, seconds, sys.argv[4] if len(sys.argv) > 4 else ""))))
