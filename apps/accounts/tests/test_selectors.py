"""Read queries: only fund admins read the audit log and the user counts."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.accounts.selectors import audit_actions_list, audit_events_list, otp_status_for_user, user_counts_by_role
from apps.accounts.tests.factories import AuditEventFactory, ClientFactory, SignalSenderFactory


def test_audit_events_list_filters_by_action_and_actor(fund_admin):
    # given events of two actions by two actors
    a = AuditEventFactory(action="user.role_change", actor_label="alice")
    AuditEventFactory(action="user.role_change", actor_label="bob")
    AuditEventFactory(action="api_token.create", actor_label="alice")
    # when an admin filters by action and actor
    events = audit_events_list(user=fund_admin, action="user.role_change", actor="ALICE")
    # then exactly the matching event comes back
    assert list(events) == [a]


def test_audit_events_list_is_newest_first(fund_admin):
    first, second = AuditEventFactory(), AuditEventFactory()
    assert list(audit_events_list(user=fund_admin)) == [second, first]


@pytest.mark.parametrize("selector", [audit_events_list, audit_actions_list, user_counts_by_role])
def test_admin_selectors_refuse_clients_and_senders(investor, sender, selector):
    for outsider in (investor, sender):
        with pytest.raises(PermissionDenied):
            selector(user=outsider)


def test_user_counts_by_role_counts_active_users(fund_admin):
    ClientFactory.create_batch(3)
    ClientFactory(is_active=False)
    SignalSenderFactory()
    assert user_counts_by_role(user=fund_admin) == {"admin": 1, "client": 3, "signal_sender": 1}


def test_audit_actions_list_is_distinct_and_sorted(fund_admin):
    for action in ["b.x", "a.y", "b.x"]:
        AuditEventFactory(action=action)
    assert audit_actions_list(user=fund_admin) == ["a.y", "b.x"]


def test_otp_status_for_user_without_device(investor):
    status = otp_status_for_user(user=investor)
    assert (status.has_device, status.is_verified, status.backup_codes_left) == (False, False, 0)
