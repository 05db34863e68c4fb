"""ccxt connector: the real ccxt.hyperliquid class, read-only, against the fake /info; values from `info`."""

import time
from contextlib import closing
from dataclasses import replace

import pytest

from apps.sources.connectors import (
    BadAnswer,
    ConnectorConfigError,
    SourceTimeout,
    SourceUnavailable,
    SourceUnreachable,
    build_connector,
)
from apps.sources.connectors.ccxt_exchange import CcxtConnector
from apps.sources.tests.fakes.hyperliquid import ADDRESS, asset_position, clearinghouse_state, running_fake_hyperliquid
from apps.sources.tests.fakes.server import HTML_PAGE, Reply, json_reply, refused_url, silent_server
from apps.sources.tests.test_connector_hyperliquid import T2, scripted, with_first_position, without


def connect(url: str, timeout_s: float = 2.0, **credentials) -> CcxtConnector:
    return build_connector(kind="ccxt", exchange_id="hyperliquid", base_url=url, account_address=ADDRESS,
                           credentials=credentials, timeout_s=timeout_s)  # fmt: skip


def same_book(book, other):
    return replace(book, account=replace(book.account, as_of=other.account.as_of)) == other


@pytest.fixture
def exchange():
    with running_fake_hyperliquid(scripted()) as served:
        yield served


def test_ccxt_reads_the_same_exact_book_as_the_sdk_connector(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        book = connector.fetch_book(trades_since=None)
    with closing(build_connector(kind="hyperliquid", base_url=url, account_address=ADDRESS)) as sdk:
        expected = sdk.fetch_book(trades_since=None)

    assert same_book(book, expected)
    assert str(book.account.equity) == "10000.123456789012345678"
    assert book.positions[0].size + book.positions[1].size == expected.positions[0].size * 3
    ccxt_asked = [t for t in fake.types_asked() if t not in ("spotMeta", "meta")]
    assert ccxt_asked[:4] == ["spotMetaAndAssetCtxs", "metaAndAssetCtxs", "perpDexs", "clearinghouseState"]
    assert {"userAbstraction", "frontendOpenOrders", "userFills", "portfolio"} <= set(ccxt_asked)
    assert {r.path for r in fake.requests} == {"/info"}  # read-only: never a signed /exchange action


def test_the_exchange_is_aimed_at_the_base_url_with_the_timeout_and_read_only_keys(exchange):
    fake, url = exchange

    with closing(connect(url, timeout_s=1.5, apiKey="key", secret="shh")) as connector:
        exchange_object = connector.exchange

    assert exchange_object.urls["api"] == {"public": url, "private": url}
    assert exchange_object.timeout == 1500
    assert (exchange_object.walletAddress, exchange_object.apiKey, exchange_object.secret) == (ADDRESS, "key", "shh")
    assert not exchange_object.privateKey


def test_markets_are_loaded_once_per_connector(exchange):
    fake, url = exchange

    with closing(connect(url)) as connector:
        connector.fetch_book(trades_since=None)
        connector.fetch_book(trades_since=None)

    assert fake.types_asked().count("metaAndAssetCtxs") == 1
    assert fake.types_asked().count("clearinghouseState") == 4  # fetch_positions and fetch_balance, twice


def test_trades_since_asks_fills_by_time_in_milliseconds(exchange):
    fake, url = exchange
    from apps.sources.tests.test_connector_hyperliquid import ms

    with closing(connect(url)) as connector:
        trades = connector.fetch_book(trades_since=ms(T2)).trades

    assert [t.external_id for t in trades] == ["3", "2"]
    asked = next(r.body for r in fake.requests if r.body["type"] == "userFillsByTime")
    assert asked["startTime"] == T2 and asked["user"] == ADDRESS


def unified(fake) -> None:
    fake.state = clearinghouse_state(
        [asset_position("BTC", "0.1", "64000.5", "6412.0", "11.95", "641.2", 10)], "0.0", "0.0"
    )
    fake.spot_state = {"balances": [
        {"coin": "USDC", "token": 0, "total": "5000.123456789012345678", "hold": "641.2", "entryNtl": "0.0"},
    ]}  # fmt: skip


@pytest.mark.parametrize("abstraction", ["unifiedAccount", "disabled"])
def test_a_unified_account_takes_its_collateral_from_spot(exchange, abstraction):
    fake, url = exchange
    unified(fake)
    fake.abstraction = abstraction  # "disabled" yet zero perps: the trap, caught by reading spot too

    with closing(connect(url)) as connector:
        account = connector.fetch_book(trades_since=None).account

    assert str(account.equity) == "5012.073456789012345678"  # spot USDC 5000.12... + unrealized 11.95
    assert str(account.margin_used) == "641.2"
    assert "spotClearinghouseState" in fake.types_asked()


FAULTS = {
    "http 500": ("clearinghouseState", Reply("internal error", status=500, content_type="text/plain"),
                 SourceUnavailable),
    "rate limited": ("clearinghouseState", Reply("null", status=429), SourceUnavailable),
    "html 200": ("clearinghouseState", HTML_PAGE, BadAnswer),
    "truncated json": ("frontendOpenOrders", Reply('[{"coin": "BTC", "side": "B", "limitPx": "630'), BadAnswer),
    "missing field": ("clearinghouseState", without("entryPx"), BadAnswer),
    "NaN": ("clearinghouseState", with_first_position(unrealizedPnl="NaN"), BadAnswer),
    "negative value": ("clearinghouseState", with_first_position(positionValue="-6412.0"), BadAnswer),
    "not a list": ("userFills", json_reply({"fills": []}), BadAnswer),
}  # fmt: skip


@pytest.mark.parametrize("name", FAULTS)
def test_a_bad_answer_raises_the_right_error(exchange, name):
    fake, url = exchange
    kind, reply, error = FAULTS[name]
    fake.overrides[kind] = reply

    with closing(connect(url)) as connector, pytest.raises(error) as raised:
        connector.fetch_book(trades_since=None)

    assert raised.value.retryable is (error is SourceUnavailable)
    assert raised.value.message.startswith("ccxt ")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("html 200", "answer is not JSON: '<!DOCTYPE html>"), ("truncated json", "answer is not JSON"),
     ("missing field", "missing field 'entryPx'"), ("negative value", "-6412.0 is negative"),
     ("NaN", "non-number 'NaN' at assetPositions.0.position.unrealizedPnl")],
)  # fmt: skip
def test_the_error_message_names_the_problem(exchange, name, fragment):
    fake, url = exchange
    kind, reply, _ = FAULTS[name]
    fake.overrides[kind] = reply

    with closing(connect(url)) as connector, pytest.raises(BadAnswer) as raised:
        connector.fetch_book(trades_since=None)

    assert fragment in raised.value.message


def test_a_host_that_refuses_connections_is_unreachable_and_retryable():
    with closing(connect(refused_url())) as connector, pytest.raises(SourceUnreachable) as raised:
        connector.fetch_book(trades_since=None)

    assert raised.value.retryable


def test_a_host_that_never_answers_times_out_within_the_configured_limit():
    with silent_server() as url, closing(connect(url, timeout_s=0.3)) as connector:
        started = time.monotonic()
        with pytest.raises(SourceTimeout) as raised:
            connector.fetch_book(trades_since=None)
        elapsed = time.monotonic() - started

    assert raised.value.retryable and 0.3 <= elapsed < 1.5


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"credentials": {"privateKey": "0xabc"}}, "only read-only keys"),
        ({"credentials": {"apikey": "x"}}, "unknown key 'apikey'"),
        ({"exchange_id": "nosuchexchange"}, "no info mapping"),
        ({"exchange_id": "binance"}, "no info mapping for ccxt exchange 'binance'"),
        ({"account_address": ""}, "needs account_address"),
    ],
)
def test_a_misconfigured_ccxt_source_is_refused_at_construction(changes, fragment):
    arguments = {"kind": "ccxt", "exchange_id": "hyperliquid", "base_url": "http://127.0.0.1:1",
                 "account_address": ADDRESS, **changes}  # fmt: skip

    with pytest.raises(ConnectorConfigError) as raised:
        build_connector(**arguments)

    assert fragment in raised.value.message and not raised.value.retryable
