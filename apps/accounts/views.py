"""Pages of the accounts app: role landing pages, the audit log, the API token page."""

from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView

from apps.accounts.choices import Role
from apps.accounts.forms import AuditFilterForm
from apps.accounts.http import client_ip
from apps.accounts.mixins import (
    AdminRequiredMixin,
    ClientRequiredMixin,
    SignalSenderRequiredMixin,
    SignedInRequiredMixin,
)
from apps.accounts.selectors import (
    api_token_for_user,
    audit_actions_list,
    audit_events_list,
    otp_status_for_user,
    user_counts_by_role,
)
from apps.accounts.services import api_token_rotate

LANDING_BY_ROLE = {
    Role.ADMIN: "office:home",
    Role.CLIENT: "portal:home",
    Role.SIGNAL_SENDER: "sender:home",
}


class HomeView(View):
    """'/' sends each user to their role's landing page, and anonymous visitors to sign in."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("two_factor:login")
        return redirect(LANDING_BY_ROLE.get(request.user.role, "accounts:tokens"))


class OfficeHomeView(AdminRequiredMixin, TemplateView):
    """The back office landing page (sparse until the trading tabs arrive)."""

    template_name = "accounts/office_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        counts = user_counts_by_role(user=user)
        return super().get_context_data(
            otp=otp_status_for_user(user=user),
            role_counts=[(label, counts[value]) for value, label in Role.choices],
            recent_events=audit_events_list(user=user)[:10],
            **kwargs,
        )


class AuditLogView(AdminRequiredMixin, ListView):
    """The audit log, newest first, filtered by action and actor."""

    template_name = "accounts/audit_list.html"
    context_object_name = "events"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = AuditFilterForm(self.request.GET or None, actions=audit_actions_list(user=self.request.user))
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return audit_events_list(user=self.request.user, action=filters.get("action"), actor=filters.get("actor"))

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(filter_form=self.filter_form, filter_query=query.urlencode(), **kwargs)


class PortalHomeView(ClientRequiredMixin, TemplateView):
    """The client portal landing page: the capital statements come with the ROI features."""

    template_name = "accounts/portal_home.html"


class SenderHomeView(SignalSenderRequiredMixin, TemplateView):
    """The signal sender portal landing page: the payout figures come with the signals features."""

    template_name = "accounts/sender_home.html"


@method_decorator(never_cache, name="dispatch")
class ApiTokenView(SignedInRequiredMixin, View):
    """Any signed-in user's own API token: masked, or its full key once right after creation."""

    template_name = "accounts/api_token.html"

    def get(self, request):
        return self._render(new_key=None)

    def post(self, request):
        key = api_token_rotate(user=request.user, actor=request.user, ip=client_ip(request))
        return self._render(new_key=key)

    def _render(self, *, new_key: str | None):
        token = api_token_for_user(user=self.request.user)
        return render(self.request, self.template_name, {"token": token, "new_key": new_key})
