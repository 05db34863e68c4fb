"""Lighter connector (lighter-sdk) against a fake Lighter API speaking exchanges.md."""

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import lighter
import pytest

from apps.sources.connectors import (
    BadAnswer,
    ConnectorConfigError,
    OrderData,
    PositionData,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    SourceUnreachable,
    TradeData,
    build_connector,
)
from apps.sources.connectors.lighter import LighterConnector
from apps.sources.tests.fakes.lighter import (
    ACCOUNT_INDEX as IDX,
)
from apps.sources.tests.fakes.lighter import (
    AUTH_TOKEN,
    FakeLighter,
    account,
    order,
    position_row,
    running_fake_lighter,
    trade,
)
from apps.sources.tests.fakes.server import HTML_PAGE, Reply, json_reply, refused_url, silent_server

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = 1_795_000_000_123  # ms


def scripted() -> FakeLighter:
    """A long BTC (cross), a short ETH (isolated), a closed SOL market; three orders; three trades."""
    return FakeLighter(
        account=account([
            position_row(1, 1, "0.1", "64000.5", "6412.0", "11.95", "100.5"),
            position_row(0, -1, "0.2", "3200.0", "638.0", "2.0", "-20.25", margin_mode=1,
                         allocated="70.123456789012345678"),
            position_row(2, 0, "0", "0", "0", "0", "5.5"),
        ], collateral="10000.5", total_asset_value="10013.123456789012345678"),
        orders=[
            order(7001, 1, is_ask=True, remaining="0.1", price="62900", kind="stop-loss", trigger_price="63000",
                  reduce_only=True, timestamp_s=1_795_000_000),
            order(7002, 0, is_ask=False, remaining="0.5", price="3000.5", timestamp_s=1_795_000_123),
            order(7003, 2, is_ask=True, remaining="10", price="250", kind="take-profit-limit", trigger_price="249.5",
                  timestamp_s=1_795_000_200),
        ],
        trades=[
            trade(503, 1, size="0.25", price="64800", usd_amount="16200", ask=IDX, bid=999, is_maker_ask=True,
                  timestamp_ms=T, ask_pnl="199.875", maker_fee=20, taker_fee=300),
            trade(502, 0, size="0.1", price="3190", usd_amount="319", ask=888, bid=IDX, is_maker_ask=True,
                  timestamp_ms=T - 1000, bid_pnl="1.0", maker_fee=20, taker_fee=300),
            trade(501, 1, size="0.25", price="64000.5", usd_amount="16000.125", ask=777, bid=IDX,
                  is_maker_ask=False, timestamp_ms=T - 2000),
        ],
    )  # fmt: skip


def connect(url: str, timeout_s: float = 2.0, token: str | None = AUTH_TOKEN) -> LighterConnector:
    credentials = {"auth_token": token} if token else {}
    return build_connector(
        kind="lighter", base_url=url, account_address=str(IDX), credentials=credentials, timeout_s=timeout_s
    )


@pytest.fixture
def exchange():
    with running_fake_lighter(scripted()) as served:
        yield served


def test_the_fake_speaks_the_sdk_models_schema():
    fake = scripted()

    for row in fake.account["positions"]:
        lighter.AccountPosition.model_validate(row)
    lighter.Orders.model_validate({"code": 200, "orders": fake.orders})
    lighter.Trades.model_validate({"code": 200, "next_cursor": "", "trades": fake.trades})


def test_the_book_maps_positions_account_orders_and_trades_exactly(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        book = connector.fetch_book(trades_since=None)

    assert book.positions == (
        PositionData("", "BTC", "long", Decimal("0.1"), Decimal("64000.5"), Decimal("64120"), Decimal("11.95")),
        PositionData("", "ETH", "short", Decimal("0.2"), Decimal("3200.0"), Decimal("3190"), Decimal("2.0")),
    )
    assert book.positions[0].size + book.positions[1].size == Decimal("0.3")
    account_data = book.account
    assert account_data.equity == Decimal("10013.123456789012345678")
    assert account_data.realized_pnl == Decimal("85.75")  # 100.5 - 20.25 + 5.5 (a closed market counts)
    assert account_data.unrealized_pnl == Decimal("13.95")
    # cross: 6412.0 x 5.00% ; isolated: allocated margin
    assert account_data.margin_used == Decimal("320.6") + Decimal("70.123456789012345678")
    assert book.orders == (
        OrderData("7001", "", "BTC", "stop", "sell", Decimal("0.1"), Decimal("63000"), True,
                  EPOCH + timedelta(seconds=1_795_000_000)),
        OrderData("7002", "", "ETH", "limit", "buy", Decimal("0.5"), Decimal("3000.5"), False,
                  EPOCH + timedelta(seconds=1_795_000_123)),
        OrderData("7003", "", "SOL", "take_profit", "sell", Decimal("10"), Decimal("249.5"), False,
                  EPOCH + timedelta(seconds=1_795_000_200)),
    )  # fmt: skip
    assert book.trades == (
        # we sold (ask) and were the maker: 16200 x 20 ppm
        TradeData("503", "", "BTC", "long", Decimal("0.25"), None, Decimal("64800"), None, Decimal("199.875"),
                  Decimal("0.324"), None, EPOCH + timedelta(milliseconds=T)),
        # we bought back (bid) as the taker: 319 x 300 ppm
        TradeData("502", "", "ETH", "short", Decimal("0.1"), None, Decimal("3190"), None, Decimal("1.0"),
                  Decimal("0.0957"), None, EPOCH + timedelta(milliseconds=T - 1000)),
    )  # fmt: skip


def test_each_time_unit_lands_on_the_right_instant(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        book = connector.fetch_book(trades_since=None)

    # order timestamp 1_795_000_000: SECONDS
    assert book.orders[0].created_at == datetime(2026, 11, 18, 11, 6, 40, tzinfo=UTC)
    # trade timestamp 1_795_000_000_123: MILLISECONDS, to the millisecond
    assert book.trades[0].closed_at == datetime(2026, 11, 18, 11, 6, 40, 123000, tzinfo=UTC)
    # transaction_time: MICROSECONDS; the fake stamps T ms + 250 us, which agrees with timestamp
    assert fake.trades[0]["transaction_time"] == 1_795_000_000_123_250


def test_a_transaction_time_in_the_wrong_unit_is_refused(exchange):
    fake, url = exchange
    fake.trades[0]["transaction_time"] = T  # milliseconds where microseconds belong: 1970 + 57 years / 1000

    with closing(connect(url)) as connector, pytest.raises(BadAnswer) as raised:
        connector.fetch_book(trades_since=None)

    assert "timestamp" in raised.value.message and "transaction_time" in raised.value.message


def test_trades_are_paged_with_the_cursor_until_it_is_empty(exchange):
    fake, url = exchange
    fake.page_size = 1

    with closing(connect(url)) as connector:
        trades = connector.fetch_book(trades_since=None).trades

    assert [t.external_id for t in trades] == ["503", "502"]
    pages = [r.query for r in fake.requests if r.path == "/api/v1/trades"]
    assert [q.get("cursor") for q in pages] == [None, "1", "2"]
    assert pages[0] == {"sort_by": "timestamp", "sort_dir": "desc", "limit": "100", "account_index": str(IDX)}


def test_paging_stops_once_a_page_reaches_past_since(exchange):
    fake, url = exchange
    fake.page_size = 1

    with closing(connect(url)) as connector:
        trades = connector.fetch_book(trades_since=EPOCH + timedelta(milliseconds=T - 500)).trades

    assert [t.external_id for t in trades] == ["503"]
    assert len([r for r in fake.requests if r.path == "/api/v1/trades"]) == 2


def test_private_reads_carry_the_raw_token_and_a_bad_token_is_rejected(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        connector.fetch_book(trades_since=None)
    with closing(connect(url, token="expired")) as connector, pytest.raises(SourceRejected) as raised:
        connector.fetch_book(trades_since=None)

    orders_request = next(r for r in fake.requests if r.path == "/api/v1/accountActiveOrders")
    assert orders_request.headers["authorization"] == AUTH_TOKEN
    assert not raised.value.retryable and "HTTP 400: invalid auth token" in raised.value.message


def test_a_source_without_token_or_index_is_refused_at_construction():
    with pytest.raises(ConnectorConfigError, match="auth_token"):
        connect("http://127.0.0.1:1", token=None)
    with pytest.raises(ConnectorConfigError, match="account index"):
        build_connector(kind="lighter", base_url="http://127.0.0.1:1", account_address="0xabc",
                        credentials={"auth_token": "t"})  # fmt: skip


def missing(collection: str, field: str) -> dict:
    fake = scripted()
    records = {"trades": fake.trades, "orders": fake.orders, "positions": fake.account["positions"]}[collection]
    del records[0][field]
    return {"trades": {"code": 200, "trades": fake.trades}, "orders": {"code": 200, "orders": fake.orders},
            "positions": {"code": 200, "total": 1, "accounts": [fake.account]}}[collection]  # fmt: skip


def changed_position(**changes) -> Reply:
    fake = scripted()
    fake.account["positions"][0].update(changes)
    return json_reply({"code": 200, "total": 1, "accounts": [fake.account]})


ACCOUNT, ORDERS, TRADES = "/api/v1/account", "/api/v1/accountActiveOrders", "/api/v1/trades"
FAULTS = {
    "200 with an error code": (ACCOUNT, json_reply({"code": 21100, "message": "account not found"}),
                               SourceRejected, "error code 21100: account not found"),
    "400 bad request": (TRADES, json_reply({"code": 21102, "message": "invalid param"}, status=400),
                        SourceRejected, "HTTP 400: invalid param"),
    "http 500": (ORDERS, Reply('{"code": 29500, "message": "internal"}', status=500), SourceUnavailable,
                 "HTTP 500: internal"),
    "html 200": (ACCOUNT, HTML_PAGE, BadAnswer, "content-type text/html"),
    "truncated json": (TRADES, Reply('{"code":200,"trades":[{"trade_id":5'), BadAnswer, "malformed JSON"),
    "missing trade pnl": (TRADES, json_reply(missing("trades", "ask_account_pnl")), BadAnswer,
                          "missing field 'ask_account_pnl'"),
    "missing order timestamp": (ORDERS, json_reply(missing("orders", "timestamp")), BadAnswer,
                                "missing field 'timestamp'"),
    "missing position sign": (ACCOUNT, json_reply(missing("positions", "sign")), BadAnswer, "missing field 'sign'"),
    "missing code": (ORDERS, json_reply({"orders": []}), BadAnswer, "missing field 'code'"),
    "NaN": (ACCOUNT, changed_position(unrealized_pnl="NaN"), BadAnswer, "unrealized_pnl: 'NaN'"),
    "negative size": (ACCOUNT, changed_position(position="-0.1"), BadAnswer, "position: -0.1 is negative"),
    "bad sign": (ACCOUNT, changed_position(sign=2), BadAnswer, "sign: 2 is not 1 or -1"),
    "no such account": (ACCOUNT, json_reply({"code": 200, "total": 0, "accounts": []}), BadAnswer,
                        f"no account with index {IDX}"),
}  # fmt: skip


@pytest.mark.parametrize("name", FAULTS)
def test_a_bad_answer_raises_the_right_error_naming_the_problem(exchange, name):
    fake, url = exchange
    path, reply, error, fragment = FAULTS[name]
    fake.overrides[path] = reply

    with closing(connect(url)) as connector, pytest.raises(error) as raised:
        connector.fetch_book(trades_since=None)

    assert fragment in raised.value.message
    assert raised.value.retryable is (error is SourceUnavailable)


def test_a_host_that_refuses_connections_is_unreachable_and_retryable():
    with closing(connect(refused_url())) as connector, pytest.raises(SourceUnreachable) as raised:
        connector.fetch_book(trades_since=None)

    assert raised.value.retryable and "lighter account: cannot connect" in raised.value.message


def test_a_host_that_never_answers_times_out_within_the_configured_limit():
    with silent_server() as url, closing(connect(url, timeout_s=0.3)) as connector:
        started = time.monotonic()
        with pytest.raises(SourceTimeout) as raised:
            connector.fetch_book(trades_since=None)
        elapsed = time.monotonic() - started

    assert raised.value.retryable and "no answer within 0.3 s" in raised.value.message
    assert 0.3 <= elapsed < 1.5


def test_many_fetches_run_side_by_side_in_threads(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector, ThreadPoolExecutor(max_workers=4) as pool:
        books = list(pool.map(lambda _: connector.fetch_book(trades_since=None), range(8)))

    def content(book):
        account = book.account
        money = (account.equity, account.realized_pnl, account.unrealized_pnl, account.margin_used)
        return money, book.positions, book.orders, book.trades

    assert len(books) == 8 and all(content(book) == content(books[0]) for book in books)
