"""Write use-cases of the accounts app: audit log, roles, API tokens, TOTP devices."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from apps.accounts.choices import AuditAction, AuditOutcome, Role
from apps.accounts.models import AuditEvent, User
from apps.core.masking import mask_secret

# two_factor's login wizard asks for the device named "default"; any other name is never challenged.
DEFAULT_DEVICE_NAME = "default"


def _actor_or_none(actor: Any) -> User | None:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def audit_event_record(
    *,
    actor: Any,
    action: str,
    target: str = "",
    before: dict | None = None,
    after: dict | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    ip: str | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one line to the audit log (actor may be None or anonymous for system and failed-login events)."""
    user = _actor_or_none(actor)
    label = actor_label or (user.get_username() if user else "")
    event = AuditEvent(
        actor=user,
        actor_label=label[:150],
        action=action,
        target=target[:200],
        before=before,
        after=after,
        outcome=outcome,
        ip=ip,
    )
    event.full_clean(exclude=["actor"])
    event.save()
    return event


def _role_state(user: User) -> dict:
    return {"role": user.role, "is_staff": user.is_staff, "is_superuser": user.is_superuser}


def user_role_change_check(*, user: User, role: str) -> None:
    """Raise ValidationError if `user` may not be given `role` (unknown role, or the last active admin leaving)."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    leaving_admin = user.role == Role.ADMIN and role != Role.ADMIN and user.is_active
    if leaving_admin and not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise ValidationError({"role": "The last active fund admin cannot change role: promote another admin first."})


def user_role_change(*, user: User, role: str, actor: User | None, ip: str | None = None) -> User:
    """Give `user` a new role (admins only); staff access follows the role; audited."""
    if actor is not None and not actor.is_fund_admin:
        audit_event_record(
            actor=actor,
            action=AuditAction.USER_ROLE_CHANGE,
            target=f"user:{user.pk}",
            after={"role": role},
            outcome=AuditOutcome.DENIED,
            ip=ip,
        )
        raise PermissionDenied("Only fund admins change roles.")
    return _user_role_apply(user=user, role=role, actor=actor, ip=ip)


@transaction.atomic
def _user_role_apply(*, user: User, role: str, actor: User | None, ip: str | None) -> User:
    # Lock the active admins first (in pk order), so two admins demoting each other cannot both pass the check.
    list(User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).order_by("pk").values_list("pk"))
    locked = User.objects.select_for_update().get(pk=user.pk)
    user_role_change_check(user=locked, role=role)
    before = _role_state(locked)
    if locked.role == role:
        return locked
    locked.role = role
    # Django admin access follows the role; a demoted admin also loses superuser powers.
    locked.is_staff = role == Role.ADMIN
    locked.is_superuser = locked.is_superuser and role == Role.ADMIN
    locked.save(update_fields=["role", "is_staff", "is_superuser"])
    audit_event_record(
        actor=actor,
        action=AuditAction.USER_ROLE_CHANGE,
        target=f"user:{locked.pk}",
        before=before,
        after=_role_state(locked),
        ip=ip,
    )
    user.role, user.is_staff, user.is_superuser = locked.role, locked.is_staff, locked.is_superuser
    return locked


@transaction.atomic
def api_token_rotate(*, user: User, actor: User, ip: str | None = None) -> str:
    """Replace the user's API token with a new one and return its key (shown once); audited."""
    if actor.pk != user.pk and not actor.is_fund_admin:
        raise PermissionDenied("Only the user or a fund admin can create the user's token.")
    old = Token.objects.select_for_update().filter(user=user).first()
    old_key = old.key if old else ""
    if old:
        old.delete()
    token = Token.objects.create(user=user)
    audit_event_record(
        actor=actor,
        action=AuditAction.API_TOKEN_ROTATE if old else AuditAction.API_TOKEN_CREATE,
        target=f"user:{user.pk}",
        before={"token": mask_secret(old_key)} if old else None,
        after={"token": mask_secret(token.key)},
        ip=ip,
    )
    return token.key


@transaction.atomic
def api_token_revoke(*, user: User, actor: User | None, ip: str | None = None) -> bool:
    """Delete the user's API token, if any; audited. True if a token was deleted."""
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is None:
        return False
    key = token.key
    token.delete()
    audit_event_record(
        actor=actor,
        action=AuditAction.API_TOKEN_REVOKE,
        target=f"user:{user.pk}",
        before={"token": mask_secret(key)},
        ip=ip,
    )
    return True


@transaction.atomic
def totp_device_ensure(*, user: User) -> TOTPDevice:
    """The user's confirmed default TOTP device, created (and audited) if there is none."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialize concurrent creations per user
    device = TOTPDevice.objects.filter(user=user, name=DEFAULT_DEVICE_NAME, confirmed=True).first()
    if device:
        return device
    device = TOTPDevice.objects.create(user=user, name=DEFAULT_DEVICE_NAME, confirmed=True)
    audit_event_record(
        actor=None,
        actor_label="system",
        action=AuditAction.OTP_DEVICE_CREATE,
        target=f"user:{user.pk}",
        after={"device": f"totp:{device.pk}"},
    )
    return device


def totp_current_code(*, device: TOTPDevice) -> str:
    """The code the device's authenticator app shows right now, zero-padded."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return str(code).zfill(device.digits)
