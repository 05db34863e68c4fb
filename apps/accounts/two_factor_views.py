"""django-two-factor-auth views with the fund's issuer name and an audit of 2FA changes."""

from django.conf import settings
from two_factor.utils import get_otpauth_url, totp_digits
from two_factor.views import BackupTokensView, DisableView, QRGeneratorView, SetupView

from apps.accounts.choices import AuditAction
from apps.accounts.http import client_ip
from apps.accounts.services import audit_event_record


def totp_issuer() -> str:
    """The name authenticator apps show next to the code (not the host name two_factor would use)."""
    return getattr(settings, "OTP_TOTP_ISSUER", "PoG Fund")


class FundSetupView(SetupView):
    """Enrolment wizard: QR code with the fund's issuer; the new device is audited."""

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        if "otpauth_url" in context:
            context["issuer"] = totp_issuer()
            context["otpauth_url"] = get_otpauth_url(
                self.request.user.get_username(), context["secret_key"], totp_issuer(), totp_digits()
            )
        return context

    def done(self, form_list, **kwargs):
        response = super().done(form_list, **kwargs)
        device = getattr(self.request.user, "otp_device", None)
        audit_event_record(
            actor=self.request.user,
            action=AuditAction.OTP_DEVICE_CREATE,
            target=f"user:{self.request.user.pk}",
            after={"device": device.persistent_id if device else None},
            ip=client_ip(self.request),
        )
        return response


class FundQRGeneratorView(QRGeneratorView):
    """The enrolment QR code, with the fund's issuer."""

    def get_issuer(self) -> str:
        return totp_issuer()


class FundBackupTokensView(BackupTokensView):
    """Backup codes page; generating a new set is audited (never the codes)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_event_record(
            actor=self.request.user,
            action=AuditAction.OTP_BACKUP_CODES_GENERATE,
            target=f"user:{self.request.user.pk}",
            after={"count": self.number_of_tokens},
            ip=client_ip(self.request),
        )
        return response


class FundDisableView(DisableView):
    """Turning 2FA off (a fund admin is then sent to enrol again); audited."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_event_record(
            actor=self.request.user,
            action=AuditAction.OTP_DISABLE,
            target=f"user:{self.request.user.pk}",
            ip=client_ip(self.request),
        )
        return response
