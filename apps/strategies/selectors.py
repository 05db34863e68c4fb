"""Read queries of the strategies app; every one takes the user who asks and admits fund admins only."""

from __future__ import annotations

from collections import Counter

from django.db.models import QuerySet

from apps.accounts.access import require_fund_admin
from apps.accounts.models import AuditEvent
from apps.sources.choices import SourceKind
from apps.sources.models import Source
from apps.strategies.choices import SyncState
from apps.strategies.models import RiskSetting, RiskSettingVersion, Strategy


def risk_settings_list(*, user, source: str | None = None, symbol: str | None = None,
                       sync_state: str | None = None) -> QuerySet[RiskSetting]:  # fmt: skip
    """Every strategy's risk settings with its strategy and source, filtered, in source/strategy/symbol order."""
    require_fund_admin(user)
    rows = RiskSetting.objects.select_related("strategy__source")
    if source:
        rows = rows.filter(strategy__source__name=source)
    if symbol:
        rows = rows.filter(strategy__symbol=symbol)
    if sync_state:
        rows = rows.filter(sync_state=sync_state)
    # Gone strategies sink to the bottom of their trader: kept for history, not in the way.
    return rows.order_by("strategy__source__name", "-strategy__is_present", "strategy__strategy_id",
                         "strategy__symbol")  # fmt: skip


def risk_setting_for_key(*, user, source: str, strategy_id: str, symbol: str) -> RiskSetting:
    """One strategy's risk settings by trader name, strategy id and symbol; RiskSetting.DoesNotExist if none."""
    require_fund_admin(user)
    return RiskSetting.objects.select_related("strategy__source", "updated_by").get(
        strategy__source__name=source, strategy__strategy_id=strategy_id, strategy__symbol=symbol
    )


def risk_setting_for_id(*, user, pk: int) -> RiskSetting:
    """One strategy's risk settings by id; RiskSetting.DoesNotExist if none."""
    require_fund_admin(user)
    return RiskSetting.objects.select_related("strategy__source", "updated_by").get(pk=pk)


def risk_filter_options(*, user) -> dict[str, list[str]]:
    """The traders and symbols that have strategies, for the page's filters."""
    require_fund_admin(user)
    strategies = Strategy.objects.all()
    return {
        "sources": sorted(set(strategies.values_list("source__name", flat=True))),
        "symbols": sorted(set(strategies.values_list("symbol", flat=True))),
        "sync_states": [value for value, _ in SyncState.choices],
    }


def risk_summary(*, rows: list[RiskSetting]) -> dict:
    """Counts for the page header: strategies, each sync state, tripped kill switches, gone strategies."""
    states = Counter(row.sync_state for row in rows if row.strategy.is_present)
    return {
        "total": len(rows),
        "states": {value: states.get(value, 0) for value, _ in SyncState.choices},
        "tripped": sum(1 for row in rows if row.kill_switch_active and row.strategy.is_present),
        "gone": sum(1 for row in rows if not row.strategy.is_present),
    }


def trader_sync_status(*, user) -> list[dict]:
    """Each trader service and when its risk settings were last read, for the page header."""
    require_fund_admin(user)
    sources = Source.objects.filter(kind=SourceKind.TRADER_SERVICE).select_related("risk_sync").order_by("name")
    status = []
    for source in sources:
        sync = getattr(source, "risk_sync", None)
        status.append({
            "name": source.name, "display_name": str(source), "is_enabled": source.is_enabled,
            "last_ok_at": sync.last_ok_at if sync else None, "last_attempt_at": sync.last_attempt_at if sync else None,
            "last_error": sync.last_error if sync else "",
        })  # fmt: skip
    return status


def risk_history(*, user, setting: RiskSetting) -> dict:
    """A strategy's confirmed versions (newest first) and its audit trail."""
    require_fund_admin(user)
    return {
        "versions": list(RiskSettingVersion.objects.filter(setting=setting).order_by("-version")),
        "events": list(AuditEvent.objects.filter(target=setting.audit_target).order_by("-at", "-id")[:200]),
    }
