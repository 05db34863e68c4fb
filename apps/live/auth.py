"""Who may open the live socket: a fund admin whose session passed a second factor.

django-otp's middleware only runs for HTTP requests, so the socket does what it does: read the verified
device from the session and check it belongs to the user and is confirmed.
"""

from __future__ import annotations

import functools

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import is_verified
from django_otp.models import Device


def _verified_device(user, session) -> Device | None:
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return None
    if persistent_id.count(".") > 1:  # django-otp's legacy full import paths
        parts = persistent_id.split(".")
        persistent_id = ".".join((parts[-3], parts[-1]))
    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def scope_user_otp_verify(scope) -> object:
    """Give the scope's user `otp_device` and `is_verified()` as the OTP middleware would (sync: queries)."""
    user = scope.get("user")
    if user is None:
        return None
    user.otp_device = _verified_device(user, scope.get("session")) if user.is_authenticated else None
    user.is_verified = functools.partial(is_verified, user)
    return user


def may_watch_live(user) -> bool:
    """Authenticated, active, a fund admin, and OTP-verified in this session."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "is_fund_admin", False)
        and user.is_verified()
    )
