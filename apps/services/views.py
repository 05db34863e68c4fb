"""Pages of the services app: the service cards (htmx actions, polled status) and the Settings tab."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from apps.accounts.http import client_ip
from apps.accounts.mixins import AdminRequiredMixin
from apps.services import selectors
from apps.services.configuration import SettingsInvalid, settings_save, settings_update
from apps.services.forms import AlertChannelForm, PanelSettingsForm, ServiceSettingsForm, SourceSettingsForm
from apps.services.notifiers import channel_send
from apps.services.services import service_restart, service_start, service_stop, services_start, services_stop

ACTIONS = {"start": service_start, "stop": service_stop, "restart": service_restart}
MANY_ACTIONS = {"start": services_start, "stop": services_stop}


def _panel_context(user) -> dict:
    return {
        "services": selectors.services_list(user=user),
        "alerts": selectors.service_alerts_active(user=user),
        "refresh_s": selectors.panel_refresh_s(user=user),
        "events": selectors.service_events_list(user=user),
    }


class ServicesView(AdminRequiredMixin, TemplateView):
    """The service cards: status, uptime, restarts, heartbeat, errors, and start/stop/restart."""

    template_name = "services/index.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(**_panel_context(user), **kwargs)


class ServicesStatusView(AdminRequiredMixin, View):
    """Fresh card states, dots and alert banner as out-of-band swaps (the page polls this)."""

    def get(self, request):
        return render(request, "services/_status_oob.html", _panel_context(request.user))


class ServiceActionView(AdminRequiredMixin, View):
    """Start, stop or restart one service from its card; answers the outcome and every card's new state."""

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404("No such action.")
        service = get_object_or_404(selectors.services_list(user=request.user), pk=pk)
        result = ACTIONS[action](service=service, actor=request.user, ip=client_ip(request))
        return render(request, "services/_action_result.html", {"results": [result], **_panel_context(request.user)})


class ServicesAllActionView(AdminRequiredMixin, View):
    """Start all or stop all; answers every outcome and every card's new state."""

    def post(self, request, action: str):
        if action not in MANY_ACTIONS:
            raise Http404("No such action.")
        services = list(selectors.services_list(user=request.user))
        results = MANY_ACTIONS[action](services=services, actor=request.user, ip=client_ip(request))
        return render(request, "services/_action_result.html", {"results": results, **_panel_context(request.user)})


class SettingsView(AdminRequiredMixin, View):
    """The Settings tab: each form saves one thing (settings and its keys together), validated and audited."""

    template_name = "services/settings.html"

    def get(self, request):
        return render(request, self.template_name, self._context(request.user))

    def post(self, request):
        form = self._bound_form(request)
        if form.is_valid():
            try:
                settings_save(changes=form.changes(), keys=form.keys(), actor=request.user, ip=client_ip(request))
            except SettingsInvalid as refused:
                form.apply_errors(_errors_for(refused.errors))
            else:
                messages.success(request, "Saved.")
                return redirect(f"{request.path}#{form.prefix}")
        messages.error(request, "Nothing was saved: see the highlighted fields.")
        return render(request, self.template_name, self._context(request.user, bound=form), status=400)

    def _bound_form(self, request):
        kind, _, key = request.POST.get("form", "").partition(":")
        if kind == "service":
            return ServiceSettingsForm(request.POST, service=get_object_or_404(selectors.services_list(
                user=request.user), pk=key))  # fmt: skip
        if kind == "source":
            return SourceSettingsForm(request.POST, source=get_object_or_404(selectors.sources_list(
                user=request.user), pk=key))  # fmt: skip
        if kind == "channel":
            channel = get_object_or_404(selectors.alert_channels_list(user=request.user), pk=key) if key else None
            return AlertChannelForm(request.POST, channel=channel)
        if kind == "panel":
            return PanelSettingsForm(request.POST, prefix="panel")
        raise Http404("No such form.")

    def _context(self, user, bound=None) -> dict:
        def pick(form):
            return bound if bound is not None and bound.prefix == form.prefix else form

        refresh = {"refresh_s": selectors.panel_refresh_s(user=user)}
        return {
            "service_forms": [pick(ServiceSettingsForm(service=s)) for s in selectors.services_list(user=user)],
            "source_forms": [pick(SourceSettingsForm(source=s)) for s in selectors.sources_list(user=user)],
            "channel_forms": [pick(AlertChannelForm(channel=c)) for c in selectors.alert_channels_list(user=user)],
            "new_channel_form": pick(AlertChannelForm()),
            "panel_form": pick(PanelSettingsForm(prefix="panel", initial=refresh)),
            "keys": selectors.settings_keys_masked(user=user),
        }


class AlertChannelTestView(AdminRequiredMixin, View):
    """Send a test message on one channel, so its token and chat id can be checked at once."""

    def post(self, request, pk: int):
        channel = get_object_or_404(selectors.alert_channels_list(user=request.user), pk=pk)
        delivery = channel_send(channel=channel, text=f"PoG Fund: test message from {request.user.get_username()}.")
        if delivery.ok:
            messages.success(request, f"Test message sent to {channel.name}.")
        else:
            messages.error(request, f"{channel.name}: {delivery.detail}")
        return redirect(f"{reverse('services:settings')}#channel-{channel.pk}")


class AlertChannelDeleteView(AdminRequiredMixin, View):
    """Remove an alert channel (audited)."""

    def post(self, request, pk: int):
        channel = get_object_or_404(selectors.alert_channels_list(user=request.user), pk=pk)
        settings_update(changes={"alert_channels": {channel.name: None}}, actor=request.user, ip=client_ip(request))
        messages.success(request, f"Alert channel {channel.name} removed.")
        return redirect(f"{reverse('services:settings')}#alerts")


def _errors_for(errors: dict) -> dict:
    """The field errors of the one thing a form saves (section -> name -> field), flattened."""
    flat: dict = {}
    for section_errors in errors.values():
        if isinstance(section_errors, dict):
            for value in section_errors.values():
                flat.update(value if isinstance(value, dict) else {"__all__": value})
        else:
            flat.setdefault("__all__", []).extend(section_errors)
    return flat
