"""The Django admin of the fund: fund admins only, and only after a second factor."""

from two_factor.admin import AdminSiteOTPRequired

from apps.accounts.choices import Role


class FundAdminSite(AdminSiteOTPRequired):
    """AdminSite for active staff fund admins whose session is OTP-verified; its login is our 2FA login."""

    site_header = "PoG Fund back office"
    site_title = "PoG Fund admin"
    index_title = "Administration"
    site_url = "/office/"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and getattr(user, "role", None) == Role.ADMIN
            and getattr(user, "is_verified", lambda: False)()
        )


# Named "admin" so every `admin:` URL reversal (ours and third-party ModelAdmins') resolves here.
admin_site = FundAdminSite(name="admin")
