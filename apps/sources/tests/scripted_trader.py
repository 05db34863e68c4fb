"""A trader service whose answers a test scripts: a good book, or one chosen fault.

It speaks the trader API contract (shared contracts) for the four endpoints a
poll reads, so the real connector and the real poll run against it.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

GOOD_BOOK = {
    "positions": [
        {"strategy_id": "ema_cross", "symbol": "BTC", "side": "long", "size": "0.25", "entry_price": "64000.5",
         "mark_price": "64120.0", "unrealized_pnl": "29.875", "stop_loss": "63000", "take_profit": "66000",
         "opened_at": "2026-11-21T20:00:00Z"},
        {"strategy_id": "breakout", "symbol": "ETH", "side": "short", "size": "0.1", "entry_price": "3200",
         "mark_price": "3190", "unrealized_pnl": "1", "stop_loss": None, "take_profit": None,
         "opened_at": "2026-11-21T20:30:00Z"},
    ],
    "orders": [
        {"order_id": "9001", "strategy_id": "ema_cross", "symbol": "BTC", "type": "stop", "side": "sell",
         "size": "0.25", "price": "63000", "reduce_only": True, "created_at": "2026-11-21T20:00:01Z"},
    ],
    "trades": [
        {"trade_id": "t-2", "strategy_id": "ema_cross", "symbol": "BTC", "side": "long", "size": "0.25",
         "entry_price": "64000.5", "exit_price": "64800.0", "stop_loss": "63000", "realized_pnl": "199.875",
         "fees": "4.1", "opened_at": "2026-11-21T20:00:00Z", "closed_at": "2026-11-21T21:10:00Z"},
        {"trade_id": "t-1", "strategy_id": "breakout", "symbol": "ETH", "side": "short", "size": "1",
         "entry_price": "3300", "exit_price": "3350", "stop_loss": "3350", "realized_pnl": "-50",
         "fees": "1.2", "opened_at": "2026-11-21T18:00:00Z", "closed_at": "2026-11-21T19:00:00Z"},
    ],
    "equity": {"equity": "25231.40", "realized_pnl": "5231.40", "unrealized_pnl": "30.875",
               "margin_used": "4100.00", "history": []},
}  # fmt: skip

FAULTS = ("http_500", "html", "truncated", "missing_field", "nan", "negative_size", "slow")


@dataclass
class ScriptedTrader:
    """The book it serves (edit freely) and the fault it answers with instead (None = healthy)."""

    book: dict = field(default_factory=lambda: copy.deepcopy(GOOD_BOOK))
    fault: str | None = None
    slow_seconds: float = 5.0
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        key = request.path.rsplit("/", 1)[-1]
        if self.fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        if self.fault == "http_500":
            return web.json_response({"detail": "engine exploded"}, status=500)
        if self.fault == "html":
            return web.Response(text="<html><body>502 Bad Gateway</body></html>", content_type="text/html")
        body = self.book[key] if key == "equity" else {key: self.book[key]}
        text = json.dumps(body)
        if self.fault == "truncated":
            text = text[: len(text) // 2]
        elif self.fault == "missing_field" and key == "positions":
            text = json.dumps({"positions": [{k: v for k, v in p.items() if k != "entry_price"}
                                             for p in self.book["positions"]]})  # fmt: skip
        elif self.fault == "nan" and key == "positions":
            text = text.replace('"29.875"', '"NaN"')
        elif self.fault == "negative_size" and key == "positions":
            text = text.replace('"size": "0.25"', '"size": "-0.25"')
        return web.Response(text=text, content_type="application/json")


@contextmanager
def scripted_trader() -> Iterator[ScriptedTrader]:
    """Serve a ScriptedTrader on a free 127.0.0.1 port in a background thread."""
    trader = ScriptedTrader()
    app = web.Application()
    for name in ("positions", "orders", "trades", "equity"):
        app.router.add_get(f"/api/{name}", trader.handle)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app)

    async def start() -> int:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return site._server.sockets[0].getsockname()[1]

    port = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    trader.url = f"http://127.0.0.1:{port}"
    try:
        yield trader
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
