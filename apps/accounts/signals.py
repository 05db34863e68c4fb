"""Audit of sign-ins, failed sign-ins and sign-outs."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from apps.accounts.choices import AuditAction, AuditOutcome
from apps.accounts.http import client_ip
from apps.accounts.services import audit_event_record


@receiver(user_logged_in, dispatch_uid="accounts.audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    """Record a successful sign-in and whether a second factor verified it."""
    device = getattr(user, "otp_device", None)
    audit_event_record(
        actor=user,
        action=AuditAction.LOGIN,
        target=f"user:{user.pk}",
        after={"otp_verified": device is not None},
        ip=client_ip(request),
    )


@receiver(user_login_failed, dispatch_uid="accounts.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """Record a refused sign-in with the attempted username only (never the password)."""
    username = str(credentials.get("username") or "")[:150]
    # django-axes flags the request when this attempt is (or has become) locked out.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    audit_event_record(
        actor=None,
        actor_label=username,
        action=AuditAction.LOGIN_FAILED,
        target=f"username:{username}" if username else "",
        after={"locked_out": locked_out},
        outcome=AuditOutcome.DENIED if locked_out else AuditOutcome.FAILURE,
        ip=client_ip(request),
    )


@receiver(user_logged_out, dispatch_uid="accounts.audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    """Record a sign-out (user is None when the session had already expired)."""
    if user is None:
        return
    audit_event_record(actor=user, action=AuditAction.LOGOUT, target=f"user:{user.pk}", ip=client_ip(request))
