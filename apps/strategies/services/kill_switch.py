"""Reset a strategy's kill switch at its trader, with a recorded reason."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.sources.connectors.base import ConnectorError
from apps.strategies.choices import RiskAction
from apps.strategies.models import RiskSetting
from apps.strategies.services.changes import Actor, ChangeResult, require_present
from apps.strategies.services.state import (
    OBSERVED_FIELDS,
    STATE_FIELDS,
    plain,
    publish,
    report_apply,
    sync_state_settle,
)
from apps.strategies.trader_client import TraderRiskClient, failure_reason
from apps.strategies.validation import reason_clean


class KillSwitchResetFailed(Exception):
    """The trader did not reset the kill switch; `retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool, result: ChangeResult) -> None:
        super().__init__(message)
        self.retryable, self.result = retryable, result


def risk_kill_switch_reset(*, setting: RiskSetting, reason: str, actor: Actor) -> ChangeResult:
    """Ask the trader to clear the kill switch now; audited with the reason and its answer, never queued.

    A reset is a decision about the market as it is: replaying it later, unwatched, could restart a strategy
    in conditions nobody looked at. So an unreachable trader is reported, not retried.
    """
    reason = reason_clean(reason)
    require_present(setting)
    with transaction.atomic():
        row = RiskSetting.objects.select_for_update(of=("self",)).select_related("strategy__source").get(pk=setting.pk)
        before = {"kill_switch_active": row.kill_switch_active, "total_pnl": row.total_pnl}
        try:
            with TraderRiskClient(row.strategy.source) as client:
                reported = client.reset_kill_switch(row.strategy.strategy_id, row.strategy.symbol)
        except ConnectorError as error:
            message = f"The kill switch was NOT reset: the trader {failure_reason(error)}."
            _audit(row, actor, before=before, reason=reason, message=message, ok=False)
            unchanged = ChangeResult(row, row.sync_state, message, changed=False)
            failure = KillSwitchResetFailed(message, retryable=error.retryable, result=unchanged)
        else:
            failure = None
            observation = report_apply(row, reported, observed_at=timezone.now())
            sync_state_settle(row, just_pushed=False)
            row.save(update_fields=OBSERVED_FIELDS + STATE_FIELDS)
            cleared = not row.kill_switch_active
            message = "Kill switch reset by the trader." if cleared else "The trader still reports the kill switch on."
            _audit(row, actor, before=before, reason=reason, message=message, ok=cleared)
            publish(row, kill_switch_changed=bool(observation and observation.kill_switch_changed))
    if failure is not None:
        raise failure  # after the commit, so the audit line of the failed attempt stays
    return ChangeResult(row, row.sync_state, message)


def _audit(row: RiskSetting, actor: Actor, *, before: dict, reason: str, message: str, ok: bool) -> None:
    audit_event_record(
        actor=actor.user, action=RiskAction.KILL_SWITCH_RESET, target=row.audit_target, before=plain(before),
        after={"kill_switch_active": row.kill_switch_active, "reason": reason, "channel": actor.channel,
               "trader": message},
        outcome=AuditOutcome.SUCCESS if ok else AuditOutcome.FAILURE, ip=actor.ip,
    )  # fmt: skip
