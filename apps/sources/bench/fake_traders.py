"""Ten trader services with big books, served from their own process for the poll benchmark.

Each speaks the four read endpoints of the trader API contract, answers after a
fixed latency (a trader on the same LAN, by default 10 ms), and has a control
endpoint that moves a fraction of its positions' marks between cycles.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from aiohttp import web

SYMBOLS = [f"C{i:02d}" for i in range(40)]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_book(seed: int, *, positions: int, orders: int, trades: int, now: datetime) -> dict:
    rng = random.Random(seed)
    book_positions = []
    for i in range(positions):
        entry = Decimal(rng.randint(1000, 90000)) / 10
        book_positions.append({
            "strategy_id": f"s{i // len(SYMBOLS)}", "symbol": SYMBOLS[i % len(SYMBOLS)],
            "side": rng.choice(["long", "short"]), "size": str(Decimal(rng.randint(1, 5000)) / 1000),
            "entry_price": str(entry), "mark_price": str(entry), "unrealized_pnl": "0",
            "stop_loss": str(entry * Decimal("0.95")), "take_profit": None, "opened_at": iso(now - timedelta(hours=i)),
        })  # fmt: skip
    book_orders = [{
        "order_id": str(100000 + i), "strategy_id": f"s{i % 5}", "symbol": SYMBOLS[i % len(SYMBOLS)],
        "type": rng.choice(["limit", "stop", "take_profit"]), "side": rng.choice(["buy", "sell"]),
        "size": str(Decimal(rng.randint(1, 5000)) / 1000), "price": str(Decimal(rng.randint(1000, 90000)) / 10),
        "reduce_only": rng.random() < 0.5, "created_at": iso(now - timedelta(minutes=i)),
    } for i in range(orders)]  # fmt: skip
    book_trades = [{
        "trade_id": f"t-{i}", "strategy_id": f"s{i % 5}", "symbol": SYMBOLS[i % len(SYMBOLS)], "side": "long",
        "size": "0.5", "entry_price": "100", "exit_price": str(100 + rng.randint(-5, 5)), "stop_loss": "95",
        "realized_pnl": str(Decimal(rng.randint(-500, 500)) / 100), "fees": "0.1",
        "opened_at": iso(now - timedelta(minutes=5 * (trades - i) + 30)),
        "closed_at": iso(now - timedelta(minutes=5 * (trades - i))),
    } for i in range(trades)]  # fmt: skip
    book_trades.reverse()  # newest first, as the contract serves them
    return {"positions": book_positions, "orders": book_orders, "trades": book_trades, "rng": rng}


def trader_app(book: dict, latency_s: float) -> web.Application:
    encoded: dict[str, bytes] = {}

    def body(key: str) -> bytes:
        if key not in encoded:
            encoded[key] = json.dumps({key: book[key]}).encode()
        return encoded[key]

    async def listing(request: web.Request) -> web.Response:
        await asyncio.sleep(latency_s)
        key = request.path.rsplit("/", 1)[-1]
        return web.Response(body=body(key), content_type="application/json")

    async def trades(request: web.Request) -> web.Response:
        await asyncio.sleep(latency_s)
        since = request.query.get("since")
        limit = int(request.query.get("limit", "100"))
        chosen = [t for t in book["trades"] if since is None or t["closed_at"] >= since][:limit]
        return web.json_response({"trades": chosen})

    async def equity(request: web.Request) -> web.Response:
        await asyncio.sleep(latency_s)
        return web.json_response({"equity": "100000", "realized_pnl": "0", "unrealized_pnl": "0",
                                  "margin_used": "0", "history": []})  # fmt: skip

    async def move_marks(request: web.Request) -> web.Response:
        fraction = Decimal(request.query.get("fraction", "0.1"))
        rng = book["rng"]
        count = int(len(book["positions"]) * fraction)
        for position in rng.sample(book["positions"], count):
            position["mark_price"] = str(Decimal(position["mark_price"]) + Decimal(rng.randint(1, 99)) / 10)
        encoded.pop("positions", None)
        return web.json_response({"moved": count})

    app = web.Application()
    app.router.add_get("/api/positions", listing)
    app.router.add_get("/api/orders", listing)
    app.router.add_get("/api/trades", trades)
    app.router.add_get("/api/equity", equity)
    app.router.add_post("/control/move-marks", move_marks)
    return app


def _serve(count: int, sizes: dict, latency_s: float, ports: multiprocessing.Queue, stop) -> None:
    async def main() -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        runners = []
        for i in range(count):
            runner = web.AppRunner(trader_app(make_book(i, now=now, **sizes), latency_s), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            runners.append(runner)
            ports.put(site._server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.1)
        for runner in runners:
            await runner.cleanup()

    asyncio.run(main())


class FakeTraders:
    """Start `count` fake traders in a child process (so they do not share our GIL); stop on exit."""

    def __init__(self, *, count: int, positions: int, orders: int, trades: int, latency_s: float):
        context = multiprocessing.get_context("spawn")
        self._ports = context.Queue()
        self._stop = context.Event()
        sizes = {"positions": positions, "orders": orders, "trades": trades}
        self._process = context.Process(target=_serve, args=(count, sizes, latency_s, self._ports, self._stop))
        self.count = count

    def __enter__(self) -> list[str]:
        self._process.start()
        return [f"http://127.0.0.1:{self._ports.get(timeout=120)}" for _ in range(self.count)]

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
