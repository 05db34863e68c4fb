"""REST API: /api/me, /api/tokens/rotate, /api/audit with session and token authentication."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.choices import AuditAction
from apps.accounts.models import AuditEvent
from apps.accounts.services import api_token_rotate
from apps.accounts.tests.factories import AuditEventFactory


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_me_refuses_anonymous(client):
    assert client.get("/api/me").status_code == 403


def test_me_with_session(investor_client, investor):
    response = investor_client.get("/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": investor.username,
        "role": "client",
        "otp_verified": False,
        "authentication": "session",
    }


def test_me_for_verified_admin_session(verified_admin_client, fund_admin):
    assert verified_admin_client.get("/api/me").json()["otp_verified"] is True


def test_me_with_token(sender):
    key = api_token_rotate(user=sender, actor=sender)
    response = token_client(key).get("/api/me")
    assert response.status_code == 200
    assert response.json() == {
        "username": sender.username,
        "role": "signal_sender",
        "otp_verified": False,
        "authentication": "token",
    }


def test_clients_token_cannot_read_the_admin_only_audit(investor):
    # given a client's token
    key = api_token_rotate(user=investor, actor=investor)
    # when it calls an admin-only endpoint
    response = token_client(key).get("/api/audit")
    # then the token grants the client's role and no more
    assert response.status_code == 403


def test_admin_token_reads_the_audit_with_fixed_query_count(fund_admin, django_assert_num_queries):
    # given an admin token and a few audit lines
    key = api_token_rotate(user=fund_admin, actor=fund_admin)
    for n in range(5):
        AuditEventFactory(action="test.event", actor_label=f"someone{n}", target=f"thing:{n}")
    client = token_client(key)
    # when the admin lists the audit (token lookup, count, page)
    with django_assert_num_queries(3):
        response = client.get("/api/audit?action=test.event&limit=2")
    # then it sees the newest lines, paginated
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 5
    assert [row["target"] for row in body["results"]] == ["thing:4", "thing:3"]
    assert sorted(body["results"][0]) == ["action", "actor", "after", "at", "before", "id", "ip", "outcome", "target"]


def test_audit_api_needs_an_otp_verified_admin_session(unverified_admin_client, verified_admin_client):
    assert unverified_admin_client.get("/api/audit").status_code == 403
    assert verified_admin_client.get("/api/audit").status_code == 200


def test_rotate_with_token_returns_a_new_key_once_and_kills_the_old(investor):
    old = api_token_rotate(user=investor, actor=investor)
    response = token_client(old).post("/api/tokens/rotate")
    new = response.json()["key"]
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    assert token_client(old).get("/api/me").status_code == 403
    assert token_client(new).get("/api/me").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_ROTATE, actor=investor).count() == 1


def test_unverified_admin_session_cannot_mint_a_token(unverified_admin_client, fund_admin):
    # a token counts as verified, so minting one needs a verified session
    response = unverified_admin_client.post("/api/tokens/rotate")
    assert response.status_code == 403
    assert Token.objects.filter(user=fund_admin).exists() is False
    assert AuditEvent.objects.filter(action__startswith="api_token.").count() == 0


def test_schema_documents_the_accounts_endpoints(verified_admin_client):
    response = verified_admin_client.get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = response.json()["paths"]
    assert {"/api/me", "/api/tokens/rotate", "/api/audit"} <= set(paths)
