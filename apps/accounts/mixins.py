"""Page access by role: anonymous -> login, wrong role -> 403, fund admin without a second factor -> 2FA."""

from django.contrib.auth.mixins import AccessMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from two_factor.utils import default_device

from apps.accounts.choices import Role


class SignedInRequiredMixin(AccessMixin):
    """Let in any signed-in user of `required_role` (any role if empty); fund admins must be OTP-verified."""

    required_role: str = ""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if self.required_role and user.role != self.required_role:
            raise PermissionDenied("Your role does not give access to this page.")
        if user.role == Role.ADMIN and not user.is_verified():
            return self.handle_unverified_admin(request)
        return super().dispatch(request, *args, **kwargs)

    def handle_unverified_admin(self, request):
        """Send an admin to enrol a device if they have none, else to sign in again with their code."""
        target = "two_factor:setup" if default_device(request.user) is None else "two_factor:login"
        return redirect_to_login(request.get_full_path(), reverse(target))


class AdminRequiredMixin(SignedInRequiredMixin):
    required_role = Role.ADMIN


class ClientRequiredMixin(SignedInRequiredMixin):
    required_role = Role.CLIENT


class SignalSenderRequiredMixin(SignedInRequiredMixin):
    required_role = Role.SIGNAL_SENDER
