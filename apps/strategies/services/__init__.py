"""Write use-cases of the strategies app: sync from the traders, change and push risk settings, reset kill switches."""

from apps.strategies.services.changes import (
    Actor,
    BulkItem,
    BulkOutcome,
    ChangeResult,
    StaleVersionError,
    risk_setting_change,
    risk_setting_enable,
    risk_setting_push_ours,
    risk_setting_restore,
    risk_setting_take_trader,
    risk_settings_bulk_change,
)
from apps.strategies.services.kill_switch import KillSwitchResetFailed, risk_kill_switch_reset
from apps.strategies.services.push import PushResult, retry_countdown, risk_settings_push
from apps.strategies.services.sync import SyncOutcome, risk_settings_sync, risk_settings_sync_due, risk_sync_claim

__all__ = [
    "Actor",
    "BulkItem",
    "BulkOutcome",
    "ChangeResult",
    "KillSwitchResetFailed",
    "PushResult",
    "StaleVersionError",
    "SyncOutcome",
    "retry_countdown",
    "risk_kill_switch_reset",
    "risk_setting_change",
    "risk_setting_enable",
    "risk_setting_push_ours",
    "risk_setting_restore",
    "risk_setting_take_trader",
    "risk_settings_bulk_change",
    "risk_settings_push",
    "risk_settings_sync",
    "risk_settings_sync_due",
    "risk_sync_claim",
]
