"""The push service against the simulated trader: confirm, refuse, queue, retry, resolve drift, restore, reset."""

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError

from apps.accounts.models import AuditEvent
from apps.strategies.choices import Channel, RiskAction, SyncState
from apps.strategies.models import RiskSettingVersion
from apps.strategies.services import (
    Actor,
    BulkItem,
    KillSwitchResetFailed,
    StaleVersionError,
    risk_kill_switch_reset,
    risk_setting_change,
    risk_setting_push_ours,
    risk_setting_restore,
    risk_setting_take_trader,
    risk_settings_bulk_change,
    risk_settings_sync,
)
from apps.strategies.tasks import risk_push_retry_task
from apps.strategies.tests.conftest import D, at_trader, risk_row, set_at_trader, step_until, trader_down

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(fund_admin):
    return Actor(user=fund_admin, channel=Channel.API, ip="127.0.0.1")


def test_a_change_is_pushed_confirmed_by_the_trader_and_audited(synced, simulator, actor):
    row = risk_row()

    result = risk_setting_change(setting=row, values={"risk_per_trade": "1.5", "stop_loss_dollars": "150"},
                                 expected_version=1, actor=actor)  # fmt: skip

    assert at_trader(simulator)["risk_per_trade"] == D("1.5") and at_trader(simulator)["stop_loss_dollars"] == D("150")
    row = risk_row()
    assert (result.sync_state, row.sync_state, row.version) == (SyncState.IN_SYNC, SyncState.IN_SYNC, 2)
    assert (row.trader_risk_per_trade, row.trader_stop_loss_dollars) == (D("1.5"), D("150"))
    assert result.message == "Confirmed by the trader: risk 1.5%, stop $150, max drawdown $1500, enabled."
    event = AuditEvent.objects.get(action=RiskAction.UPDATE)
    assert (event.actor, event.target, event.outcome, event.ip) == (actor.user, "risk:hl-trader/ema_cross/BTC",
                                                                   "success", "127.0.0.1")  # fmt: skip
    assert event.before == {"enabled": True, "risk_per_trade": "2", "stop_loss_dollars": "100",
                            "max_drawdown_dollars": "1500", "version": 1}  # fmt: skip
    assert (event.after["risk_per_trade"], event.after["channel"], event.after["sync_state"]) == (
        "1.5",
        "api",
        "in_sync",
    )
    assert event.after["trader"] == result.message
    assert list(RiskSettingVersion.objects.filter(setting=row).values_list("version", flat=True)) == [2, 1]


RISK_RANGE = "Risk per trade must be more than 0 and at most 100 (% of margin)."


@pytest.mark.parametrize("values, errors", [
    ({"risk_per_trade": "0"}, {"risk_per_trade": [RISK_RANGE]}),
    ({"risk_per_trade": "100.5", "stop_loss_dollars": "-1"},
     {"risk_per_trade": [RISK_RANGE],
      "stop_loss_dollars": ["Stop loss must be more than $0."]}),
    ({"max_drawdown_dollars": "lots"}, {"max_drawdown_dollars": ["Enter a number, e.g. 1.5."]}),
    ({"max_drawdown_dollars": "NaN"}, {"max_drawdown_dollars": ["Enter a number, e.g. 1.5."]}),
    ({"stop_loss_dollars": "1.123456789"}, {"stop_loss_dollars": ["Use at most 8 decimal places."]}),
    ({"stop_loss": "1"}, {"stop_loss": ["Unknown field; use enabled, risk_per_trade, stop_loss_dollars, "
                                        "max_drawdown_dollars."]}),
])  # fmt: skip
def test_invalid_values_are_refused_per_field_and_nothing_is_pushed(synced, simulator, actor, values, errors):
    with pytest.raises(ValidationError) as refused:
        risk_setting_change(setting=risk_row(), values=values, expected_version=1, actor=actor)

    assert refused.value.message_dict == errors
    assert at_trader(simulator)["risk_per_trade"] == D("2") and at_trader(simulator)["stop_loss_dollars"] == D("100")
    row = risk_row()
    assert (row.version, row.sync_state, row.risk_per_trade) == (1, SyncState.IN_SYNC, D("2"))
    assert not AuditEvent.objects.filter(action__startswith="risk.").exists()


def test_a_stale_version_is_refused_not_merged(synced, simulator, actor):
    risk_setting_change(setting=risk_row(), values={"risk_per_trade": "1.5"}, expected_version=1, actor=actor)

    with pytest.raises(StaleVersionError) as stale:
        risk_setting_change(setting=risk_row(), values={"risk_per_trade": "3"}, expected_version=1, actor=actor)

    assert (stale.value.based_on, stale.value.current) == (1, 2)
    assert "changed since you loaded them" in str(stale.value)
    assert risk_row().risk_per_trade == D("1.5") and at_trader(simulator)["risk_per_trade"] == D("1.5")


def test_saving_the_same_values_is_no_change(synced, actor):
    result = risk_setting_change(setting=risk_row(), values={"risk_per_trade": "2.0"}, expected_version=1, actor=actor)

    assert (result.changed, result.message, risk_row().version) == (
        False,
        "No change: these are already the values.",
        1,
    )
    assert not AuditEvent.objects.exists()


def test_trader_down_leaves_the_change_pending_and_the_retry_task_lands_it_when_it_is_back(synced, simulator, actor):
    trader_down(simulator)

    result = risk_setting_change(setting=risk_row(), values={"stop_loss_dollars": "120"}, expected_version=1,
                                 actor=actor)  # fmt: skip

    row = risk_row()
    assert (result.sync_state, row.sync_state, row.push_attempts) == (SyncState.PENDING, SyncState.PENDING, 1)
    assert row.last_error == "Not at the trader yet: it answered HTTP 503 (engine not ready). Retrying automatically."
    assert row.next_retry_at is not None
    assert row.stop_loss_dollars == D("120") and at_trader(simulator)["stop_loss_dollars"] == D("100")
    assert AuditEvent.objects.get(action=RiskAction.UPDATE).outcome == "failure"

    with pytest.raises(Retry):  # still down: the task asks Celery to try again later
        risk_push_retry_task(setting_id=row.pk)
    assert risk_row().push_attempts == 2

    trader_down(simulator, down=False)
    assert risk_push_retry_task(setting_id=row.pk) == SyncState.IN_SYNC

    row = risk_row()
    assert (row.sync_state, row.last_error, row.push_attempts) == (SyncState.IN_SYNC, "", 0)
    assert at_trader(simulator)["stop_loss_dollars"] == D("120")
    landed = AuditEvent.objects.get(action=RiskAction.RETRY_LANDED)
    assert (landed.actor_label, landed.outcome, landed.after["stop_loss_dollars"]) == ("system", "success", "120")


def test_the_sync_pushes_a_pending_change_once_the_trader_answers_again(synced, simulator, actor):
    trader_down(simulator)
    risk_setting_change(setting=risk_row(), values={"stop_loss_dollars": "120"}, expected_version=1, actor=actor)
    trader_down(simulator, down=False)  # long before the retry backoff has passed

    outcome = risk_settings_sync(source=synced)

    assert outcome.retried == 1
    assert risk_row().sync_state == SyncState.IN_SYNC and at_trader(simulator)["stop_loss_dollars"] == D("120")


def test_a_refusal_by_the_trader_marks_the_row_failed(synced, simulator, actor):
    synced.base_url = simulator.lighter_url  # the Lighter trader runs no momentum BTC
    synced.save()

    result = risk_setting_change(setting=risk_row("momentum", "BTC"), values={"risk_per_trade": "1"},
                                 expected_version=1, actor=actor)  # fmt: skip

    assert result.sync_state == SyncState.FAILED
    assert risk_row("momentum", "BTC").last_error == "The trader refused: unknown strategy/symbol: momentum/BTC"


def test_take_traders_values_resolves_drift_without_a_push(synced, simulator, actor):
    set_at_trader(simulator, stop_loss_dollars="140")
    risk_settings_sync(source=synced)

    result = risk_setting_take_trader(setting=risk_row(), expected_version=1, actor=actor)

    row = risk_row()
    assert (row.sync_state, row.stop_loss_dollars, row.version) == (SyncState.IN_SYNC, D("140"), 2)
    assert result.message == "Took the trader's values: risk 2%, stop $140, max drawdown $1500, enabled."
    assert AuditEvent.objects.get(action=RiskAction.TAKE_TRADER).before["stop_loss_dollars"] == "100"


def test_push_ours_resolves_drift_by_sending_our_values(synced, simulator, actor):
    set_at_trader(simulator, stop_loss_dollars="140")
    simulator.call(lambda: simulator.trader("hyperliquid").set_enabled(("ema_cross", "BTC"), False))
    risk_settings_sync(source=synced)

    result = risk_setting_push_ours(setting=risk_row(), expected_version=1, actor=actor)

    assert result.sync_state == SyncState.IN_SYNC
    assert at_trader(simulator)["stop_loss_dollars"] == D("100") and at_trader(simulator)["enabled"] is True
    assert AuditEvent.objects.get(action=RiskAction.PUSH_OURS).outcome == "success"


def test_an_earlier_confirmed_version_is_restored_by_pushing_it(synced, simulator, actor):
    risk_setting_change(setting=risk_row(), values={"risk_per_trade": "1"}, expected_version=1, actor=actor)
    risk_setting_change(setting=risk_row(), values={"risk_per_trade": "3"}, expected_version=2, actor=actor)

    result = risk_setting_restore(setting=risk_row(), version=1, expected_version=3, actor=actor)

    assert result.sync_state == SyncState.IN_SYNC and at_trader(simulator)["risk_per_trade"] == D("2")
    assert risk_row().version == 4
    assert AuditEvent.objects.get(action=RiskAction.RESTORE).after["restored_version"] == 1


def test_bulk_change_applies_the_good_items_and_reports_the_bad_ones(synced, simulator, actor):
    items = [BulkItem(setting=risk_row("ema_cross", "BTC"), values={"risk_per_trade": "1.25"}),
             BulkItem(setting=risk_row("ema_cross", "ETH"), values={"risk_per_trade": "101"}),
             BulkItem(setting=risk_row("momentum", "BTC"), values={"enabled": False}, version=1)]  # fmt: skip

    outcomes = risk_settings_bulk_change(items=items, actor=actor)

    assert [(o.ok, o.sync_state) for o in outcomes] == [(True, "in_sync"), (False, None), (True, "in_sync")]
    assert outcomes[1].errors == {
        "risk_per_trade": ["Risk per trade must be more than 0 and at most 100 (% of margin)."]
    }
    assert at_trader(simulator)["risk_per_trade"] == D("1.25")
    assert at_trader(simulator, "ema_cross", "ETH")["risk_per_trade"] == D("2")
    assert at_trader(simulator, "momentum", "BTC")["enabled"] is False
    assert AuditEvent.objects.filter(action=RiskAction.UPDATE).count() == 2


def test_a_kill_switch_reset_needs_a_reason_and_is_never_queued(synced, simulator, actor):
    with pytest.raises(ValidationError) as refused:
        risk_kill_switch_reset(setting=risk_row(), reason="  ", actor=actor)
    assert refused.value.message_dict == {"reason": ["Say why the kill switch is reset; the reason is recorded."]}

    trader_down(simulator)
    with pytest.raises(KillSwitchResetFailed) as failed:
        risk_kill_switch_reset(setting=risk_row(), reason="drawdown reviewed", actor=actor)

    assert failed.value.retryable and "NOT reset" in str(failed.value)
    event = AuditEvent.objects.get(action=RiskAction.KILL_SWITCH_RESET)
    assert (event.outcome, event.after["reason"]) == ("failure", "drawdown reviewed")
    assert risk_row().sync_state == SyncState.IN_SYNC  # nothing pending: a reset is not replayed later


def test_a_tripped_kill_switch_is_reset_at_the_trader(synced, simulator, actor):
    risk_setting_change(setting=risk_row("breakout", "SOL"), values={"max_drawdown_dollars": "0.01"},
                        expected_version=1, actor=actor)  # fmt: skip
    step_until(simulator, lambda: at_trader(simulator, "breakout", "SOL")["kill_switch_active"])
    risk_settings_sync(source=synced)
    assert risk_row("breakout", "SOL").kill_switch_active is True

    result = risk_kill_switch_reset(setting=risk_row("breakout", "SOL"), reason="reviewed the losses", actor=actor)

    assert result.message == "Kill switch reset by the trader."
    assert at_trader(simulator, "breakout", "SOL")["kill_switch_active"] is False
    assert risk_row("breakout", "SOL").kill_switch_active is False
    event = AuditEvent.objects.get(action=RiskAction.KILL_SWITCH_RESET)
    assert (event.before["kill_switch_active"], event.after["reason"], event.outcome) == (
        True, "reviewed the losses", "success")  # fmt: skip
