"""Trader-service connector against a fake trader speaking the contract, and against the simulator."""

import json
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from apps.simulator.constants import SERVER_HYPERLIQUID_TRADER
from apps.simulator.testing import running_simulator
from apps.sources.connectors import (
    AccountData,
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
from apps.sources.connectors.trader_service import RiskSetting, StrategyInfo, TraderServiceConnector, TraderStatus
from apps.sources.tests.fakes.server import HTML_PAGE, Reply, json_reply, refused_url, silent_server
from apps.sources.tests.fakes.trader import CONTRACT_BOOK, running_fake_trader


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def connect(url: str, timeout_s: float = 2.0) -> TraderServiceConnector:
    return build_connector(kind="trader_service", base_url=url, timeout_s=timeout_s)


@pytest.fixture
def trader():
    with running_fake_trader() as served:
        yield served


def test_the_contract_book_comes_through_with_exact_decimals_and_utc_times(trader):
    fake, url = trader

    with closing(connect(url)) as connector:
        book = connector.fetch_book(trades_since=None)

    assert book.positions == (
        PositionData("ema_cross", "BTC", "long", Decimal("0.25"), Decimal("64000.5"), Decimal("64120.0"),
                     Decimal("29.875"), Decimal("63000"), Decimal("66000"), at("2026-11-21T20:00:00Z")),
        PositionData("breakout", "ETH", "short", Decimal("0.1"), Decimal("3200"), Decimal("3190"), Decimal("1"),
                     None, None, at("2026-11-21T19:30:00Z")),
    )  # fmt: skip
    assert book.orders == (
        OrderData("9001", "ema_cross", "BTC", "stop", "sell", Decimal("0.25"), Decimal("63000"), True,
                  at("2026-11-21T20:00:01Z")),
        OrderData("9002", "breakout", "ETH", "market", "buy", Decimal("0.2"), None, False, at("2026-11-21T20:31:00Z")),
    )  # fmt: skip
    assert book.trades[0] == TradeData(
        "t-1842", "ema_cross", "BTC", "long", Decimal("0.25"), Decimal("64000.5"), Decimal("64800.0"),
        Decimal("63000"), Decimal("199.875"), Decimal("4.1"), at("2026-11-21T20:00:00Z"), at("2026-11-21T21:10:00Z"),
    )  # fmt: skip
    assert [t.external_id for t in book.trades] == ["t-1842", "t-1841"]
    assert book.trades[1].opened_at is None and book.trades[1].stop_loss is None
    assert book.account == AccountData(
        Decimal("25231.40"), Decimal("5231.40"), Decimal("129.10"), Decimal("4100.00"), book.account.as_of
    )
    assert book.account.as_of.tzinfo is not None
    assert book.positions[1].opened_at.utcoffset() == timedelta(0)


def test_sizes_add_exactly_and_long_decimals_and_json_numbers_never_pass_through_float(trader):
    fake, url = trader
    first, second = (dict(CONTRACT_BOOK["positions"][0], symbol=s) for s in ("BTC", "ETH"))
    first.update(size="0.1", entry_price="0.123456789012345678")
    second.update(size="0.2")
    body = json.dumps({"positions": [first, second]}).replace('"64120.0"', "64120.10000000000000000001")
    fake.overrides["/api/positions"] = Reply(body)

    with closing(connect(url)) as connector:
        positions = connector.fetch_positions()

    assert positions[0].size + positions[1].size == Decimal("0.3")
    assert positions[0].entry_price == Decimal("0.123456789012345678")
    assert str(positions[0].entry_price) == "0.123456789012345678"
    assert positions[0].mark_price == Decimal("64120.10000000000000000001")


def test_trades_since_is_sent_as_iso_z_with_a_limit_and_older_trades_are_left_out(trader):
    fake, url = trader
    since = at("2026-11-21T20:00:00Z")

    with closing(connect(url)) as connector:
        trades = connector.fetch_trades(since=since)

    assert [t.external_id for t in trades] == ["t-1842"]
    assert fake.requests[0].query == {"limit": "100", "since": "2026-11-21T20:00:00Z"}


def test_trade_pages_move_since_forward_and_a_repeated_trade_is_returned_once(trader, caplog):
    fake, url = trader
    base = at("2026-11-01T00:00:00Z")
    fake.book["trades"] = [
        dict(CONTRACT_BOOK["trades"][0], trade_id=f"t-{i}", closed_at=(base + timedelta(minutes=i)).isoformat())
        for i in range(150)
    ]

    with closing(connect(url)) as connector:
        trades = connector.fetch_trades(since=base)

    # The fake answers the newest `limit` trades since `since` (as the simulator does): the second page,
    # from the newest closing time, repeats that trade, which comes back once.
    assert len(trades) == 100 and len({t.external_id for t in trades}) == 100
    assert trades[0].external_id == "t-149" and trades[-1].external_id == "t-50"
    assert [r.query.get("since") for r in fake.requests] == ["2026-11-01T00:00:00Z", "2026-11-01T02:29:00Z"]
    assert "older ones may be missing" in caplog.text


def test_status_and_risk_settings_are_read_exactly(trader):
    fake, url = trader

    with closing(connect(url)) as connector:
        status, risk = connector.fetch_status(), connector.fetch_risk_settings()

    assert status == TraderStatus("trader", "hyperliquid", True, True, 5231, "1.4.0", at("2026-11-21T22:00:00Z"))
    assert risk.settings == (
        RiskSetting("ema_cross", "BTC", True, Decimal("1.5"), Decimal("200"), Decimal("1000"), False,
                    Decimal("812.40")),
    )  # fmt: skip
    assert risk.strategies == (StrategyInfo("ema_cross", "BTC", "EMA cross 4h", "4h"),)


def test_a_token_in_the_credentials_is_sent_as_a_bearer_header(trader):
    fake, url = trader

    with closing(build_connector(kind="trader_service", base_url=url, credentials={"token": "s3cret"})) as c:
        c.fetch_status()

    assert fake.requests[0].headers["authorization"] == "Bearer s3cret"


def positions_with(**changes) -> Reply:
    return json_reply({"positions": [dict(CONTRACT_BOOK["positions"][0], **changes)]})


FAULTS = {
    "http 500": (Reply('{"detail": "engine exploded"}', status=500), SourceUnavailable, "HTTP 500: engine exploded"),
    "engine not ready": (Reply('{"detail": "engine not ready"}', status=503), SourceUnavailable, "HTTP 503"),
    "not found": (Reply('{"detail": "no such route"}', status=404), SourceRejected, "HTTP 404: no such route"),
    "html 200": (HTML_PAGE, BadAnswer, "content-type text/html"),
    "truncated json": (Reply('{"positions": [{"strategy_id": "ema_cr'), BadAnswer, "malformed JSON"),
    "empty body": (Reply(""), BadAnswer, "empty body"),
    "missing field": (
        json_reply({"positions": [{k: v for k, v in CONTRACT_BOOK["positions"][0].items() if k != "entry_price"}]}),
        BadAnswer,
        "missing field 'entry_price'",
    ),
    "null field": (positions_with(mark_price=None), BadAnswer, "field 'mark_price' is null"),
    "NaN string": (positions_with(unrealized_pnl="NaN"), BadAnswer, "unrealized_pnl: 'NaN'"),
    "Infinity string": (positions_with(mark_price="Infinity"), BadAnswer, "mark_price: 'Infinity'"),
    "NaN literal": (Reply(positions_with().body.replace('"29.875"', "NaN")), BadAnswer, "JSON holds NaN"),
    "negative size": (positions_with(size="-0.25"), BadAnswer, "size: -0.25 is negative"),
    "boolean size": (positions_with(size=True), BadAnswer, "size: True"),
    "naive time": (positions_with(opened_at="2026-11-21T20:00:00"), BadAnswer, "has no time zone"),
    "unknown side": (positions_with(side="flat"), BadAnswer, "'flat' is not long or short"),
    "not an object": (json_reply(["positions"]), BadAnswer, "expected a JSON object"),
}  # fmt: skip


@pytest.mark.parametrize("name", FAULTS)
def test_a_bad_answer_raises_the_right_error_naming_the_problem(trader, name):
    fake, url = trader
    reply, error, fragment = FAULTS[name]
    fake.overrides["/api/positions"] = reply

    with closing(connect(url)) as connector, pytest.raises(error) as raised:
        connector.fetch_book(trades_since=None)

    assert fragment in raised.value.message
    assert raised.value.retryable is (error is SourceUnavailable)


def test_a_host_that_refuses_connections_is_unreachable_and_retryable():
    with closing(connect(refused_url())) as connector, pytest.raises(SourceUnreachable) as raised:
        connector.fetch_book(trades_since=None)

    assert raised.value.retryable and "cannot connect" in raised.value.message


def test_a_host_that_never_answers_times_out_within_the_configured_limit():
    with silent_server() as url, closing(connect(url, timeout_s=0.3)) as connector:
        started = time.monotonic()
        with pytest.raises(SourceTimeout) as raised:
            connector.fetch_book(trades_since=None)
        elapsed = time.monotonic() - started

    assert raised.value.retryable and "no answer within 0.3 s" in raised.value.message
    assert 0.3 <= elapsed < 1.5


def test_against_the_simulator_the_book_matches_what_the_trader_serves():
    with running_simulator(seed=7, speed=900.0) as sim:
        sim.step(80)
        raw = {p: httpx.get(f"{sim.hyperliquid_url}/api/{p}", timeout=2).text for p in ("positions", "trades")}
        with closing(connect(sim.hyperliquid_url)) as connector:
            book = connector.fetch_book(trades_since=None)
            status = connector.fetch_status()
            risk = connector.fetch_risk_settings()
            sim.faults(SERVER_HYPERLIQUID_TRADER).ready = False
            with pytest.raises(SourceUnavailable) as raised:
                connector.fetch_book(trades_since=None)

    positions = json.loads(raw["positions"], parse_float=Decimal)["positions"]
    trades = json.loads(raw["trades"], parse_float=Decimal)["trades"]
    assert [(p.strategy, p.symbol, p.size) for p in book.positions] == [
        (p["strategy_id"], p["symbol"], Decimal(p["size"])) for p in positions if Decimal(p["size"])
    ]
    assert [(t.external_id, t.realized_pnl) for t in book.trades] == [
        (t["trade_id"], Decimal(t["realized_pnl"])) for t in trades
    ]
    assert trades, "the simulation closed no trade in 80 steps"
    assert status.engine_ready and risk.settings
    assert raised.value.retryable and "HTTP 503" in raised.value.message
