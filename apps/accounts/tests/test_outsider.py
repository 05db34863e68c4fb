"""The outsider: a client must never see another user's data through any accounts page or API."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import api_token_rotate
from apps.accounts.tests.factories import AuditEventFactory


@pytest.fixture
def others_secrets(other_investor, sender, fund_admin):
    """Names and token keys of three other users, plus an audit line about one of them."""
    keys = [api_token_rotate(user=user, actor=user) for user in (other_investor, sender, fund_admin)]
    AuditEventFactory(actor=other_investor, actor_label=other_investor.username, action="test.secret_event")
    names = [other_investor.username, "Olga", "Otherclient", sender.username, "Sid", fund_admin.username, "Ada"]
    return names + keys + [key[-4:] for key in keys]


@pytest.mark.parametrize("path", ["/portal/", "/account/tokens/", "/api/me", "/account/two_factor/"])
def test_client_pages_show_nothing_of_other_users(investor_client, others_secrets, path):
    # given other users with names, tokens and audit lines
    # when a client opens one of their own pages
    response = investor_client.get(path)
    body = response.content.decode()
    # then nothing of the others appears
    assert response.status_code == 200
    assert [secret for secret in others_secrets if secret in body] == []


@pytest.mark.parametrize("path", ["/office/", "/office/audit/", "/api/audit", "/sender/"])
def test_client_is_refused_pages_that_list_other_users(investor_client, others_secrets, path):
    response = investor_client.get(path)
    assert response.status_code == 403
    assert [secret for secret in others_secrets if secret in response.content.decode()] == []


def test_client_token_cannot_list_the_audit(investor, others_secrets):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_rotate(user=investor, actor=investor)}")
    assert client.get("/api/audit").status_code == 403
    assert client.get("/api/audit?actor=" + others_secrets[0]).status_code == 403
