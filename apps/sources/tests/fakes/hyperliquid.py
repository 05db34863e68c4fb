"""A fake Hyperliquid `POST /info` speaking the wire format of exchanges.md, for the SDK and for ccxt.

Numbers are decimal strings, oid/tid/time integers, times Unix milliseconds. An unknown address gets an
all-zero state; a malformed body gets 422 text/plain like the real API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from apps.sources.tests.fakes.server import Recorded, Scripted, serve

ADDRESS = "0x1111111111111111111111111111111111111111"
ADDRESS_PATTERN = re.compile(r"0x[0-9a-fA-F]{40}")
DESERIALIZE_ERROR = "Failed to deserialize the JSON body into the target type"
MAX_FILLS = 2000
NOW_MS = 1_795_000_000_000

SPOT_META = {
    "tokens": [
        {"name": "USDC", "szDecimals": 8, "weiDecimals": 8, "index": 0, "tokenId": "0x6d1e7cde53ba9467b783cb7c530ce054",
         "isCanonical": True, "evmContract": None, "fullName": None},
        {"name": "PURR", "szDecimals": 0, "weiDecimals": 5, "index": 1, "tokenId": "0xc1fb593aeffbeb02f85e0308e9956a90",
         "isCanonical": True, "evmContract": None, "fullName": None},
    ],
    "universe": [{"tokens": [1, 0], "name": "PURR/USDC", "index": 0, "isCanonical": True}],
}  # fmt: skip
SPOT_CTXS = [{"coin": "PURR/USDC", "dayNtlVlm": "8906.0", "markPx": "0.14", "midPx": "0.209265",
              "prevDayPx": "0.20432", "circulatingSupply": "598274922.83", "totalSupply": "598274922.83"}]  # fmt: skip
PERP_META = {
    "universe": [
        {"name": "BTC", "szDecimals": 5, "maxLeverage": 40, "marginTableId": 56},
        {"name": "ETH", "szDecimals": 4, "maxLeverage": 25, "marginTableId": 55},
    ],
    "marginTables": [[56, {"description": "", "marginTiers": [{"lowerBound": "0.0", "maxLeverage": 40}]}],
                     [55, {"description": "", "marginTiers": [{"lowerBound": "0.0", "maxLeverage": 25}]}]],
    "collateralToken": 0,
}  # fmt: skip
PERP_CTXS = [
    {"funding": "0.0000125", "openInterest": "28000.1", "prevDayPx": "63000.0", "dayNtlVlm": "1000000.0",
     "premium": "0.0001", "oraclePx": "64110.0", "markPx": "64120.0", "midPx": "64119.5",
     "impactPxs": ["64119.0", "64120.0"], "dayBaseVlm": "15.6"},
    {"funding": "0.0000125", "openInterest": "150000.2", "prevDayPx": "3150.0", "dayNtlVlm": "500000.0",
     "premium": "0.0001", "oraclePx": "3189.5", "markPx": "3190.0", "midPx": "3190.05",
     "impactPxs": ["3189.9", "3190.1"], "dayBaseVlm": "160.3"},
]  # fmt: skip


def margin_summary(account_value: str, margin_used: str, ntl: str = "0.0", raw_usd: str | None = None) -> dict:
    """A marginSummary / crossMarginSummary object."""
    return {"accountValue": account_value, "totalNtlPos": ntl, "totalRawUsd": raw_usd or account_value,
            "totalMarginUsed": margin_used}  # fmt: skip


def asset_position(coin: str, szi: str, entry_px: str, value: str, unrealized: str, margin: str, lev: int) -> dict:
    """One assetPositions entry, cross margin."""
    return {"type": "oneWay", "position": {
        "coin": coin, "szi": szi, "leverage": {"type": "cross", "value": lev}, "entryPx": entry_px,
        "positionValue": value, "unrealizedPnl": unrealized, "returnOnEquity": "0.0123", "liquidationPx": None,
        "marginUsed": margin, "maxLeverage": 40, "cumFunding": {"allTime": "1.5", "sinceOpen": "0.5",
                                                                "sinceChange": "0.5"}}}  # fmt: skip


def clearinghouse_state(positions: list[dict], account_value: str, margin_used: str, ntl: str = "0.0") -> dict:
    """A clearinghouseState answer."""
    return {"marginSummary": margin_summary(account_value, margin_used, ntl),
            "crossMarginSummary": margin_summary(account_value, margin_used, ntl),
            "crossMaintenanceMarginUsed": "0.0", "withdrawable": account_value, "assetPositions": positions,
            "time": NOW_MS}  # fmt: skip


def zero_state() -> dict:
    """What Hyperliquid answers for an address it has never seen (and for a unified account's perps)."""
    return clearinghouse_state([], "0.0", "0.0")


def frontend_order(oid: int, coin: str, side: str, sz: str, limit_px: str, order_type: str, *,
                   trigger_px: str = "0.0", reduce_only: bool = False, timestamp: int = NOW_MS) -> dict:  # fmt: skip
    """One frontendOpenOrders item."""
    is_trigger = order_type not in ("Limit", "Market")
    return {"coin": coin, "side": side, "limitPx": limit_px, "sz": sz, "oid": oid, "timestamp": timestamp,
            "triggerCondition": "N/A" if not is_trigger else f"Price below {trigger_px}", "isTrigger": is_trigger,
            "triggerPx": trigger_px, "children": [], "isPositionTpsl": False, "reduceOnly": reduce_only,
            "orderType": order_type, "origSz": sz, "tif": "Gtc" if not is_trigger else None, "cloid": None}  # fmt: skip


def fill(tid: int, coin: str, px: str, sz: str, side: str, time_ms: int, start: str, direction: str,
         closed_pnl: str, fee: str) -> dict:  # fmt: skip
    """One userFills item."""
    return {"coin": coin, "px": px, "sz": sz, "side": side, "time": time_ms, "startPosition": start,
            "dir": direction, "closedPnl": closed_pnl, "hash": f"0x{tid:064x}", "oid": tid * 10, "crossed": True,
            "fee": fee, "feeToken": "USDC", "tid": tid}  # fmt: skip


def portfolio(all_time_pnl: str) -> list:
    """A portfolio answer whose allTime pnlHistory ends at `all_time_pnl`."""
    window = {"accountValueHistory": [[NOW_MS - 60_000, "10000.0"], [NOW_MS, "10000.0"]],
              "pnlHistory": [[NOW_MS - 60_000, "0.0"], [NOW_MS, all_time_pnl]], "vlm": "0.0"}  # fmt: skip
    names = ("day", "week", "month", "allTime", "perpDay", "perpWeek", "perpMonth", "perpAllTime")
    return [[name, window] for name in names]


class Malformed(Exception):
    """The body cannot be deserialized into a request type."""


@dataclass
class FakeHyperliquid(Scripted):
    """The account `address` as scripted; `overrides[<info type>]` replaces one answer."""

    address: str = ADDRESS
    state: dict = field(default_factory=zero_state)
    spot_state: dict = field(default_factory=lambda: {"balances": []})
    orders: list = field(default_factory=list)
    fills: list = field(default_factory=list)  # newest first, as userFills answers
    portfolio: list = field(default_factory=lambda: portfolio("0.0"))
    abstraction: str = "disabled"

    def app(self) -> web.Application:
        """The aiohttp app."""
        app = web.Application()
        app.router.add_post("/info", self.info)
        return app

    async def info(self, request: web.Request) -> web.Response:
        """POST /info, dispatched on the body's type."""
        try:
            body = json.loads(await request.text())
            if not isinstance(body, dict) or not isinstance(body.get("type"), str):
                raise Malformed
            self.requests.append(Recorded.of(request, body))
            canned = self.override(body["type"])
            answer = canned.response() if canned else self.answer(body)
        except (ValueError, Malformed):
            return web.Response(status=422, text=DESERIALIZE_ERROR, content_type="text/plain")
        return answer if isinstance(answer, web.Response) else web.json_response(answer)

    def is_ours(self, body: dict) -> bool:
        """Whether the body's user is the scripted address (422 when it is no address)."""
        user = body.get("user")
        if not isinstance(user, str) or not ADDRESS_PATTERN.fullmatch(user):
            raise Malformed
        return user.lower() == self.address.lower()

    def answer(self, body: dict) -> Any:
        """The answer to one request type."""
        kind = body["type"]
        static = {
            "spotMeta": SPOT_META,
            "meta": PERP_META,
            "perpDexs": [None],
            "spotMetaAndAssetCtxs": [SPOT_META, SPOT_CTXS],
            "metaAndAssetCtxs": [PERP_META, PERP_CTXS],
        }
        if kind in static:
            return static[kind]
        ours = self.is_ours(body)
        per_user = {
            "clearinghouseState": (self.state, zero_state()),
            "spotClearinghouseState": (self.spot_state, {"balances": []}),
            "frontendOpenOrders": (self.orders, []),
            "userFills": (self.fills[:MAX_FILLS], []),
            "portfolio": (self.portfolio, portfolio("0.0")),
            "userAbstraction": (self.abstraction, "default"),
        }  # fmt: skip
        if kind in per_user:
            return per_user[kind][0 if ours else 1]
        if kind == "userFillsByTime":
            return self.fills_by_time(body) if ours else []
        raise Malformed

    def fills_by_time(self, body: dict) -> list:
        """userFillsByTime: fills with startTime <= time <= endTime, oldest first, at most 2000."""
        start, end = body.get("startTime"), body.get("endTime")
        if not isinstance(start, int) or isinstance(start, bool) or not (end is None or isinstance(end, int)):
            raise Malformed
        found = [f for f in reversed(self.fills) if f["time"] >= start and (end is None or f["time"] <= end)]
        return found[:MAX_FILLS]

    def types_asked(self) -> list[str]:
        """The request types received, in order."""
        return [r.body["type"] for r in self.requests]


@contextmanager
def running_fake_hyperliquid(fake: FakeHyperliquid | None = None) -> Iterator[tuple[FakeHyperliquid, str]]:
    """A FakeHyperliquid served on a free port: (fake, base URL)."""
    fake = fake or FakeHyperliquid()
    with serve(fake.app()) as url:
        yield fake, url
