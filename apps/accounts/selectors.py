"""Read queries of the accounts app, shared by pages and APIs; each takes the user who asks."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from rest_framework.authtoken.models import Token
from two_factor.utils import default_device

from apps.accounts.access import require_fund_admin
from apps.accounts.choices import Role
from apps.accounts.models import AuditEvent, User
from apps.core.masking import mask_secret


def audit_events_list(*, user: User, action: str | None = None, actor: str | None = None) -> QuerySet[AuditEvent]:
    """Audit log lines, newest first, optionally for one action and one actor (username, case-insensitive)."""
    require_fund_admin(user)
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label__iexact=actor)
    return events


def audit_actions_list(*, user: User) -> list[str]:
    """The distinct action names present in the audit log, for filter menus."""
    require_fund_admin(user)
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def user_counts_by_role(*, user: User) -> dict[str, int]:
    """Active users per role (every role present, zero if none), for the back office."""
    require_fund_admin(user)
    rows = User.objects.filter(is_active=True).values("role").annotate(n=Count("id"))
    counts = {role: 0 for role in Role.values}
    counts.update({row["role"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class OtpStatus:
    """What a page says about a user's second factor."""

    has_device: bool
    is_verified: bool
    backup_codes_left: int


def otp_status_for_user(*, user: User) -> OtpStatus:
    """The user's own 2FA state: an enrolled default device, this session verified, backup codes left."""
    verified = bool(getattr(user, "is_verified", lambda: False)())
    codes = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return OtpStatus(has_device=default_device(user) is not None, is_verified=verified, backup_codes_left=codes)


@dataclass(frozen=True)
class ApiTokenInfo:
    """An API token as pages may show it: masked, never the key."""

    masked_key: str
    created: datetime


def api_token_for_user(*, user: User) -> ApiTokenInfo | None:
    """The user's own API token, masked; None if they have none."""
    token = Token.objects.filter(user=user).only("key", "created").first()
    return ApiTokenInfo(masked_key=mask_secret(token.key), created=token.created) if token else None
