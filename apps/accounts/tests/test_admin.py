"""The Django admin site: role changes audited through the service, read-only audit, masked tokens."""

from django.contrib.auth.models import Group
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from rest_framework.authtoken.models import TokenProxy

from apps.accounts.admin_site import admin_site
from apps.accounts.choices import AuditAction, Role
from apps.accounts.models import AuditEvent, User
from apps.accounts.services import api_token_rotate
from apps.accounts.tests.factories import AuditEventFactory


def change_form_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "role": user.role,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


def test_role_change_in_admin_goes_through_the_audited_service(verified_admin_client, fund_admin, investor):
    # when an admin changes a client into a signal sender in the admin
    response = verified_admin_client.post(
        f"/admin/accounts/user/{investor.pk}/change/", change_form_data(investor, role=Role.SIGNAL_SENDER)
    )
    # then the role changed and the audit log says who did it, from what to what
    investor.refresh_from_db()
    event = AuditEvent.objects.get(action=AuditAction.USER_ROLE_CHANGE)
    assert response.status_code == 302
    assert investor.role == Role.SIGNAL_SENDER
    assert (event.actor, event.target, event.ip) == (fund_admin, f"user:{investor.pk}", "127.0.0.1")
    assert (event.before["role"], event.after["role"]) == ("client", "signal_sender")


def test_admin_form_refuses_demoting_the_last_admin(verified_admin_client, fund_admin):
    response = verified_admin_client.post(
        f"/admin/accounts/user/{fund_admin.pk}/change/", change_form_data(fund_admin, role=Role.CLIENT)
    )
    fund_admin.refresh_from_db()
    assert response.status_code == 200
    assert "The last active fund admin cannot change role" in response.content.decode()
    assert fund_admin.role == Role.ADMIN
    assert AuditEvent.objects.filter(action=AuditAction.USER_ROLE_CHANGE).count() == 0


def test_audit_events_are_read_only_in_admin(verified_admin_client):
    event = AuditEventFactory()
    assert verified_admin_client.get("/admin/accounts/auditevent/").status_code == 200
    assert verified_admin_client.get("/admin/accounts/auditevent/add/").status_code == 403
    deletion = verified_admin_client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert deletion.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_tokens_are_masked_in_admin_and_revocation_is_audited(verified_admin_client, investor):
    key = api_token_rotate(user=investor, actor=investor)
    listing = verified_admin_client.get("/admin/authtoken/tokenproxy/").content.decode()
    assert key not in listing
    assert "••••" + key[-4:] in listing
    response = verified_admin_client.post(f"/admin/authtoken/tokenproxy/{investor.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert TokenProxy.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKE).count() == 1


def test_beat_schedules_and_groups_are_on_the_fund_admin_site():
    for model in (PeriodicTask, IntervalSchedule, CrontabSchedule, Group, User, AuditEvent, TokenProxy):
        assert admin_site.is_registered(model)
