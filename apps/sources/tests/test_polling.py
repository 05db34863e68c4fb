"""Polling: idempotent upserts, exactly-once trades, faults that keep the last good data."""

import time
from decimal import Decimal

import pytest

from apps.sources.models import AccountState, Order, Position, Source, Trade
from apps.sources.polling import sources_poll_due
from apps.sources.tests.factories import SourceFactory
from apps.sources.tests.scripted_trader import FAULTS, scripted_trader

pytestmark = pytest.mark.django_db(transaction=True)


def book_rows(source: Source) -> dict:
    """Everything a poll writes for a source, as comparable values."""
    return {
        "positions": list(Position.objects.filter(source=source).order_by("pk").values()),
        "orders": list(Order.objects.filter(source=source).order_by("pk").values()),
        "trades": list(Trade.objects.filter(source=source).order_by("pk").values()),
        "accounts": list(AccountState.objects.filter(source=source).values("equity", "realized_pnl")),
    }


def poll(*names: str):
    return {outcome.source: outcome for outcome in sources_poll_due(names=list(names), force=True)}


@pytest.fixture
def trader():
    with scripted_trader() as served:
        yield served


@pytest.fixture
def healthy_trader():
    with scripted_trader() as served:
        yield served


def test_a_poll_stores_the_book_with_exact_decimals_and_risk_reward(trader):
    source = SourceFactory(name="scripted", base_url=trader.url)

    outcome = poll("scripted")["scripted"]

    assert outcome.ok and outcome.new_trades == 2
    btc = Position.objects.get(source=source, symbol="BTC")
    assert (btc.strategy, btc.side, btc.size, btc.entry_price) == ("ema_cross", "long", Decimal("0.25"),
                                                                   Decimal("64000.5"))  # fmt: skip
    win, loss = Trade.objects.get(external_id="t-2"), Trade.objects.get(external_id="t-1")
    assert win.risk_reward == Decimal("0.799100")  # |64800 - 64000.5| / |64000.5 - 63000| = 799.5 / 1000.5
    assert loss.risk_reward == Decimal("-1")  # stopped out at exactly one R, signed by the loss
    assert Order.objects.get(source=source).external_id == "9001"
    source.refresh_from_db()
    assert source.status == "ok" and source.last_error == ""


def test_three_polls_of_an_unchanged_trader_leave_identical_rows(trader):
    source = SourceFactory(name="scripted", base_url=trader.url)
    poll("scripted")
    first = book_rows(source)

    poll("scripted")
    poll("scripted")

    assert book_rows(source) == first


def test_a_trade_listed_twice_is_stored_once_and_a_closed_position_leaves_the_book(trader):
    source = SourceFactory(name="scripted", base_url=trader.url)
    poll("scripted")
    trader.book["trades"].insert(0, dict(trader.book["trades"][0]))  # the same trade on the page twice
    trader.book["positions"] = [p for p in trader.book["positions"] if p["symbol"] != "ETH"]

    poll("scripted")

    assert Trade.objects.filter(source=source).count() == 2
    assert list(Position.objects.filter(source=source).values_list("symbol", flat=True)) == ["BTC"]


@pytest.mark.parametrize("fault", [*FAULTS, "down"])
def test_a_fault_keeps_the_last_good_data_flags_the_source_and_others_poll_on_time(fault, trader, healthy_trader):
    broken = SourceFactory(name="broken", base_url=trader.url)
    healthy = SourceFactory(name="healthy", base_url=healthy_trader.url)
    poll("broken", "healthy")
    good = book_rows(broken)
    trader.fault = fault
    if fault == "down":
        Source.objects.filter(pk=broken.pk).update(base_url="http://127.0.0.1:9")  # nothing listens there
    healthy_trader.book["positions"][0]["mark_price"] = "65000"

    started = time.monotonic()
    outcomes = poll("broken", "healthy")
    elapsed = time.monotonic() - started

    assert not outcomes["broken"].ok and outcomes["healthy"].ok
    assert book_rows(broken) == good
    broken.refresh_from_db()
    assert broken.status == "stale" and broken.consecutive_failures == 1 and broken.last_error
    assert Position.objects.get(source=healthy, symbol="BTC").mark_price == Decimal("65000")
    assert elapsed < 4.5  # the slow one is cut at its 2 s timeout per call; the healthy one never waits on it
