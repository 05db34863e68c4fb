"""DRF permission classes by role; the default class of every API view is IsAdminRole."""

from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission

from apps.accounts.choices import Role


def request_is_otp_verified(request) -> bool:
    """True if the request's session passed a second factor, or it authenticated with an API token."""
    # A token is created by a signed-in user and is its own credential: scripts cannot type TOTP codes.
    if isinstance(getattr(request, "successful_authenticator", None), TokenAuthentication):
        return True
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


class _RoleRequired(BasePermission):
    """Authenticated, active, and of exactly `role`; fund admins on a session must also be OTP-verified."""

    role: str = ""
    message = "Your role does not give access to this resource."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        # The role is read from the user, never from the credential: a token grants its user's role, no more.
        if getattr(user, "role", None) != self.role:
            return False
        if self.role == Role.ADMIN:
            return request_is_otp_verified(request)
        return True


class IsAdminRole(_RoleRequired):
    role = Role.ADMIN


class IsClientRole(_RoleRequired):
    role = Role.CLIENT


class IsSignalSenderRole(_RoleRequired):
    role = Role.SIGNAL_SENDER


class IsSignedIn(BasePermission):
    """Any active signed-in user; a fund admin on a session must also be OTP-verified."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return getattr(user, "role", None) != Role.ADMIN or request_is_otp_verified(request)
