"""Admin changes of risk settings: validate, compare-and-swap the desired values, push, audit with the answer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.choices import AuditOutcome
from apps.accounts.services import audit_event_record
from apps.strategies.choices import RiskAction, SyncState
from apps.strategies.models import VALUE_FIELDS, RiskSetting
from apps.strategies.services.push import PushResult, risk_settings_push
from apps.strategies.services.state import plain, publish, values_text, version_confirm
from apps.strategies.validation import risk_values_clean

# Version-less changes (API scripts) re-read and retry when another writer slips in between.
CAS_ATTEMPTS = 3


class StaleVersionError(Exception):
    """The change was based on an older version of the settings than the stored one: refused, not merged."""

    def __init__(self, *, based_on: int | None, current: int) -> None:
        self.based_on, self.current = based_on, current
        seen = f"you had version {based_on}, now {current}" if based_on else f"now version {current}"
        super().__init__(
            f"These settings changed since you loaded them ({seen}). "
            "Nothing was saved; look at the current values and apply your change again."
        )


@dataclass(frozen=True)
class ChangeResult:
    """The outcome of one change: the row afterwards, its sync state and the trader's answer in words."""

    setting: RiskSetting
    sync_state: str
    message: str
    changed: bool = True

    @property
    def ok(self) -> bool:
        return self.sync_state == SyncState.IN_SYNC


@dataclass
class Actor:
    """Who asks, through which channel, from where; plus what the audit line should carry."""

    user: Any
    channel: str
    ip: str | None = None
    extra: dict = field(default_factory=dict)


def require_present(setting: RiskSetting) -> None:
    """A strategy its trader no longer lists cannot be changed there: say so instead of pushing into a 404."""
    if not setting.strategy.is_present:
        raise ValidationError({"__all__": "The trader no longer lists this strategy, so it cannot be changed."})


def _actor_user(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _desired_write(*, setting_id: int, values: dict, expected_version: int | None, actor: Actor,
                   mark_pending: bool = True) -> dict | None:  # fmt: skip
    """Compare-and-swap the desired values; the values before, or None when nothing would change."""
    for _ in range(CAS_ATTEMPTS):
        current = RiskSetting.objects.filter(pk=setting_id).values(*VALUE_FIELDS, "version", "sync_state").get()
        if expected_version is not None and expected_version != current["version"]:
            raise StaleVersionError(based_on=expected_version, current=current["version"])
        unchanged = all(current[name] == value for name, value in values.items())
        if unchanged and current["sync_state"] == SyncState.IN_SYNC:
            return None  # a retry of a pending or failed row, or "push ours" in drift, still goes through
        changes: dict[str, Any] = {**values, "version": F("version") + 1, "updated_at": timezone.now(),
                                   "updated_by": _actor_user(actor.user), "updated_via": actor.channel}  # fmt: skip
        if mark_pending:
            changes.update(sync_state=SyncState.PENDING, last_error="", push_attempts=0, next_retry_at=None)
        if RiskSetting.objects.filter(pk=setting_id, version=current["version"]).update(**changes):
            return {**{name: current[name] for name in VALUE_FIELDS}, "version": current["version"]}
        if expected_version is not None:
            break
    latest = RiskSetting.objects.values_list("version", flat=True).get(pk=setting_id)
    raise StaleVersionError(based_on=expected_version, current=latest)


def _audit_hook(*, actor: Actor, action: str, befores: dict[int, dict]):
    """An audit hook for risk_settings_push writing the actor's line with the trader's answer."""

    def record(row: RiskSetting, result: PushResult, trader_before: dict | None) -> None:
        audit_event_record(
            actor=actor.user, action=action, target=row.audit_target, before=plain(befores.get(row.pk)),
            after=plain({**row.desired, "version": row.version, "channel": actor.channel,
                         "sync_state": result.sync_state, "trader": result.message, **actor.extra}),
            outcome=AuditOutcome.SUCCESS if result.ok else AuditOutcome.FAILURE, ip=actor.ip,
        )  # fmt: skip

    return record


def _loaded(setting_id: int) -> RiskSetting:
    return RiskSetting.objects.select_related("strategy__source", "updated_by").get(pk=setting_id)


def risk_setting_change(*, setting: RiskSetting, values: dict, expected_version: int | None, actor: Actor,
                        action: str = RiskAction.UPDATE) -> ChangeResult:  # fmt: skip
    """Validate, record our values (refused if the version moved on), push them, audit with the trader's answer."""
    clean = risk_values_clean(values)
    if not clean:
        raise ValidationError({"__all__": f"Send at least one of {', '.join(VALUE_FIELDS)}."})
    require_present(setting)
    before = _desired_write(setting_id=setting.pk, values=clean, expected_version=expected_version, actor=actor)
    if before is None:
        row = _loaded(setting.pk)
        return ChangeResult(row, row.sync_state, "No change: these are already the values.", changed=False)
    hook = _audit_hook(actor=actor, action=action, befores={setting.pk: before})
    result = risk_settings_push(setting_ids=[setting.pk], audit=hook)[setting.pk]
    return ChangeResult(_loaded(setting.pk), result.sync_state, result.message)


def risk_setting_enable(*, setting: RiskSetting, enabled: bool, expected_version: int | None,
                        actor: Actor) -> ChangeResult:  # fmt: skip
    """Enable or disable a strategy at its trader (queued like any change when the trader is down)."""
    action = RiskAction.ENABLE if enabled else RiskAction.DISABLE
    return risk_setting_change(setting=setting, values={"enabled": enabled}, expected_version=expected_version,
                               actor=actor, action=action)  # fmt: skip


def risk_setting_restore(*, setting: RiskSetting, version: int, expected_version: int | None,
                         actor: Actor) -> ChangeResult:  # fmt: skip
    """Push an earlier confirmed version's values again, like any edit."""
    snapshot = setting.versions.get(version=version)
    actor.extra = {**actor.extra, "restored_version": version}
    return risk_setting_change(setting=setting, values=snapshot.values, expected_version=expected_version,
                               actor=actor, action=RiskAction.RESTORE)  # fmt: skip


def risk_setting_take_trader(*, setting: RiskSetting, expected_version: int | None, actor: Actor) -> ChangeResult:
    """Adopt the values the trader reports as ours (resolves drift without a push); audited."""
    reported = setting.reported
    if reported is None:
        raise ValidationError({"__all__": "The trader has not reported values for this strategy yet."})
    try:
        risk_values_clean(reported, required=VALUE_FIELDS)
    except ValidationError as error:
        raise ValidationError({"__all__": f"The trader's values break the fund's rules: {'; '.join(error.messages)}"})
    with transaction.atomic():
        before = _desired_write(setting_id=setting.pk, values=reported, expected_version=expected_version,
                                actor=actor, mark_pending=False)  # fmt: skip
        row = RiskSetting.objects.select_for_update(of=("self",)).select_related("strategy__source", "updated_by")
        row = row.get(pk=setting.pk)
        if row.reported != reported:
            raise StaleVersionError(based_on=expected_version, current=row.version)  # the trader moved meanwhile
        row.sync_state, row.last_error, row.push_attempts, row.next_retry_at = SyncState.IN_SYNC, "", 0, None
        row.save(update_fields=["sync_state", "last_error", "push_attempts", "next_retry_at"])
        version_confirm(row, at=timezone.now())
        message = f"Took the trader's values: {values_text(row.desired)}."
        audit_event_record(
            actor=actor.user, action=RiskAction.TAKE_TRADER, target=row.audit_target, before=plain(before),
            after=plain({**row.desired, "version": row.version, "channel": actor.channel, "trader": message}),
            ip=actor.ip,
        )  # fmt: skip
        publish(row)
    return ChangeResult(row, row.sync_state, message, changed=before is not None)


def risk_setting_push_ours(*, setting: RiskSetting, expected_version: int | None, actor: Actor) -> ChangeResult:
    """Push our values again over what the trader holds (resolves drift or a failed push); audited."""
    require_present(setting)
    with transaction.atomic():
        current = RiskSetting.objects.select_for_update(of=("self",)).get(pk=setting.pk)
        if expected_version is not None and expected_version != current.version:
            raise StaleVersionError(based_on=expected_version, current=current.version)
        RiskSetting.objects.filter(pk=setting.pk).update(
            sync_state=SyncState.PENDING, last_error="", push_attempts=0, next_retry_at=None
        )
    before = {**current.desired, "version": current.version, "trader": plain(current.reported)}
    hook = _audit_hook(actor=actor, action=RiskAction.PUSH_OURS, befores={setting.pk: before})
    result = risk_settings_push(setting_ids=[setting.pk], full=True, audit=hook)[setting.pk]
    return ChangeResult(_loaded(setting.pk), result.sync_state, result.message)


@dataclass
class BulkItem:
    """One item of a bulk update: the row it names (None if it names nothing), its values and version."""

    setting: RiskSetting | None
    values: dict
    version: int | None = None
    errors: dict = field(default_factory=dict)


@dataclass
class BulkOutcome:
    """The per-item result of a bulk update."""

    item: BulkItem
    ok: bool
    sync_state: str | None = None
    message: str = ""
    errors: dict = field(default_factory=dict)


def risk_settings_bulk_change(*, items: Iterable[BulkItem], actor: Actor) -> list[BulkOutcome]:
    """Apply each item on its own: a bad or stale item is reported, the good ones are pushed (one call per trader)."""
    outcomes: list[BulkOutcome] = []
    befores: dict[int, dict] = {}
    for item in items:
        outcome = BulkOutcome(item=item, ok=False, errors=dict(item.errors))
        outcomes.append(outcome)
        if outcome.errors or item.setting is None:
            outcome.errors = outcome.errors or {"__all__": "No such strategy."}
            continue
        try:
            clean = risk_values_clean(item.values)
            if not clean:
                raise ValidationError({"__all__": f"Send at least one of {', '.join(VALUE_FIELDS)}."})
            require_present(item.setting)
            before = _desired_write(setting_id=item.setting.pk, values=clean, expected_version=item.version,
                                    actor=actor)  # fmt: skip
        except ValidationError as error:
            outcome.errors = error.message_dict
            continue
        except StaleVersionError as error:
            outcome.errors = {"version": [str(error)]}
            continue
        if before is None:
            outcome.ok, outcome.sync_state = True, item.setting.sync_state
            outcome.message = "No change: these are already the values."
        else:
            befores[item.setting.pk] = before
    hook = _audit_hook(actor=actor, action=RiskAction.UPDATE, befores=befores)
    results = risk_settings_push(setting_ids=list(befores), audit=hook) if befores else {}
    for outcome in outcomes:
        result = results.get(outcome.item.setting.pk) if outcome.item.setting and not outcome.errors else None
        if result is not None:
            outcome.ok, outcome.sync_state, outcome.message = result.ok, result.sync_state, result.message
    return outcomes
