"""Back office, audit log, portals and the API token page."""

from apps.accounts.choices import AuditAction
from apps.accounts.models import AuditEvent
from apps.accounts.services import api_token_rotate
from apps.accounts.tests.factories import AuditEventFactory, ClientFactory, SignalSenderFactory


def test_office_home_shows_2fa_status_role_counts_and_recent_events(verified_admin_client, fund_admin):
    # given some users and more than ten audit lines
    ClientFactory.create_batch(2)
    SignalSenderFactory()
    for n in range(12):
        AuditEventFactory(action="test.event", target=f"thing:{n}")
    # when the admin opens the back office overview (the landing /office/ is the live dashboard)
    response = verified_admin_client.get("/office/overview/")
    # then it shows their 2FA, the counts per role, and the last ten events
    assert response.status_code == 200
    assert response.context["otp"].has_device is True
    assert response.context["otp"].is_verified is True
    assert response.context["role_counts"] == [("Fund admin", 1), ("Client", 2), ("Signal sender", 1)]
    assert [e.target for e in response.context["recent_events"]] == [f"thing:{n}" for n in range(11, 1, -1)]
    assert "Welcome, Ada Admin" in response.content.decode()


def test_audit_log_filters_by_action_and_actor(verified_admin_client):
    AuditEventFactory(action="user.role_change", actor_label="alice", target="user:1")
    AuditEventFactory(action="user.role_change", actor_label="bob", target="user:2")
    AuditEventFactory(action="api_token.create", actor_label="alice", target="user:3")
    response = verified_admin_client.get("/office/audit/?action=user.role_change&actor=alice")
    assert response.status_code == 200
    assert [e.target for e in response.context["events"]] == ["user:1"]


def test_audit_log_paginates_by_fifty_keeping_filters(verified_admin_client, django_assert_num_queries):
    for n in range(60):
        AuditEventFactory(action="test.event", target=f"thing:{n}")
    # session, user, otp device, actions menu, count, page: no query per row
    with django_assert_num_queries(6):
        response = verified_admin_client.get("/office/audit/?action=test.event&page=2")
    assert len(response.context["events"]) == 10
    assert response.context["filter_query"] == "action=test.event"
    assert "?action=test.event&page=1" in response.content.decode()


def test_portal_shows_own_name_and_an_honest_empty_state(investor_client):
    body = investor_client.get("/portal/").content.decode()
    assert "Welcome, Ivy Investor" in body
    assert "Your capital statements will appear here" in body


def test_sender_portal_shows_own_name_and_an_honest_empty_state(sender_client):
    body = sender_client.get("/sender/").content.decode()
    assert "Welcome, Sid Sender" in body
    assert "Your signals and payouts will appear here" in body


def test_token_page_creates_a_key_shown_once_then_masked(investor_client, investor):
    # given a user without a token
    assert "You have no API token." in investor_client.get("/account/tokens/").content.decode()
    # when they create one
    created = investor_client.post("/account/tokens/")
    key = investor.auth_token.key
    # then the full key is on that response only; later it is masked to its last four characters
    later = investor_client.get("/account/tokens/").content.decode()
    assert created.status_code == 200
    assert key in created.content.decode()
    assert created["Cache-Control"].startswith("max-age=0")
    assert key not in later
    assert "••••" + key[-4:] in later
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_CREATE, actor=investor).count() == 1


def test_token_page_rotation_replaces_the_key(investor_client, investor):
    old = api_token_rotate(user=investor, actor=investor)
    investor_client.post("/account/tokens/")
    investor.refresh_from_db()
    assert investor.auth_token.key != old


def test_base_layout_has_csrf_meta_htmx_and_admin_tabs(verified_admin_client):
    body = verified_admin_client.get("/office/").content.decode()
    assert '<meta name="csrf-token" content="' in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body
    assert "/static/vendor/htmx.min.js" in body
    assert "/static/css/pogfund.css" in body
    tabs = [
        ("Dashboard", "/office/"),
        ("Audit log", "/office/audit/"),
        ("API docs", "/api/docs/"),
        ("Django admin", "/admin/"),
    ]
    for label, href in tabs:
        assert f'href="{href}">{label}</a>' in body
    assert "PoG Portfolio Manager" in body.replace("</span>", "")


def test_login_page_uses_the_product_layout(client, db):
    body = client.get("/account/login/").content.decode()
    assert "/static/css/pogfund.css" in body
    assert "bootstrap" not in body
    assert "Sign in" in body
