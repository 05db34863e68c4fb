"""A trader service and a UCB service speaking shared/contracts/trader-api.md, answers scripted per test."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from apps.sources.tests.fakes.server import Recorded, Scripted, serve

# The contract's own examples, plus a second position, a market order and an older trade.
CONTRACT_BOOK: dict[str, Any] = {
    "status": {"service": "trader", "exchange": "hyperliquid", "connected": True, "engine_ready": True,
               "uptime_s": 5231, "version": "1.4.0", "timestamp": "2026-11-21T22:00:00Z"},
    "positions": [
        {"strategy_id": "ema_cross", "symbol": "BTC", "side": "long", "size": "0.25", "entry_price": "64000.5",
         "mark_price": "64120.0", "unrealized_pnl": "29.875", "stop_loss": "63000", "take_profit": "66000",
         "opened_at": "2026-11-21T20:00:00Z"},
        {"strategy_id": "breakout", "symbol": "ETH", "side": "short", "size": "0.1", "entry_price": "3200",
         "mark_price": "3190", "unrealized_pnl": "1", "stop_loss": None, "take_profit": None,
         "opened_at": "2026-11-21T20:30:00+01:00"},
    ],
    "orders": [
        {"order_id": "9001", "strategy_id": "ema_cross", "symbol": "BTC", "type": "stop", "side": "sell",
         "size": "0.25", "price": "63000", "reduce_only": True, "created_at": "2026-11-21T20:00:01Z"},
        {"order_id": "9002", "strategy_id": "breakout", "symbol": "ETH", "type": "market", "side": "buy",
         "size": "0.2", "price": None, "reduce_only": False, "created_at": "2026-11-21T20:31:00Z"},
    ],
    "trades": [
        {"trade_id": "t-1842", "strategy_id": "ema_cross", "symbol": "BTC", "side": "long", "size": "0.25",
         "entry_price": "64000.5", "exit_price": "64800.0", "stop_loss": "63000", "realized_pnl": "199.875",
         "fees": "4.1", "opened_at": "2026-11-21T20:00:00Z", "closed_at": "2026-11-21T21:10:00Z"},
        {"trade_id": "t-1841", "strategy_id": "breakout", "symbol": "ETH", "side": "short", "size": "1",
         "entry_price": "3300", "exit_price": "3350", "stop_loss": None, "realized_pnl": "-50",
         "fees": "1.2", "opened_at": None, "closed_at": "2026-11-21T19:00:00Z"},
    ],
    "equity": {"equity": "25231.40", "realized_pnl": "5231.40", "unrealized_pnl": "129.10",
               "margin_used": "4100.00", "history": [{"timestamp": "2026-11-21T21:00:00Z", "equity": "25102.30"}]},
    "risk/settings": {
        "settings": [{"strategy_id": "ema_cross", "symbol": "BTC", "enabled": True, "risk_per_trade": "1.5",
                      "stop_loss_dollars": "200", "max_strategy_loss": "1000", "kill_switch_active": False,
                      "total_pnl": "812.40"}],
        "strategies": [{"strategy_id": "ema_cross", "symbol": "BTC", "name": "EMA cross 4h", "timeframe": "4h"}],
    },
}  # fmt: skip

CONTRACT_UCB: dict[str, Any] = {
    "status": {"service": "ucb", "gpu": {"name": "H100", "utilization_pct": 71, "memory_used_mb": 30100,
               "memory_total_mb": 81559}, "active_trainings": 2, "timestamp": "2026-11-21T22:00:00Z"},
    "strategies": {"strategies": [{"strategy_id": "ema_cross", "symbol": "BTC", "status": "loaded"}]},
    "training/sync": {"trainings": [{"strategy_id": "ema_cross", "symbol": "BTC", "episode": 1200,
                      "progress_pct": 40, "best_reward": "1.82", "started_at": "2026-11-21T20:00:00Z"}]},
    "stats": {"models": 14, "episodes_total": 51200, "gpu_hours": "212.5"},
    "models": {"models": [{"strategy_id": "ema_cross", "symbol": "BTC", "score": "1.91",
               "created_at": "2026-11-20T08:00:00Z"}]},
}  # fmt: skip


def _parse_since(raw: str | None) -> datetime | None:
    if raw is None:
        return None
    moment = datetime.fromisoformat(raw)
    if moment.tzinfo is None:
        raise ValueError("since has no zone")
    return moment


@dataclass
class FakeTrader(Scripted):
    """The trader endpoints of the contract over an editable book; `overrides["/api/<path>"]` wins."""

    book: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(CONTRACT_BOOK))

    def app(self) -> web.Application:
        """The aiohttp app."""
        app = web.Application()
        app.router.add_get("/api/{path:.+}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        """Record, then answer the override or the contract answer."""
        self.requests.append(Recorded.of(request))
        canned = self.override(request.path)
        if canned is not None:
            return canned.response()
        key = request.match_info["path"]
        if key == "trades":
            return self.trades(request)
        if key not in self.book:
            return web.json_response({"detail": f"no such endpoint {request.path}"}, status=404)
        body = self.book[key]
        listed = key in ("positions", "orders")
        return web.Response(text=json.dumps({key: body} if listed else body), content_type="application/json")

    def trades(self, request: web.Request) -> web.Response:
        """GET /api/trades?limit&since: up to `limit` trades closed at or after `since`, newest first."""
        try:
            limit = int(request.query.get("limit", "100"))
            since = _parse_since(request.query.get("since"))
        except ValueError as exc:
            return web.json_response({"detail": str(exc)}, status=400)
        ordered = sorted(self.book["trades"], key=lambda t: datetime.fromisoformat(t["closed_at"]), reverse=True)
        kept = [t for t in ordered if since is None or datetime.fromisoformat(t["closed_at"]) >= since]
        return web.Response(text=json.dumps({"trades": kept[:limit]}), content_type="application/json")


@dataclass
class FakeUcb(Scripted):
    """The UCB read endpoints of the contract; `overrides["/api/<path>"]` wins."""

    data: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(CONTRACT_UCB))

    def app(self) -> web.Application:
        """The aiohttp app."""
        app = web.Application()
        app.router.add_get("/api/{path:.+}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        """Record, then answer the override or the contract answer."""
        self.requests.append(Recorded.of(request))
        canned = self.override(request.path)
        if canned is not None:
            return canned.response()
        body = self.data.get(request.match_info["path"])
        if body is None:
            return web.json_response({"detail": "not found"}, status=404)
        return web.Response(text=json.dumps(body), content_type="application/json")


@contextmanager
def running_fake_trader() -> Iterator[tuple[FakeTrader, str]]:
    """A FakeTrader served on a free port: (fake, base URL)."""
    fake = FakeTrader()
    with serve(fake.app()) as url:
        yield fake, url


@contextmanager
def running_fake_ucb() -> Iterator[tuple[FakeUcb, str]]:
    """A FakeUcb served on a free port: (fake, base URL)."""
    fake = FakeUcb()
    with serve(fake.app()) as url:
        yield fake, url
