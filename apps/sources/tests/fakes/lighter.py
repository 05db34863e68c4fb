"""A fake Lighter API (GET /api/v1/account, /accountActiveOrders, /trades) speaking the wire format of
exchanges.md, with records carrying every field lighter-sdk's models require (checked in the tests).

Times: order `timestamp` Unix SECONDS, trade `timestamp` MILLISECONDS, `transaction_time` MICROSECONDS.
Private reads need the raw auth token in an `authorization` header; errors are HTTP 400 {"code", "message"}.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from apps.sources.tests.fakes.server import Recorded, Scripted, serve

ACCOUNT_INDEX = 1077
AUTH_TOKEN = "1795000000:1077:0:0a1b2c3d4e5f"
L1_ADDRESS = "0x2222222222222222222222222222222222222222"
MARKETS = {0: "ETH", 1: "BTC", 2: "SOL"}
INVALID_AUTH = 20013


def position_row(market_id: int, sign: int, position: str, avg_entry: str, value: str, unrealized: str,
                 realized: str, *, imf: str = "5.00", margin_mode: int = 0, allocated: str = "0") -> dict:  # fmt: skip
    """One account `positions` row (every AccountPosition field)."""
    return {"market_id": market_id, "symbol": MARKETS[market_id], "initial_margin_fraction": imf,
            "open_order_count": 0, "pending_order_count": 0, "position_tied_order_count": 0, "sign": sign,
            "position": position, "avg_entry_price": avg_entry, "position_value": value,
            "unrealized_pnl": unrealized, "realized_pnl": realized, "liquidation_price": "0",
            "total_funding_paid_out": "0", "margin_mode": margin_mode, "allocated_margin": allocated,
            "total_discount": "0", "margin_set_flag": 0}  # fmt: skip


def account(positions: list[dict], *, collateral: str, total_asset_value: str, index: int = ACCOUNT_INDEX) -> dict:
    """One DetailedAccount with the fields exchanges.md names (and a few more the real one carries)."""
    return {"code": 0, "account_type": 0, "account_trading_mode": 0, "index": index, "l1_address": L1_ADDRESS,
            "cancel_all_time": 0, "total_order_count": 2, "total_isolated_order_count": 0, "pending_order_count": 0,
            "available_balance": collateral, "status": 1, "collateral": collateral, "account_index": index,
            "name": "", "description": "", "can_invite": True, "referral_points_percentage": "0",
            "positions": positions, "assets": [], "total_asset_value": total_asset_value,
            "cross_asset_value": total_asset_value, "shares": [], "created_at": 1_700_000_000,
            "transaction_time": 1_795_000_000_000_000}  # fmt: skip


def order(order_index: int, market_id: int, *, is_ask: bool, remaining: str, price: str, kind: str = "limit",
          trigger_price: str = "0", reduce_only: bool = False, timestamp_s: int = 1_795_000_000) -> dict:  # fmt: skip
    """One accountActiveOrders order (every Order field); `timestamp` is Unix seconds."""
    return {"order_index": order_index, "client_order_index": 0, "order_id": str(order_index),
            "client_order_id": "0", "market_index": market_id, "owner_account_index": ACCOUNT_INDEX,
            "initial_base_amount": remaining, "price": price, "nonce": 1, "remaining_base_amount": remaining,
            "is_ask": is_ask, "base_size": 0, "base_price": 0, "filled_base_amount": "0",
            "filled_quote_amount": "0", "side": "sell" if is_ask else "buy", "type": kind,
            "time_in_force": "good-till-time", "reduce_only": reduce_only, "trigger_price": trigger_price,
            "order_expiry": 0, "status": "open", "trigger_status": "na", "trigger_time": 0,
            "parent_order_index": 0, "parent_order_id": "0", "to_trigger_order_id_0": "0",
            "to_trigger_order_id_1": "0", "to_cancel_order_id_0": "0", "block_height": 1, "timestamp": timestamp_s,
            "created_at": timestamp_s, "updated_at": timestamp_s, "transaction_time": timestamp_s * 1_000_000,
            "integrator_fee_collector_index": "0", "integrator_maker_fee": "0", "integrator_taker_fee": "0",
            "order_flags": 0, "order_version": 0, "market_symbol": MARKETS[market_id],
            "market_kind": "perps"}  # fmt: skip


def trade(trade_id: int, market_id: int, *, size: str, price: str, usd_amount: str, ask: int, bid: int,
          is_maker_ask: bool, timestamp_ms: int, ask_pnl: str = "0", bid_pnl: str = "0", taker_fee: int = 0,
          maker_fee: int = 0, transaction_time_us: int | None = None) -> dict:  # fmt: skip
    """One trades item (every Trade field); `timestamp` ms, `transaction_time` us, fees in ppm."""
    executed = timestamp_ms * 1000 + 250 if transaction_time_us is None else transaction_time_us
    return {"trade_id": trade_id, "tx_hash": f"{trade_id:064x}", "type": "trade", "market_id": market_id,
            "size": size, "price": price, "usd_amount": usd_amount, "ask_id": trade_id * 2,
            "bid_id": trade_id * 2 + 1, "ask_account_id": ask, "bid_account_id": bid, "is_maker_ask": is_maker_ask,
            "block_height": trade_id, "timestamp": timestamp_ms, "taker_fee": taker_fee,
            "taker_position_size_before": "0", "taker_entry_quote_before": "0",
            "taker_initial_margin_fraction_before": 500, "taker_position_sign_changed": False,
            "maker_fee": maker_fee, "maker_position_size_before": "0", "maker_entry_quote_before": "0",
            "maker_initial_margin_fraction_before": 500, "maker_position_sign_changed": False,
            "transaction_time": executed, "bid_account_pnl": bid_pnl, "ask_account_pnl": ask_pnl,
            "ask_client_id": 0, "bid_client_id": 0, "ask_client_id_str": "0", "bid_client_id_str": "0",
            "trade_id_str": str(trade_id), "integrator_maker_fee": 0, "integrator_maker_fee_collector_index": 0,
            "integrator_taker_fee": 0, "integrator_taker_fee_collector_index": 0,
            "taker_allocated_margin_usdc_before": 0, "taker_allocated_margin_usdc_after": 0,
            "maker_allocated_margin_usdc_before": 0, "maker_allocated_margin_usdc_after": 0,
            "bid_order_version": 0, "ask_order_version": 0, "market_symbol": MARKETS[market_id],
            "market_kind": "perps"}  # fmt: skip


def error(code: int, message: str, status: int = 400) -> web.Response:
    """Lighter's error answer."""
    return web.json_response({"code": code, "message": message}, status=status)


@dataclass
class FakeLighter(Scripted):
    """One scripted account; `overrides["/api/v1/<endpoint>"]` replaces an answer; trades are paged by cursor."""

    account: dict = field(default_factory=lambda: account([], collateral="0", total_asset_value="0"))
    orders: list = field(default_factory=list)
    trades: list = field(default_factory=list)  # newest first
    page_size: int = 100
    auth_token: str = AUTH_TOKEN

    def app(self) -> web.Application:
        """The aiohttp app."""
        app = web.Application()
        for name in ("account", "accountActiveOrders", "trades"):
            app.router.add_get(f"/api/v1/{name}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        """Record, then answer the override or the endpoint."""
        self.requests.append(Recorded.of(request))
        canned = self.override(request.path)
        if canned is not None:
            return canned.response()
        name = request.path.rsplit("/", 1)[-1]
        if name != "account" and request.headers.get("authorization") != self.auth_token:
            return error(INVALID_AUTH, "invalid auth token")
        answer = {"account": self.account_answer, "accountActiveOrders": self.orders_answer,
                  "trades": self.trades_answer}[name](request.query)  # fmt: skip
        return (
            answer
            if isinstance(answer, web.Response)
            else web.Response(text=json.dumps(answer), content_type="application/json")
        )

    def account_answer(self, query: Any) -> Any:
        """GET /api/v1/account?by=index&value=N."""
        if query.get("by") != "index" or not query.get("value", "").isdigit():
            return error(21100, "invalid param: by/value")
        found = [self.account] if int(query["value"]) == self.account["index"] else []
        return {"code": 200, "total": len(found), "accounts": found}

    def orders_answer(self, query: Any) -> Any:
        """GET /api/v1/accountActiveOrders?account_index=N."""
        if query.get("account_index") != str(self.account["index"]):
            return error(21101, "account_index does not match the auth token")
        return {"code": 200, "orders": self.orders}

    def trades_answer(self, query: Any) -> Any:
        """GET /api/v1/trades?sort_by=timestamp&limit&account_index&cursor, newest first."""
        limit = int(query.get("limit", "0"))
        if query.get("sort_by") != "timestamp" or not 1 <= limit <= 100:
            return error(21102, "invalid param: sort_by/limit")
        start = int(query.get("cursor") or 0)
        end = start + min(limit, self.page_size)
        page = {"code": 200, "trades": self.trades[start:end]}
        if end < len(self.trades):
            page["next_cursor"] = str(end)
        return page


@contextmanager
def running_fake_lighter(fake: FakeLighter | None = None) -> Iterator[tuple[FakeLighter, str]]:
    """A FakeLighter served on a free port: (fake, base URL)."""
    fake = fake or FakeLighter()
    with serve(fake.app()) as url:
        yield fake, url
