"""Risk settings in Django admin: edited in the list or the change form, pushed through the same service."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html

from apps.accounts.admin_site import admin_site
from apps.accounts.http import client_ip
from apps.strategies.choices import Channel, SyncState
from apps.strategies.forms import ResetReasonForm, RiskSettingAdminForm, SetValuesForm
from apps.strategies.models import VALUE_FIELDS, RiskSetting, RiskSettingVersion, Strategy
from apps.strategies.services import (
    Actor,
    BulkItem,
    ChangeResult,
    KillSwitchResetFailed,
    StaleVersionError,
    risk_kill_switch_reset,
    risk_setting_change,
    risk_settings_bulk_change,
)
from apps.strategies.services.state import differences_text
from apps.strategies.templatetags.strategies_tags import pnl as pnl_text
from apps.strategies.trader_client import decimal_text

LEVEL = {SyncState.IN_SYNC: messages.SUCCESS, SyncState.DRIFT: messages.WARNING,
         SyncState.PENDING: messages.WARNING, SyncState.FAILED: messages.ERROR}  # fmt: skip
BADGE_COLOUR = {SyncState.IN_SYNC: "#3fb950", SyncState.PENDING: "#d29922", SyncState.DRIFT: "#4c9aff",
                SyncState.FAILED: "#f85149"}  # fmt: skip


def _actor(request) -> Actor:
    return Actor(user=request.user, channel=Channel.ADMIN, ip=client_ip(request))


class RiskSettingVersionInline(admin.TabularInline):
    """Confirmed versions, read-only: restoring one is done on the Risk page's history (it pushes)."""

    model = RiskSettingVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ["version", "confirmed_at", "changed_by_label", "channel", "enabled", "risk",
                                "stop_loss", "max_drawdown"]  # fmt: skip

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="risk per trade (%)")
    def risk(self, version: RiskSettingVersion) -> str:
        return decimal_text(version.risk_per_trade)

    @admin.display(description="stop loss ($)")
    def stop_loss(self, version: RiskSettingVersion) -> str:
        return decimal_text(version.stop_loss_dollars)

    @admin.display(description="max drawdown ($)")
    def max_drawdown(self, version: RiskSettingVersion) -> str:
        return decimal_text(version.max_drawdown_dollars)


@admin.register(RiskSetting, site=admin_site)
class RiskSettingAdmin(admin.ModelAdmin):
    form = RiskSettingAdminForm
    list_display = ["strategy_label", "enabled", "risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars",
                    "version", "kill_switch", "pnl", "sync", "trader_values"]  # fmt: skip
    list_display_links = ["strategy_label"]
    list_editable = ["enabled", "risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars", "version"]
    list_filter = ["strategy__source", "sync_state", "kill_switch_active", "enabled", "strategy__is_present"]
    search_fields = ["strategy__strategy_id", "strategy__symbol", "strategy__name"]
    list_select_related = ["strategy__source"]
    ordering = ["strategy__source__name", "strategy__strategy_id", "strategy__symbol"]
    actions = ["enable_selected", "disable_selected", "reset_kill_switch", "set_values"]
    inlines = [RiskSettingVersionInline]
    fieldsets = [
        (None, {"fields": ["strategy", "version", "current_version"]}),
        ("Our values (saving pushes them to the trader)",
         {"fields": ["enabled", "risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars"]}),
        ("As the trader reports",
         {"fields": ["trader_values", "kill_switch_active", "pnl", "trader_reported_at"]}),
        ("Sync", {"fields": ["sync", "last_error", "push_attempts", "last_push_at", "next_retry_at", "updated_at",
                             "updated_by", "updated_via"]}),
    ]  # fmt: skip
    readonly_fields = ["strategy", "current_version", "trader_values", "kill_switch_active", "pnl",
                       "trader_reported_at", "sync", "last_error", "push_attempts", "last_push_at", "next_retry_at",
                       "updated_at", "updated_by", "updated_via"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # strategies come from the traders

    def has_delete_permission(self, request, obj=None):
        return False  # a strategy that disappears is marked gone, never deleted

    def get_changelist_form(self, request, **kwargs):
        return RiskSettingAdminForm

    @admin.display(description="Strategy", ordering="strategy__strategy_id")
    def strategy_label(self, row: RiskSetting) -> str:
        gone = "" if row.strategy.is_present else " (gone)"
        return format_html("<span style='white-space:nowrap'>{} {}{}</span><br><small>{}</small>",
                           row.strategy.strategy_id, row.strategy.symbol, gone, row.strategy.source.name)  # fmt: skip

    @admin.display(description="Version")
    def current_version(self, row: RiskSetting) -> str:
        return f"v{row.version}"

    @admin.display(description="Kill switch", ordering="kill_switch_active")
    def kill_switch(self, row: RiskSetting) -> str:
        return format_html('<strong style="color:#f85149">TRIPPED</strong>') if row.kill_switch_active else "ok"

    @admin.display(description="Total PnL", ordering="total_pnl")
    def pnl(self, row: RiskSetting) -> str:
        return pnl_text(row.total_pnl)

    @admin.display(description="Sync", ordering="sync_state")
    def sync(self, row: RiskSetting) -> str:
        return format_html('<span style="color:{}" title="{}">● {}</span>', BADGE_COLOUR[row.sync_state],
                           row.last_error, row.get_sync_state_display())  # fmt: skip

    @admin.display(description="Trader's values")
    def trader_values(self, row: RiskSetting) -> str:
        if row.reported is None:
            return "not reported yet"
        return differences_text(row.differences) or "same as ours"

    def save_model(self, request, obj, form, change):
        """Push the changed values through the risk service (never a plain save) and show the trader's answer."""
        values = {name: form.cleaned_data[name] for name in VALUE_FIELDS if name in form.changed_data}
        if not values:
            return
        try:
            result = risk_setting_change(setting=obj, values=values, actor=_actor(request),
                                         expected_version=form.cleaned_data.get("version"))  # fmt: skip
        except (StaleVersionError, ValidationError) as error:
            self.message_user(request, f"{obj}: not saved. {'; '.join(getattr(error, 'messages', [str(error)]))}",
                              messages.ERROR)  # fmt: skip
            return
        self._report(request, obj, result)

    def _report(self, request, obj, result: ChangeResult) -> None:
        level = LEVEL[result.sync_state] if result.changed else messages.INFO
        self.message_user(request, f"{obj}: {result.message}", level)

    def _bulk(self, request, queryset, values: dict) -> None:
        items = [BulkItem(setting=row, values=values) for row in queryset.select_related("strategy__source")]
        for outcome in risk_settings_bulk_change(items=items, actor=_actor(request)):
            row = outcome.item.setting
            if outcome.errors:
                text = "; ".join(m for found in outcome.errors.values() for m in found)
                self.message_user(request, f"{row}: not changed. {text}", messages.ERROR)
            else:
                self.message_user(request, f"{row}: {outcome.message}", LEVEL.get(outcome.sync_state, messages.INFO))

    @admin.action(description="Enable selected strategies at their traders")
    def enable_selected(self, request, queryset):
        self._bulk(request, queryset, {"enabled": True})

    @admin.action(description="Disable selected strategies at their traders")
    def disable_selected(self, request, queryset):
        self._bulk(request, queryset, {"enabled": False})

    @admin.action(description="Set values on selected strategies…")
    def set_values(self, request, queryset):
        form = SetValuesForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._bulk(request, queryset, form.values())
            return None
        return self._intermediate(request, queryset, form, "set_values", "Set values on selected strategies")

    @admin.action(description="Reset kill switch of selected strategies…")
    def reset_kill_switch(self, request, queryset):
        form = ResetReasonForm(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            return self._intermediate(request, queryset, form, "reset_kill_switch", "Reset kill switches")
        for row in queryset.select_related("strategy__source"):
            try:
                result = risk_kill_switch_reset(setting=row, reason=form.cleaned_data["reason"], actor=_actor(request))
            except KillSwitchResetFailed as error:
                self.message_user(request, f"{row}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{row}: {result.message}", messages.SUCCESS)
        return None

    def _intermediate(self, request, queryset, form: forms.Form, action: str, title: str) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "rows": queryset,
                   "action": action, "opts": self.model._meta,
                   "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME}  # fmt: skip
        return TemplateResponse(request, "strategies/admin/action_form.html", context)


@admin.register(Strategy, site=admin_site)
class StrategyAdmin(admin.ModelAdmin):
    """Strategies as the traders list them: read-only here (risk is edited on RiskSetting)."""

    list_display = ["source", "strategy_id", "symbol", "name", "timeframe", "is_present", "first_seen_at", "gone_at"]
    list_filter = ["source", "is_present", "timeframe"]
    search_fields = ["strategy_id", "symbol", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
