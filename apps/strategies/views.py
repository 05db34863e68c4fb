"""Pages of the strategies app: the Risk page with htmx rows, bulk update, and each strategy's history."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.http import client_ip
from apps.accounts.mixins import AdminRequiredMixin
from apps.strategies import selectors
from apps.strategies.choices import Channel, SyncState
from apps.strategies.models import RISK_FIELDS, RiskSetting, RiskSettingVersion
from apps.strategies.presenters import RESULT_LEVEL, RESULT_STATUS, row_context, typed_values_text
from apps.strategies.services import (
    Actor,
    BulkItem,
    KillSwitchResetFailed,
    StaleVersionError,
    risk_kill_switch_reset,
    risk_setting_change,
    risk_setting_enable,
    risk_setting_push_ours,
    risk_setting_restore,
    risk_setting_take_trader,
    risk_settings_bulk_change,
)
from apps.strategies.validation import parse_enabled, risk_values_clean, version_clean


def _filters(request, options: dict) -> dict:
    """The page's filters from the query string; unknown values are ignored rather than showing nothing."""
    wanted = {"source": "sources", "symbol": "symbols", "state": "sync_states"}
    return {key: value for key, choices in wanted.items()
            if (value := request.GET.get(key, "")) and value in options[choices]}  # fmt: skip


def _header(request) -> dict:
    """The page header: counts over every strategy (not just the filtered ones) and each trader's read status."""
    rows = list(selectors.risk_settings_list(user=request.user))
    return {"summary": selectors.risk_summary(rows=rows), "traders": selectors.trader_sync_status(user=request.user)}


def _rows(request, filters: dict) -> list[RiskSetting]:
    rows = selectors.risk_settings_list(
        user=request.user, source=filters.get("source"), symbol=filters.get("symbol"), sync_state=filters.get("state")
    )
    return list(rows)


class RiskPageView(AdminRequiredMixin, TemplateView):
    """Every strategy of every trader with its risk settings, editable in place."""

    template_name = "strategies/risk.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        options = selectors.risk_filter_options(user=user)
        filters = _filters(self.request, options)
        rows = _rows(self.request, filters)
        query = urlencode(filters)
        return super().get_context_data(
            rows=[row_context(row) for row in rows], options=options, filters=filters, filter_query=query,
            sync_states=SyncState.choices, **_header(self.request), **kwargs,
        )  # fmt: skip


class RiskRowsView(AdminRequiredMixin, View):
    """The table's rows alone, for the page's fallback refresh when the live socket is absent."""

    def get(self, request):
        filters = _filters(request, selectors.risk_filter_options(user=request.user))
        rows = [row_context(row) for row in _rows(request, filters)]
        return render(request, "strategies/_rows_refresh.html", {"rows": rows, **_header(request)})


def _row_or_404(request, pk: int) -> RiskSetting:
    try:
        return selectors.risk_setting_for_id(user=request.user, pk=pk)
    except RiskSetting.DoesNotExist:
        raise Http404("No such strategy.")


class RiskRowView(AdminRequiredMixin, View):
    """One row, re-rendered (live updates and after an action)."""

    def get(self, request, pk: int):
        context = {"ctx": row_context(_row_or_404(request, pk)), **_header(request)}
        return render(request, "strategies/_row_response.html", context)


class _RowActionView(AdminRequiredMixin, View):
    """POST on one row: run the action, answer the re-rendered row (htmx) or go back to the page with a message."""

    def act(self, request, row: RiskSetting, actor: Actor):
        raise NotImplementedError

    def post(self, request, pk: int):
        row = _row_or_404(request, pk)
        actor = Actor(user=request.user, channel=Channel.PAGE, ip=client_ip(request))
        try:
            result = self.act(request, row, actor)
        except ValidationError as error:
            typed = {name: request.POST.get(name, "") for name in RISK_FIELDS if name in request.POST}
            marked = set(error.message_dict) <= set(RISK_FIELDS)
            flash = "Nothing was saved: fix the values marked in red." if marked else "; ".join(error.messages)
            field_errors = {name: found for name, found in error.message_dict.items() if name in RISK_FIELDS}
            return self.answer(request, row, 400, flash, "error", values=typed or None, errors=field_errors)
        except StaleVersionError as error:
            flash = f"{error} {typed_values_text(request.POST)}"
            return self.answer(request, _row_or_404(request, pk), 409, flash, "error")
        except KillSwitchResetFailed as error:
            return self.answer(request, _row_or_404(request, pk), 503 if error.retryable else 502, str(error), "error")
        return self.answer(request, result.setting, RESULT_STATUS[result.sync_state], result.message,
                           RESULT_LEVEL[result.sync_state] if result.changed else "info")  # fmt: skip

    def answer(self, request, row: RiskSetting, status: int, flash: str, level: str, **context) -> HttpResponse:
        if request.htmx:
            ctx = row_context(row, flash=flash, flash_level=level, **context)
            return render(request, "strategies/_row_response.html", {"ctx": ctx, **_header(request)}, status=status)
        messages.add_message(request, messages.ERROR if level == "error" else messages.INFO, f"{row}: {flash}")
        return redirect("strategies:risk")


def _version(request, row: RiskSetting) -> int | None:
    return version_clean(request.POST.get(f"version-{row.pk}") or request.POST.get("version"), required=True)


class RiskRowSaveView(_RowActionView):
    """Save a row's three values (all required here: an emptied box is an error, not "no change")."""

    def act(self, request, row, actor):
        values = {name: request.POST.get(name, "") for name in RISK_FIELDS}
        risk_values_clean(values, required=RISK_FIELDS)
        return risk_setting_change(setting=row, values=values, expected_version=_version(request, row), actor=actor)


class RiskRowToggleView(_RowActionView):
    """The enabled switch: checked enables, unchecked disables."""

    def act(self, request, row, actor):
        enabled = "enabled" in request.POST
        return risk_setting_enable(setting=row, enabled=enabled, expected_version=_version(request, row), actor=actor)


class RiskRowResetView(_RowActionView):
    """Reset the kill switch, with the reason typed in the prompt."""

    def act(self, request, row, actor):
        reason = request.headers.get("HX-Prompt") or request.POST.get("reason", "")
        return risk_kill_switch_reset(setting=row, reason=reason, actor=actor)


class RiskRowTakeTraderView(_RowActionView):
    """Resolve drift by adopting the trader's values."""

    def act(self, request, row, actor):
        return risk_setting_take_trader(setting=row, expected_version=_version(request, row), actor=actor)


class RiskRowPushOursView(_RowActionView):
    """Resolve drift (or a failed push) by pushing our values again."""

    def act(self, request, row, actor):
        return risk_setting_push_ours(setting=row, expected_version=_version(request, row), actor=actor)


class RiskBulkView(AdminRequiredMixin, View):
    """Apply the same values to the selected rows; each row succeeds or fails on its own."""

    def post(self, request):
        values = {name: value for name in RISK_FIELDS if (value := request.POST.get(name, "").strip())}
        if request.POST.get("enabled") in ("on", "off"):
            values["enabled"] = parse_enabled(request.POST["enabled"])
        ids = [int(pk) for pk in request.POST.getlist("selected") if pk.isdigit()]
        problem, errors = "", {}
        try:
            risk_values_clean(values)
        except ValidationError as error:
            problem, errors = "Nothing was applied: fix the values.", error.message_dict
        if not problem and not ids:
            problem = "Select at least one strategy (tick its box) first."
        if not problem and not values:
            problem = "Enter at least one value, or choose enable/disable, to apply."
        if problem:
            return render(request, "strategies/_bulk_results.html", {"problem": problem, "errors": errors}, status=400)
        rows = {row.pk: row for row in selectors.risk_settings_list(user=request.user).filter(pk__in=ids)}
        items = [self._item(request, rows.get(pk), pk, values) for pk in ids]
        actor = Actor(user=request.user, channel=Channel.PAGE, ip=client_ip(request))
        outcomes = risk_settings_bulk_change(items=items, actor=actor)
        fresh = selectors.risk_settings_list(user=request.user).filter(pk__in=ids)
        context = {"outcomes": outcomes, "rows": [row_context(row, oob=True) for row in fresh], **_header(request)}
        return render(request, "strategies/_bulk_results.html", context)

    @staticmethod
    def _item(request, row: RiskSetting | None, pk: int, values: dict) -> BulkItem:
        try:
            version = version_clean(request.POST.get(f"version-{pk}"), required=True)
        except ValidationError as error:
            return BulkItem(setting=row, values=values, errors=error.message_dict)
        return BulkItem(setting=row, values=values, version=version)


class RiskHistoryView(AdminRequiredMixin, TemplateView):
    """One strategy's confirmed versions (each restorable in one click) and its audit trail."""

    template_name = "strategies/history.html"

    def get_context_data(self, pk: int, **kwargs):
        row = _row_or_404(self.request, pk)
        history = selectors.risk_history(user=self.request.user, setting=row)
        return super().get_context_data(ctx=row_context(row), row=row, **history, **kwargs)


class RiskRestoreView(AdminRequiredMixin, View):
    """Push an earlier confirmed version again, then show the history with the trader's answer."""

    def post(self, request, pk: int, version: int):
        row = _row_or_404(request, pk)
        actor = Actor(user=request.user, channel=Channel.PAGE, ip=client_ip(request))
        try:
            result = risk_setting_restore(setting=row, version=version, expected_version=_version(request, row),
                                          actor=actor)  # fmt: skip
        except RiskSettingVersion.DoesNotExist:
            raise Http404("No such version.")
        except (ValidationError, StaleVersionError) as error:
            messages.error(request, "; ".join(getattr(error, "messages", [str(error)])))
            return redirect(reverse("strategies:history", args=[row.pk]))
        level = messages.SUCCESS if result.ok else (messages.INFO if not result.changed else messages.WARNING)
        messages.add_message(request, level, f"Version {version}: {result.message}")
        return redirect("strategies:history", pk=row.pk)
