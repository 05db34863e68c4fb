"""Hyperliquid connector (the SDK's Info) against a fake /info speaking exchanges.md, and the simulator."""

import json
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from apps.simulator.testing import running_simulator
from apps.sources.connectors import (
    NO_STRATEGY,
    BadAnswer,
    OrderData,
    PositionData,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    SourceUnreachable,
    TradeData,
    build_connector,
)
from apps.sources.connectors.hyperliquid import HyperliquidConnector
from apps.sources.tests.fakes.hyperliquid import (
    ADDRESS,
    NOW_MS,
    FakeHyperliquid,
    asset_position,
    clearinghouse_state,
    fill,
    frontend_order,
    portfolio,
    running_fake_hyperliquid,
)
from apps.sources.tests.fakes.server import HTML_PAGE, Reply, json_reply, refused_url, silent_server

T1, T2, T3 = NOW_MS - 3_000_000, NOW_MS - 2_000_000, NOW_MS - 1_000_001


def ms(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


def scripted() -> FakeHyperliquid:
    """A standard account: a long BTC and a short ETH, four orders, one opening and two reducing fills."""
    return FakeHyperliquid(
        state=clearinghouse_state(
            [asset_position("BTC", "0.1", "64000.5", "6412.0", "11.95", "641.2", 10),
             asset_position("ETH", "-0.2", "3200.0", "638.0", "2.0", "63.8", 10)],
            account_value="10000.123456789012345678", margin_used="705.0", ntl="7050.0",
        ),
        orders=[
            frontend_order(101, "BTC", "A", "0.1", "63000.0", "Stop Market", trigger_px="63000.0", reduce_only=True),
            frontend_order(102, "ETH", "B", "0.5", "3000.0", "Limit"),
            frontend_order(103, "BTC", "A", "0.05", "66500.0", "Take Profit Limit", trigger_px="66000.0",
                           reduce_only=True),
            frontend_order(104, "ETH", "B", "0.2", "3300.0", "Stop Limit", trigger_px="3290.0"),
        ],
        fills=[
            fill(3, "ETH", "3190.0", "0.3", "B", T3, "-0.1", "Short > Long", "1.0", "0.05"),
            fill(2, "BTC", "64800.0", "0.25", "A", T2, "0.25", "Close Long", "199.875", "4.1"),
            fill(1, "BTC", "64000.5", "0.25", "B", T1, "0.0", "Open Long", "0.0", "2.0"),
        ],
        portfolio=portfolio("250.5"),
    )  # fmt: skip


def connect(url: str, timeout_s: float = 2.0, address: str = ADDRESS) -> HyperliquidConnector:
    return build_connector(kind="hyperliquid", base_url=url, account_address=address, timeout_s=timeout_s)


@pytest.fixture
def exchange():
    with running_fake_hyperliquid(scripted()) as served:
        yield served


def test_the_book_maps_positions_orders_fills_and_account_exactly(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        assert fake.requests == []  # meta and spot meta are passed in: the constructor sends nothing
        book = connector.fetch_book(trades_since=None)

    assert book.positions == (
        PositionData(NO_STRATEGY, "BTC", "long", Decimal("0.1"), Decimal("64000.5"), Decimal("64120"),
                     Decimal("11.95")),
        PositionData(NO_STRATEGY, "ETH", "short", Decimal("0.2"), Decimal("3200.0"), Decimal("3190"), Decimal("2.0")),
    )  # fmt: skip
    assert book.positions[0].size + book.positions[1].size == Decimal("0.3")
    assert book.orders == (
        OrderData("101", "", "BTC", "stop", "sell", Decimal("0.1"), Decimal("63000.0"), True, ms(NOW_MS)),
        OrderData("102", "", "ETH", "limit", "buy", Decimal("0.5"), Decimal("3000.0"), False, ms(NOW_MS)),
        OrderData("103", "", "BTC", "take_profit", "sell", Decimal("0.05"), Decimal("66000.0"), True, ms(NOW_MS)),
        OrderData("104", "", "ETH", "stop_limit", "buy", Decimal("0.2"), Decimal("3290.0"), False, ms(NOW_MS)),
    )
    assert book.trades == (
        TradeData("3", "", "ETH", "short", Decimal("0.1"), None, Decimal("3190.0"), None, Decimal("1.0"),
                  Decimal("0.05"), None, ms(T3)),
        TradeData("2", "", "BTC", "long", Decimal("0.25"), None, Decimal("64800.0"), None, Decimal("199.875"),
                  Decimal("4.1"), None, ms(T2)),
    )  # fmt: skip
    account = book.account
    assert account.equity == Decimal("10000.123456789012345678")
    assert (account.margin_used, account.unrealized_pnl) == (Decimal("705.0"), Decimal("13.95"))
    assert account.realized_pnl == Decimal("236.55")  # allTime PnL 250.5 less the open 13.95
    assert fake.types_asked() == ["clearinghouseState", "portfolio", "frontendOpenOrders", "userFills"]
    assert fake.requests[0].body == {"type": "clearinghouseState", "user": ADDRESS, "dex": ""}


def test_trades_since_reads_fills_by_time_in_milliseconds(exchange):
    fake, url = exchange
    since = ms(T2)

    with closing(connect(url)) as connector:
        trades = connector.fetch_trades(since)

    assert [t.external_id for t in trades] == ["3", "2"]
    asked = fake.requests[-1].body
    assert asked == {"type": "userFillsByTime", "user": ADDRESS, "startTime": T2, "endTime": None,
                     "aggregateByTime": False}  # fmt: skip


def test_full_fill_pages_are_followed_from_their_newest_fill_and_deduplicated(exchange, monkeypatch):
    fake, url = exchange
    monkeypatch.setattr("apps.sources.tests.fakes.hyperliquid.MAX_FILLS", 2)
    monkeypatch.setattr("apps.sources.connectors.hyperliquid.MAX_FILLS_PER_ANSWER", 2)
    fake.fills = [fill(10 + i, "BTC", "64800.0", "0.01", "A", T1 + i * 1000, "1.0", "Close Long", "0.5", "0.01")
                  for i in reversed(range(3))]  # fmt: skip

    with closing(connect(url)) as connector:
        trades = connector.fetch_trades(ms(T1))

    assert [t.external_id for t in trades] == ["12", "11", "10"]
    starts = [r.body["startTime"] for r in fake.requests if r.body["type"] == "userFillsByTime"]
    assert starts == [T1, T1 + 1000, T1 + 2000]


def test_a_unified_account_takes_its_collateral_from_the_spot_balances(exchange):
    fake, url = exchange
    fake.state = clearinghouse_state(
        [asset_position("BTC", "0.1", "64000.5", "6412.0", "11.95", "641.2", 10)], "0.0", "0.0"
    )
    fake.spot_state = {"balances": [
        {"coin": "USDC", "token": 0, "total": "5000.123456789012345678", "hold": "641.2", "entryNtl": "0.0"},
        {"coin": "PURR", "token": 1, "total": "62.97481", "hold": "0.0", "entryNtl": "14.6492003"},
    ]}  # fmt: skip

    with closing(connect(url)) as connector:
        account = connector.fetch_book(trades_since=None).account

    assert account.equity == Decimal("5000.123456789012345678") + Decimal("11.95")
    assert account.margin_used == Decimal("641.2")
    assert "spotClearinghouseState" in fake.types_asked()


def test_an_unknown_address_reads_as_an_empty_zero_account(exchange):
    fake, url = exchange

    with closing(connect(url, address="0x" + "9" * 40)) as connector:
        book = connector.fetch_book(trades_since=None)

    assert (book.positions, book.orders, book.trades) == ((), (), ())
    assert (book.account.equity, book.account.margin_used, book.account.realized_pnl) == (0, 0, 0)


def test_the_portfolio_read_is_reused_for_a_minute(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        connector.fetch_book(trades_since=None)
        connector.fetch_book(trades_since=None)

    assert fake.types_asked().count("portfolio") == 1
    assert fake.types_asked().count("clearinghouseState") == 2


def with_first_position(**changes) -> Reply:
    state = scripted().state
    state["assetPositions"][0]["position"].update(changes)
    return json_reply(state)


def without(field: str) -> Reply:
    state = scripted().state
    del state["assetPositions"][0]["position"][field]
    return json_reply(state)


FAULTS = {
    "http 500": ("clearinghouseState", Reply("internal error", status=500, content_type="text/plain"),
                 SourceUnavailable, "HTTP 500"),
    "rate limited": ("clearinghouseState", Reply("null", status=429), SourceUnavailable, "HTTP 429"),
    "malformed request": ("frontendOpenOrders", Reply("Failed to deserialize the JSON body into the target type",
                          status=422, content_type="text/plain"), SourceRejected, "Failed to deserialize"),
    "html 200": ("clearinghouseState", HTML_PAGE, BadAnswer, "content-type text/html"),
    "truncated json": ("clearinghouseState", Reply('{"marginSummary": {"accountValue": "10'), BadAnswer,
                       "malformed JSON"),
    "missing field": ("clearinghouseState", without("entryPx"), BadAnswer, "missing field 'entryPx'"),
    "NaN": ("clearinghouseState", with_first_position(unrealizedPnl="NaN"), BadAnswer, "unrealizedPnl: 'NaN'"),
    "negative value": ("clearinghouseState", with_first_position(positionValue="-6412.0"), BadAnswer,
                       "positionValue: -6412.0 is negative"),
    "negative fill size": ("userFills", json_reply([fill(9, "BTC", "1.0", "-0.5", "A", T1, "1", "Close Long",
                           "2.0", "0.1")]), BadAnswer, "sz: -0.5 is negative"),
    "unknown order type": ("frontendOpenOrders", json_reply([frontend_order(1, "BTC", "B", "1", "1", "Scale")]),
                           BadAnswer, "unknown order type 'Scale'"),
    "not a list": ("frontendOpenOrders", json_reply({"error": "oops"}), BadAnswer, "expected a JSON array"),
}  # fmt: skip


@pytest.mark.parametrize("name", FAULTS)
def test_a_bad_answer_raises_the_right_error_naming_the_problem(exchange, name):
    fake, url = exchange
    kind, reply, error, fragment = FAULTS[name]
    fake.overrides[kind] = reply

    with closing(connect(url)) as connector, pytest.raises(error) as raised:
        connector.fetch_book(trades_since=None)

    assert fragment in raised.value.message
    assert raised.value.retryable is (error is SourceUnavailable)


def test_a_host_that_refuses_connections_is_unreachable_and_retryable():
    with closing(connect(refused_url())) as connector, pytest.raises(SourceUnreachable) as raised:
        connector.fetch_book(trades_since=None)

    assert raised.value.retryable and "clearinghouseState: cannot connect" in raised.value.message


def test_a_host_that_never_answers_times_out_within_the_configured_limit():
    with silent_server() as url, closing(connect(url, timeout_s=0.3)) as connector:
        started = time.monotonic()
        with pytest.raises(SourceTimeout) as raised:
            connector.fetch_book(trades_since=None)
        elapsed = time.monotonic() - started

    assert raised.value.retryable and "no answer within 0.3 s" in raised.value.message
    assert 0.3 <= elapsed < 1.5


def test_a_source_without_an_address_is_refused_at_construction():
    with pytest.raises(Exception, match="account_address"):
        build_connector(kind="hyperliquid", base_url="http://127.0.0.1:1")


def test_against_the_simulated_exchange_the_book_matches_its_clearinghouse_state():
    with running_simulator(seed=7, speed=900.0) as sim:
        sim.step(80)
        body = {"type": "clearinghouseState", "user": sim.fake_hl_address, "dex": ""}
        raw = json.loads(httpx.post(f"{sim.fake_hyperliquid_url}/info", json=body, timeout=2).text,
                         parse_float=Decimal)  # fmt: skip
        with closing(connect(sim.fake_hyperliquid_url, address=sim.fake_hl_address)) as connector:
            book = connector.fetch_book(trades_since=None)

    assert book.account.equity == Decimal(raw["marginSummary"]["accountValue"])
    assert book.account.margin_used == Decimal(raw["marginSummary"]["totalMarginUsed"])
    assert [(p.symbol, p.size, p.unrealized_pnl) for p in book.positions] == [
        (a["position"]["coin"], abs(Decimal(a["position"]["szi"])), Decimal(a["position"]["unrealizedPnl"]))
        for a in raw["assetPositions"]
    ]
    assert book.trades, "the simulated account closed nothing in 80 steps"
    assert all(t.strategy == NO_STRATEGY and t.realized_pnl != 0 for t in book.trades)
