"""The one access rule every selector of fund data starts with."""

from django.core.exceptions import PermissionDenied


def require_fund_admin(user) -> None:
    """Raise PermissionDenied unless `user` is a signed-in fund admin (views check the second factor)."""
    if not (user is not None and user.is_authenticated and getattr(user, "is_fund_admin", False)):
        raise PermissionDenied("Fund admins only.")
