"""What the live view hears: risk_update after every change, kill_switch when one trips, after commit only."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.core.broadcast import LIVE_GROUP
from apps.strategies.services import Actor, risk_setting_change, risk_settings_sync
from apps.strategies.tests.conftest import at_trader, risk_row, step_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener():
    """A channel in the live group, as the socket consumer would have; returns what has arrived, in order."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(LIVE_GROUP, channel)

    async def drain() -> list[dict]:
        received = []
        while True:  # one event loop for every receive: the Redis layer keeps its buffers per loop
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=0.5))
            except TimeoutError:
                return received  # call it once per test: the Redis layer binds its buffers to the first loop

    yield async_to_sync(drain)
    async_to_sync(layer.group_discard)(LIVE_GROUP, channel)


def test_a_confirmed_change_is_broadcast_as_risk_update(
    synced, fund_admin, listener, django_capture_on_commit_callbacks
):
    row = risk_row()

    with django_capture_on_commit_callbacks(execute=True):
        risk_setting_change(setting=row, values={"stop_loss_dollars": "120.5"}, expected_version=1,
                            actor=Actor(user=fund_admin, channel="page"))  # fmt: skip

    [message] = listener()
    assert (message["type"], message["event"]) == ("live.event", "risk_update")
    payload = message["payload"]
    assert (payload["setting_id"], payload["source"], payload["strategy_id"], payload["symbol"]) == (
        row.pk, "hl-trader", "ema_cross", "BTC")  # fmt: skip
    assert (payload["stop_loss_dollars"], payload["sync_state"], payload["version"]) == ("120.5", "in_sync", 2)
    assert payload["trader"]["stop_loss_dollars"] == "120.5"


def test_a_trip_seen_by_the_sync_is_broadcast_as_kill_switch(
    synced, simulator, fund_admin, listener, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        risk_setting_change(setting=risk_row("breakout", "SOL"), values={"max_drawdown_dollars": "0.01"},
                            expected_version=1, actor=Actor(user=fund_admin, channel="api"))  # fmt: skip
    step_until(simulator, lambda: at_trader(simulator, "breakout", "SOL")["kill_switch_active"])

    with django_capture_on_commit_callbacks(execute=True):
        risk_settings_sync(source=synced)

    # drained once (the Redis layer binds its buffers to one event loop); other strategies' PnL updates aside
    sol = [(m["event"], m["payload"]) for m in listener() if m["payload"]["symbol"] == "SOL"]
    assert [event for event, _ in sol] == ["risk_update", "risk_update", "kill_switch"]  # the change's, the sync's
    assert (sol[0][1]["kill_switch_active"], sol[1][1]["kill_switch_active"]) == (False, True)
    assert sol[2][1] == {"setting_id": risk_row("breakout", "SOL").pk, "source": "hl-trader",
                         "strategy_id": "breakout", "symbol": "SOL", "active": True}  # fmt: skip
