"""Who may open which page: anonymous, wrong role, admin without a second factor."""

import pytest
from django.test import Client

from apps.accounts.tests.factories import AdminFactory, ClientFactory, otp_login

SIGNED_IN_PAGES = ["/office/", "/office/audit/", "/account/tokens/", "/portal/", "/sender/"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_anonymous_visitor_is_sent_to_login_with_next(client, path):
    # given an anonymous visitor
    # when they open a signed-in page
    response = client.get(path)
    # then they are sent to sign in, and back here afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next={path}"


@pytest.mark.django_db
def test_anonymous_home_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"


@pytest.mark.parametrize("path", ["/office/", "/office/audit/", "/sender/"])
def test_client_gets_403_on_back_office_and_sender_pages(investor_client, path):
    # given a signed-in client
    # when they open a page of another role
    response = investor_client.get(path)
    # then they get the rendered 403 page
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()


@pytest.mark.parametrize("path", ["/portal/", "/office/", "/office/audit/"])
def test_sender_gets_403_on_portal_and_back_office(sender_client, path):
    response = sender_client.get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/portal/", "/sender/"])
def test_admin_gets_403_on_other_roles_portals(verified_admin_client, path):
    response = verified_admin_client.get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/office/", "/office/audit/", "/account/tokens/"])
def test_admin_with_device_but_no_otp_session_is_sent_to_verify(unverified_admin_client, path):
    # given an admin signed in with a password only, who has a TOTP device
    # when they open a back-office page
    response = unverified_admin_client.get(path)
    # then they must sign in again with their code
    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next={path}"


@pytest.mark.django_db
def test_admin_without_device_is_sent_to_enrolment():
    # given an admin who never enrolled a second factor
    admin = AdminFactory(totp=None)
    client = Client()
    client.force_login(admin)
    # when they open the back office
    response = client.get("/office/")
    # then they are sent to the enrolment wizard, and back afterwards
    assert response.status_code == 302
    assert response["Location"] == "/account/two_factor/setup/?next=/office/"


def test_verified_admin_reaches_back_office_pages(verified_admin_client):
    assert verified_admin_client.get("/office/").status_code == 200
    assert verified_admin_client.get("/office/audit/").status_code == 200
    assert verified_admin_client.get("/account/tokens/").status_code == 200


def test_client_and_sender_reach_their_own_portal(investor_client, sender_client):
    assert investor_client.get("/portal/").status_code == 200
    assert sender_client.get("/sender/").status_code == 200


def test_client_and_sender_reach_their_token_page_without_2fa(investor_client, sender_client):
    assert investor_client.get("/account/tokens/").status_code == 200
    assert sender_client.get("/account/tokens/").status_code == 200


@pytest.mark.parametrize(
    ("fixture", "landing"),
    [("verified_admin_client", "/office/"), ("investor_client", "/portal/"), ("sender_client", "/sender/")],
)
def test_home_redirects_by_role(request, fixture, landing):
    client = request.getfixturevalue(fixture)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == landing


def test_unverified_admin_cannot_reach_django_admin(unverified_admin_client):
    # when an admin without an OTP session opens /admin/
    first = unverified_admin_client.get("/admin/")
    second = unverified_admin_client.get(first["Location"])
    # then the admin login hands them to our two-factor login
    assert (first.status_code, first["Location"]) == (302, "/admin/login/?next=/admin/")
    assert (second.status_code, second["Location"]) == (302, "/account/login/?next=/admin/")


def test_verified_admin_reaches_django_admin(verified_admin_client):
    response = verified_admin_client.get("/admin/")
    assert response.status_code == 200
    assert "PoG Fund back office" in response.content.decode()


@pytest.mark.django_db
def test_verified_staff_client_cannot_reach_django_admin():
    # given a client who is (wrongly) staff and even has a verified TOTP session
    investor = ClientFactory(is_staff=True, is_superuser=True)
    client = otp_login(Client(), investor, device=investor.totpdevice_set.create(name="default", confirmed=True))
    # when they open the Django admin
    response = client.get("/admin/")
    # then the role check refuses them
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_logout_needs_post_and_signs_out(investor_client):
    assert investor_client.get("/account/logout/").status_code == 405
    response = investor_client.post("/account/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert investor_client.get("/portal/").status_code == 302
