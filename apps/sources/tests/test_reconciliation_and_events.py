"""Against the simulator: a trader and its exchange account reconciled; book changes heard on the live group."""

import asyncio

import httpx
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

from apps.core.broadcast import LIVE_GROUP
from apps.core.models import Alert
from apps.simulator.constants import FAKE_HL_MASTER_ADDRESS
from apps.sources.models import Position, ReconciliationMismatch, Trade
from apps.sources.polling import sources_poll_due
from apps.sources.tests.factories import SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def trader_and_account(simulator):
    simulator.step(40)  # ten simulated hours: positions open, trades closed
    account = SourceFactory(
        name="hl-account", kind="hyperliquid", base_url=simulator.fake_hyperliquid_url,
        account_address=FAKE_HL_MASTER_ADDRESS, is_counted_in_totals=False, status="down",
    )  # fmt: skip
    trader = SourceFactory(name="hl-trader", base_url=simulator.hyperliquid_url, exchange_source=account,
                           status="down")
    return trader, account


def poll_both():
    """The account, then the trader: the trader's poll compares against the account's latest book."""
    outcomes = sources_poll_due(names=["hl-account"], force=True) + sources_poll_due(names=["hl-trader"], force=True)
    assert all(outcome.ok for outcome in outcomes), outcomes


def active_alerts():
    return list(Alert.objects.filter(kind="reconciliation", cleared_at__isnull=True))


def test_agreeing_books_raise_nothing_and_drift_alerts_only_after_the_grace_period(simulator, trader_and_account):
    trader, _ = trader_and_account
    poll_both()
    assert Position.objects.filter(source=trader).exists()
    assert active_alerts() == []

    httpx.post(f"{simulator.fake_hyperliquid_url}/control/drift", json={"coin": "BTC", "size_delta": "0.1"})
    poll_both()
    assert active_alerts() == []  # one poll of disagreement is within the grace period
    assert ReconciliationMismatch.objects.get(trader=trader).symbol == "BTC"

    poll_both()
    (alert,) = active_alerts()
    assert alert.key == "hl-trader/BTC"
    assert alert.detail["symbol"] == "BTC" and alert.detail["trader_net"] != alert.detail["exchange_net"]

    httpx.post(f"{simulator.fake_hyperliquid_url}/control/reset-drift")
    poll_both()
    assert active_alerts() == []
    assert not ReconciliationMismatch.objects.exists()
    assert Alert.objects.get(key="hl-trader/BTC").cleared_at is not None


async def drain(layer, channel, timeout=1.5) -> list[dict]:
    messages = []
    try:
        while True:
            messages.append(await asyncio.wait_for(layer.receive(channel), timeout))
    except TimeoutError:
        return messages


def listen_while(polls: list) -> list[list[dict]]:
    """Join the live group, run each poll, and collect what the group heard after each one."""

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(LIVE_GROUP, channel)
        heard = []
        try:
            for poll in polls:
                await sync_to_async(poll, thread_sensitive=False)()
                heard.append(await drain(layer, channel))
        finally:
            await layer.group_discard(LIVE_GROUP, channel)
        return heard

    return async_to_sync(scenario)()


def test_new_trades_and_book_changes_are_published_once_to_the_live_group(simulator, trader_and_account):
    def poll_trader():
        try:
            outcomes = sources_poll_due(names=["hl-trader"], force=True)
            assert [outcome.ok for outcome in outcomes] == [True], outcomes
        finally:
            connection.close()  # this runs on an executor thread: hand its connection back

    first, second = listen_while([poll_trader, poll_trader])  # the second finds nothing changed

    first = [m for m in first if m["payload"].get("source") == "hl-trader"]  # ignore anything else on the bus
    second = [m for m in second if m["payload"].get("source") == "hl-trader"]
    closed = [m["payload"]["external_id"] for m in first if m["event"] == "trade_closed"]
    stored = Trade.objects.filter(source__name="hl-trader").values_list("external_id", flat=True)
    assert len(closed) > 0 and sorted(closed) == sorted(stored)
    assert {m["event"] for m in first} >= {"trade_closed", "positions_update", "source_status"}
    assert [m for m in second if m["event"] in ("trade_closed", "positions_update")] == []
