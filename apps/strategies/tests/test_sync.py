"""Reading the traders' risk settings: strategies appear, re-reads change nothing, drift and trips are seen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.models import AuditEvent
from apps.sources.tests.factories import SourceFactory
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.models import RiskSetting, RiskSettingVersion, Strategy, TraderRiskSync
from apps.strategies.services import risk_setting_change, risk_settings_sync, risk_settings_sync_due, risk_sync_claim
from apps.strategies.services.changes import Actor
from apps.strategies.tasks import risk_sync_source_task
from apps.strategies.tests.conftest import (
    HL_STRATEGIES,
    D,
    at_trader,
    risk_row,
    set_at_trader,
    step_until,
    trader_down,
)

pytestmark = pytest.mark.django_db


def test_the_first_read_brings_every_strategy_with_the_traders_values_in_sync(synced):
    rows = list(
        RiskSetting.objects.filter(strategy__source=synced).order_by("strategy__strategy_id", "strategy__symbol")
    )

    assert [(r.strategy.strategy_id, r.strategy.symbol) for r in rows] == HL_STRATEGIES
    btc = risk_row()
    assert (btc.enabled, btc.risk_per_trade, btc.stop_loss_dollars, btc.max_drawdown_dollars) == (
        True, D("2"), D("100"), D("1500"))  # fmt: skip
    assert btc.reported == btc.desired and btc.sync_state == SyncState.IN_SYNC and btc.version == 1
    assert (btc.strategy.name, btc.strategy.timeframe) == ("EMA cross 4h", "4h")
    assert RiskSettingVersion.objects.filter(setting=btc).values_list("version", flat=True).get() == 1
    assert TraderRiskSync.objects.get(source=synced).last_error == ""


def test_reading_again_changes_nothing(synced):
    before = list(RiskSetting.objects.order_by("pk").values())

    risk_settings_sync(source=synced)
    risk_settings_sync(source=synced)

    after = list(RiskSetting.objects.order_by("pk").values())
    assert [{k: v for k, v in row.items() if k != "trader_reported_at"} for row in after] == [
        {k: v for k, v in row.items() if k != "trader_reported_at"} for row in before
    ]
    assert Strategy.objects.count() == 5 and RiskSettingVersion.objects.count() == 5


def test_a_value_changed_at_the_trader_shows_as_drift_with_both_values(synced, simulator):
    set_at_trader(simulator, stop_loss_dollars="140")

    risk_settings_sync(source=synced)

    row = risk_row()
    assert row.sync_state == SyncState.DRIFT
    assert row.differences == {"stop_loss_dollars": (D("100"), D("140"))}
    assert row.last_error == "Changed at the trader: stop loss $100 here, $140 at the trader."
    assert row.stop_loss_dollars == D("100") and row.version == 1  # ours is untouched


def test_drift_clears_by_itself_when_the_trader_comes_back_to_our_values(synced, simulator):
    set_at_trader(simulator, stop_loss_dollars="140")
    risk_settings_sync(source=synced)

    set_at_trader(simulator, stop_loss_dollars="100")
    risk_settings_sync(source=synced)

    assert risk_row().sync_state == SyncState.IN_SYNC


def test_a_strategy_that_disappears_is_marked_gone_not_deleted(synced, simulator):
    # when the source now points at the Lighter trader, which runs ema_cross BTC but none of the others
    synced.base_url = simulator.lighter_url
    synced.save()

    risk_settings_sync(source=synced)

    present = set(Strategy.objects.filter(is_present=True).values_list("strategy_id", "symbol"))
    gone = set(Strategy.objects.filter(is_present=False).values_list("strategy_id", "symbol"))
    assert gone == set(HL_STRATEGIES) - {("ema_cross", "BTC")}
    assert present == {("ema_cross", "BTC"), ("vwap_revert", "ETH"), ("ppo_agent", "ETH"), ("breakout", "DOGE")}
    assert RiskSetting.objects.count() == 8
    assert Strategy.objects.get(strategy_id="momentum").gone_at is not None


def test_a_kill_switch_the_trader_trips_is_recorded_and_broadcast(
    synced, simulator, fund_admin, django_capture_on_commit_callbacks
):
    actor = Actor(user=fund_admin, channel="api")
    risk_setting_change(setting=risk_row("breakout", "SOL"), values={"max_drawdown_dollars": "0.01"},
                        expected_version=None, actor=actor)  # fmt: skip
    step_until(simulator, lambda: at_trader(simulator, "breakout", "SOL")["kill_switch_active"])

    with django_capture_on_commit_callbacks() as callbacks:
        risk_settings_sync(source=synced)

    row = risk_row("breakout", "SOL")
    assert row.kill_switch_active is True and row.total_pnl == at_trader(simulator, "breakout", "SOL")["total_pnl"]
    trip = AuditEvent.objects.get(action=RiskAction.KILL_SWITCH_TRIP)
    assert (trip.actor_label, trip.target) == ("trader:hl-trader", "risk:hl-trader/breakout/SOL")
    assert len(callbacks) == 2  # risk_update and kill_switch, sent after commit


def test_an_unreachable_trader_keeps_the_last_values_and_says_why(synced, simulator):
    trader_down(simulator)

    outcome = risk_settings_sync(source=synced)

    assert not outcome.ok and "503" in outcome.detail
    assert "engine not ready" in TraderRiskSync.objects.get(source=synced).last_error
    assert RiskSetting.objects.filter(sync_state=SyncState.IN_SYNC).count() == 5


def test_a_trader_is_claimed_once_per_poll_interval(hl_source):
    now = timezone.now()

    assert risk_sync_claim(source=hl_source, now=now) is True
    assert risk_sync_claim(source=hl_source, now=now) is False
    assert risk_sync_claim(source=hl_source, now=now + timedelta(seconds=5)) is True


def test_a_gone_strategy_cannot_be_changed(synced, simulator, verified_admin_client):
    synced.base_url = simulator.lighter_url
    synced.save()
    risk_settings_sync(source=synced)

    response = verified_admin_client.put("/api/risk/hl-trader/momentum/BTC", data={"risk_per_trade": "1"},
                                         content_type="application/json")  # fmt: skip

    assert response.status_code == 400
    assert response.json() == {"__all__": ["The trader no longer lists this strategy, so it cannot be changed."]}


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_reads_each_due_trader_once_per_interval(simulator):
    hl = SourceFactory(name="hl-trader", base_url=simulator.hyperliquid_url)
    SourceFactory(name="lighter-trader", base_url=simulator.lighter_url)
    SourceFactory(name="hl-account", kind="hyperliquid", base_url=simulator.fake_hyperliquid_url)  # not a trader

    first = risk_settings_sync_due()
    again = risk_settings_sync_due()  # within the poll interval: nothing is due
    risk_sync_source_task(source=hl.name)  # asked for explicitly (e.g. a kill switch event): read at once

    assert sorted((o.source, o.ok) for o in first) == [("hl-trader", True), ("lighter-trader", True)]
    assert again == []
    assert Strategy.objects.filter(source=hl).count() == 5 and Strategy.objects.count() == 9
    assert (
        TraderRiskSync.objects.get(source=hl).last_ok_at
        > TraderRiskSync.objects.get(source__name="lighter-trader").last_ok_at
    )
