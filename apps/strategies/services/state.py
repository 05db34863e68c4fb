"""How a risk setting's sync state moves when its trader reports, plus the snapshots and broadcasts that follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.core.broadcast import broadcast_after_commit
from apps.sources.connectors.trader_service import RiskSetting as ReportedSetting
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.models import RiskSetting, RiskSettingVersion
from apps.strategies.trader_client import decimal_text

# Fields a report or a push writes; saved with update_fields so a concurrent desired-value change is never undone.
OBSERVED_FIELDS = ["trader_enabled", "trader_risk_per_trade", "trader_stop_loss_dollars",
                   "trader_max_drawdown_dollars", "trader_reported_at", "kill_switch_active", "total_pnl"]  # fmt: skip
STATE_FIELDS = ["sync_state", "last_error", "push_attempts", "last_push_at", "next_retry_at"]
SYSTEM_LABEL = "system"


@dataclass(frozen=True)
class Observation:
    """What a trader report changed on a row."""

    kill_switch_changed: bool
    changed: bool


def value_text(field: str, value: Any) -> str:
    """A risk value as people read it: 1.5%, $150, on/off."""
    if value is None:
        return "unknown"
    if field == "enabled":
        return "on" if value else "off"
    text = decimal_text(value) if isinstance(value, Decimal) else str(value)
    return f"{text}%" if field == "risk_per_trade" else f"${text}"


def differences_text(differences: dict) -> str:
    """ "stop loss $150 here, $140 at the trader; ..." for each field that differs."""
    names = {"enabled": "enabled", "risk_per_trade": "risk per trade", "stop_loss_dollars": "stop loss",
             "max_drawdown_dollars": "max drawdown"}  # fmt: skip
    return "; ".join(
        f"{names[field]} {value_text(field, ours)} here, {value_text(field, theirs)} at the trader"
        for field, (ours, theirs) in differences.items()
    )


def values_text(values: dict) -> str:
    """Risk values in one line: risk 1.5%, stop $150, max drawdown $800, enabled."""
    return (f"risk {value_text('risk_per_trade', values['risk_per_trade'])}, "
            f"stop {value_text('stop_loss_dollars', values['stop_loss_dollars'])}, "
            f"max drawdown {value_text('max_drawdown_dollars', values['max_drawdown_dollars'])}, "
            f"{'enabled' if values['enabled'] else 'disabled'}")  # fmt: skip


def plain(values: dict | None) -> dict | None:
    """Values for the audit log: decimals as plain strings ("1.5", not "1.5000000000")."""
    if values is None:
        return None
    return {key: decimal_text(value) if isinstance(value, Decimal) else value for key, value in values.items()}


def report_apply(row: RiskSetting, report: ReportedSetting, *, observed_at: datetime) -> Observation | None:
    """Write a trader report onto the row (unsaved); None when a newer report is already there."""
    if row.trader_reported_at is not None and observed_at < row.trader_reported_at:
        return None  # read before a push that has since confirmed newer values: ignore it
    before = (row.reported, row.kill_switch_active, row.total_pnl)
    kill_switch_changed = row.trader_reported_at is not None and row.kill_switch_active != report.kill_switch_active
    row.trader_enabled = report.enabled
    row.trader_risk_per_trade = report.risk_per_trade
    row.trader_stop_loss_dollars = report.stop_loss_dollars
    row.trader_max_drawdown_dollars = report.max_strategy_loss
    row.kill_switch_active = report.kill_switch_active
    row.total_pnl = report.total_pnl
    row.trader_reported_at = observed_at
    changed = before != (row.reported, row.kill_switch_active, row.total_pnl)
    return Observation(kill_switch_changed=kill_switch_changed, changed=changed)


def sync_state_settle(row: RiskSetting, *, just_pushed: bool) -> bool:
    """Move the row's sync state after a report; True when the trader now confirms our values."""
    differences = row.differences
    if not differences:
        row.sync_state, row.last_error = SyncState.IN_SYNC, ""
        row.push_attempts, row.next_retry_at = 0, None
        return True
    if just_pushed:
        row.sync_state = SyncState.DRIFT
        row.last_error = f"The trader accepted the push but reports other values: {differences_text(differences)}."
    elif row.sync_state in (SyncState.IN_SYNC, SyncState.DRIFT):
        row.sync_state = SyncState.DRIFT
        row.last_error = f"Changed at the trader: {differences_text(differences)}."
    return False  # pending and failed rows wait for their push


def version_confirm(row: RiskSetting, *, at: datetime) -> None:
    """Keep the row's current version as one its trader confirmed (once per version)."""
    RiskSettingVersion.objects.get_or_create(
        setting=row,
        version=row.version,
        defaults={**row.desired, "confirmed_at": at, "channel": row.updated_via,
                  "changed_by_label": row.updated_by.get_username() if row.updated_by_id else SYSTEM_LABEL},
    )  # fmt: skip


def risk_payload(row: RiskSetting) -> dict:
    """The row as the live view receives it in a risk_update event (decimals as plain strings)."""
    strategy = row.strategy
    return plain({
        "setting_id": row.pk, "source": strategy.source.name, "strategy_id": strategy.strategy_id,
        "symbol": strategy.symbol, "is_present": strategy.is_present, **row.desired, "trader": plain(row.reported),
        "kill_switch_active": row.kill_switch_active, "total_pnl": row.total_pnl, "sync_state": row.sync_state,
        "last_error": row.last_error, "version": row.version,
    })  # fmt: skip


def publish(row: RiskSetting, *, kill_switch_changed: bool = False) -> None:
    """Tell the live view about the row after commit; a kill switch flip is its own event too."""
    broadcast_after_commit(event="risk_update", payload=risk_payload(row))
    if kill_switch_changed:
        strategy = row.strategy
        broadcast_after_commit(event="kill_switch", payload={
            "setting_id": row.pk, "source": strategy.source.name, "strategy_id": strategy.strategy_id,
            "symbol": strategy.symbol, "active": row.kill_switch_active,
        })  # fmt: skip


def kill_switch_observed_audit(row: RiskSetting) -> None:
    """Record a kill switch the trader tripped (or cleared) by itself."""
    action = RiskAction.KILL_SWITCH_TRIP if row.kill_switch_active else RiskAction.KILL_SWITCH_CLEARED
    audit_event_record(
        actor=None, actor_label=f"trader:{row.strategy.source.name}", action=action, target=row.audit_target,
        before={"kill_switch_active": not row.kill_switch_active},
        after=plain({"kill_switch_active": row.kill_switch_active, "total_pnl": row.total_pnl,
                     "max_drawdown_dollars": row.trader_max_drawdown_dollars}),
        outcome=AuditOutcome.SUCCESS,
    )  # fmt: skip
