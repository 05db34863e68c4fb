"""Backup codes and turning 2FA off: audited, and an admin without a device is sent back to enrol."""

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.choices import AuditAction
from apps.accounts.models import AuditEvent


def test_generating_backup_codes_is_audited_without_the_codes(verified_admin_client, fund_admin):
    response = verified_admin_client.post("/account/two_factor/backup/tokens/")
    codes = list(StaticToken.objects.filter(device__user=fund_admin).values_list("token", flat=True))
    event = AuditEvent.objects.get(action=AuditAction.OTP_BACKUP_CODES_GENERATE)
    assert response.status_code == 302
    assert len(codes) == 10
    assert (event.actor, event.after) == (fund_admin, {"count": 10})
    assert [code for code in codes if code in str(event.after)] == []


def test_disabling_2fa_is_audited_and_the_admin_must_enrol_again(verified_admin_client, fund_admin):
    # when a verified admin turns two-factor off
    response = verified_admin_client.post("/account/two_factor/disable/", {"understand": "on"})
    # then the device is gone, the change is on record, and the back office sends them to enrol
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=fund_admin).count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.OTP_DISABLE, actor=fund_admin).count() == 1
    office = verified_admin_client.get("/office/")
    assert (office.status_code, office["Location"]) == (302, "/account/two_factor/setup/?next=/office/")
