"""The bench's baseline: a bare `websockets` server broadcasting the tick payload on each second boundary.

Run as `python -m apps.live.bench_bare PORT PAYLOAD_FILE`. No Django, no channel layer: the floor to compare with.
"""

import asyncio
import json
import sys
import time

import websockets

CONNECTIONS: set = set()


async def handler(connection) -> None:
    CONNECTIONS.add(connection)
    try:
        await connection.wait_closed()
    finally:
        CONNECTIONS.discard(connection)


async def main(port: int, template: dict) -> None:
    async with websockets.serve(handler, "127.0.0.1", port, ping_interval=None):
        seq = 0
        while True:
            await asyncio.sleep(int(time.time()) + 1 - time.time())
            seq += 1
            message = json.dumps({**template, "seq": seq, "ts_ms": int(time.time() * 1000)}, separators=(",", ":"))
            websockets.broadcast(CONNECTIONS, message)


if __name__ == "__main__":
    with open(sys.argv[2]) as payload:
        asyncio.run(main(int(sys.argv[1]), json.load(payload)))
