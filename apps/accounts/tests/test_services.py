"""Write use-cases: role changes, API tokens, TOTP devices, the audit log itself."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.oath import totp
from rest_framework.authtoken.models import Token

from apps.accounts.choices import AuditAction, AuditOutcome, Role
from apps.accounts.models import AuditEvent
from apps.accounts.services import (
    api_token_revoke,
    api_token_rotate,
    audit_event_record,
    totp_current_code,
    totp_device_ensure,
    user_role_change,
)
from apps.accounts.tests.factories import AdminFactory, ClientFactory


def audit_rows():
    return list(AuditEvent.objects.order_by("id").values("actor_id", "action", "target", "before", "after", "outcome"))


def test_admin_promotes_client_to_admin_with_staff_access(fund_admin, investor):
    # when an admin makes a client a fund admin
    user_role_change(user=investor, role=Role.ADMIN, actor=fund_admin, ip="10.1.2.3")
    investor.refresh_from_db()
    # then the role and staff access change, and the change is audited before/after
    assert (investor.role, investor.is_staff, investor.is_superuser) == (Role.ADMIN, True, False)
    assert audit_rows() == [
        {
            "actor_id": fund_admin.pk,
            "action": AuditAction.USER_ROLE_CHANGE,
            "target": f"user:{investor.pk}",
            "before": {"role": "client", "is_staff": False, "is_superuser": False},
            "after": {"role": "admin", "is_staff": True, "is_superuser": False},
            "outcome": AuditOutcome.SUCCESS,
        }
    ]
    assert AuditEvent.objects.get().ip == "10.1.2.3"


def test_demoted_admin_loses_staff_and_superuser(fund_admin):
    second = AdminFactory()
    user_role_change(user=second, role=Role.CLIENT, actor=fund_admin)
    second.refresh_from_db()
    assert (second.role, second.is_staff, second.is_superuser) == (Role.CLIENT, False, False)


def test_non_admin_cannot_change_roles_and_nothing_changes(investor, other_investor):
    # when a client tries to make another client an admin
    with pytest.raises(PermissionDenied):
        user_role_change(user=other_investor, role=Role.ADMIN, actor=investor)
    # then nothing changed, and the attempt is on record as denied
    other_investor.refresh_from_db()
    assert (other_investor.role, other_investor.is_staff) == (Role.CLIENT, False)
    assert audit_rows() == [
        {
            "actor_id": investor.pk,
            "action": AuditAction.USER_ROLE_CHANGE,
            "target": f"user:{other_investor.pk}",
            "before": None,
            "after": {"role": "admin"},
            "outcome": AuditOutcome.DENIED,
        }
    ]


def test_last_active_admin_cannot_be_demoted(fund_admin):
    with pytest.raises(ValidationError):
        user_role_change(user=fund_admin, role=Role.CLIENT, actor=fund_admin)
    fund_admin.refresh_from_db()
    assert fund_admin.role == Role.ADMIN
    assert audit_rows() == []


def test_unknown_role_is_refused(fund_admin, investor):
    with pytest.raises(ValidationError):
        user_role_change(user=investor, role="superhero", actor=fund_admin)
    investor.refresh_from_db()
    assert investor.role == Role.CLIENT
    assert audit_rows() == []


def test_same_role_changes_nothing(fund_admin, investor):
    user_role_change(user=investor, role=Role.CLIENT, actor=fund_admin)
    assert audit_rows() == []


def test_first_token_is_created_then_rotated(investor):
    # when a user creates a token, then rotates it
    first = api_token_rotate(user=investor, actor=investor)
    second = api_token_rotate(user=investor, actor=investor)
    # then only the second works, and both steps are audited with masked keys
    assert list(Token.objects.filter(user=investor).values_list("key", flat=True)) == [second]
    assert first != second
    assert audit_rows() == [
        {
            "actor_id": investor.pk,
            "action": AuditAction.API_TOKEN_CREATE,
            "target": f"user:{investor.pk}",
            "before": None,
            "after": {"token": "••••" + first[-4:]},
            "outcome": AuditOutcome.SUCCESS,
        },
        {
            "actor_id": investor.pk,
            "action": AuditAction.API_TOKEN_ROTATE,
            "target": f"user:{investor.pk}",
            "before": {"token": "••••" + first[-4:]},
            "after": {"token": "••••" + second[-4:]},
            "outcome": AuditOutcome.SUCCESS,
        },
    ]


def test_client_cannot_create_another_users_token(investor, other_investor):
    with pytest.raises(PermissionDenied):
        api_token_rotate(user=other_investor, actor=investor)
    assert Token.objects.count() == 0
    assert audit_rows() == []


def test_revoke_deletes_token_and_audits(fund_admin, investor):
    key = api_token_rotate(user=investor, actor=investor)
    assert api_token_revoke(user=investor, actor=fund_admin) is True
    assert api_token_revoke(user=investor, actor=fund_admin) is False
    assert Token.objects.count() == 0
    assert audit_rows()[-1]["before"] == {"token": "••••" + key[-4:]}
    assert audit_rows()[-1]["action"] == AuditAction.API_TOKEN_REVOKE


@pytest.mark.django_db
def test_totp_device_ensure_creates_once():
    # given an admin without a device
    admin = AdminFactory(totp=None)
    # when the device is ensured twice
    first = totp_device_ensure(user=admin)
    second = totp_device_ensure(user=admin)
    # then one confirmed default device exists, created once (and audited once)
    assert first.pk == second.pk
    assert (first.name, first.confirmed) == ("default", True)
    assert admin.totpdevice_set.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.OTP_DEVICE_CREATE).count() == 1


def test_totp_current_code_is_what_the_app_shows_and_verifies(fund_admin):
    device = fund_admin.totpdevice_set.get()
    code = totp_current_code(device=device)
    assert code == str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(6)
    assert len(code) == 6
    assert device.verify_token(code) is True


@pytest.mark.django_db
def test_audit_event_record_rejects_a_badly_named_action():
    with pytest.raises(ValidationError):
        audit_event_record(actor=None, action="Not A Slug!")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_audit_events_are_append_only():
    event = audit_event_record(actor=None, action="test.event", actor_label="system")
    event.target = "rewritten"
    with pytest.raises(ValueError):
        event.save()
    assert AuditEvent.objects.get().target == ""


@pytest.mark.django_db
def test_audit_keeps_the_actor_name_after_the_user_is_deleted():
    user = ClientFactory(username="leaver")
    audit_event_record(actor=user, action="test.event")
    user.delete()
    event = AuditEvent.objects.get()
    assert (event.actor, event.actor_label) == (None, "leaver")
