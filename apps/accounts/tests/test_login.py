"""Sign-in through the two-factor wizard, enrolment, lockout, and their audit lines."""

from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.choices import AuditAction, AuditOutcome
from apps.accounts.models import AuditEvent
from apps.accounts.tests.factories import PASSWORD, AdminFactory

LOGIN = "/account/login/"


def post_password(client: Client, username: str, password: str, **extra):
    data = {"login_view-current_step": "auth", "auth-username": username, "auth-password": password}
    return client.post(LOGIN, data, **extra)


def post_token(client: Client, code: str, **extra):
    return client.post(LOGIN, {"login_view-current_step": "token", "token-otp_token": code}, **extra)


def code_for(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


def test_totp_login_lands_on_back_office(client, fund_admin):
    # given an admin with a TOTP device
    device = fund_admin.totpdevice_set.get()
    # when they give their password, then the code their app shows
    after_password = post_password(client, fund_admin.username, PASSWORD)
    response = post_token(client, code_for(device), follow=True)
    # then the password step asked for the code, and they land on the back office, verified
    assert after_password.status_code == 200
    assert after_password.context["wizard"]["steps"].current == "token"
    assert response.redirect_chain == [("/", 302), ("/office/", 302)]
    assert response.status_code == 200
    assert response.context["user"].is_verified() is True


def test_wrong_totp_code_does_not_sign_in(client, fund_admin):
    device = fund_admin.totpdevice_set.get()
    post_password(client, fund_admin.username, PASSWORD)
    wrong = str((int(code_for(device)) + 1) % 1_000_000).zfill(6)
    response = post_token(client, wrong)
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "token"
    assert "_auth_user_id" not in client.session
    assert client.get("/office/").status_code == 302


@pytest.mark.django_db
def test_admin_without_device_enrols_through_the_setup_wizard():
    # given an admin without a device, signed in with a password
    admin = AdminFactory(totp=None)
    client = Client()
    response = post_password(client, admin.username, PASSWORD, follow=True)
    assert response.redirect_chain == [("/", 302), ("/office/", 302), ("/account/two_factor/setup/?next=/office/", 302)]
    # when they go through the wizard and type the code of the secret the QR code carries
    response = client.post("/account/two_factor/setup/?next=/office/", {"fund_setup_view-current_step": "welcome"})
    secret = response.context["secret_key"]
    assert response.context["otpauth_url"].startswith("otpauth://totp/PoG%20Fund%3A%20")
    assert "issuer=PoG+Fund" in response.context["otpauth_url"]
    assert client.get("/account/two_factor/qrcode/")["Content-Type"].startswith("image/svg+xml")
    code = str(totp(b32decode(secret))).zfill(6)
    response = client.post(
        "/account/two_factor/setup/?next=/office/",
        {"fund_setup_view-current_step": "generator", "generator-token": code},
    )
    # then the device is confirmed, the session verified, the back office open, and the enrolment audited
    assert response.status_code == 302
    assert response["Location"] == "/office/"
    assert TOTPDevice.objects.filter(user=admin, name="default", confirmed=True).count() == 1
    assert client.get("/office/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.OTP_DEVICE_CREATE, actor=admin).count() == 1


def test_login_and_failed_login_are_audited_without_password(client, fund_admin):
    # given one bad password, then a good sign-in with a code
    post_password(client, fund_admin.username, "not-the-password")
    post_password(client, fund_admin.username, PASSWORD)
    post_token(client, code_for(fund_admin.totpdevice_set.get()))
    # when we read the audit log
    rows = list(AuditEvent.objects.order_by("id").values("actor_id", "actor_label", "action", "outcome", "ip", "after"))
    # then both are there, and the bad password is not
    assert rows == [
        {
            "actor_id": None,
            "actor_label": fund_admin.username,
            "action": AuditAction.LOGIN_FAILED,
            "outcome": AuditOutcome.FAILURE,
            "ip": "127.0.0.1",
            "after": {"locked_out": False},
        },
        {
            "actor_id": fund_admin.pk,
            "actor_label": fund_admin.username,
            "action": AuditAction.LOGIN,
            "outcome": AuditOutcome.SUCCESS,
            "ip": "127.0.0.1",
            "after": {"otp_verified": True},
        },
    ]
    assert "not-the-password" not in str(list(AuditEvent.objects.values()))


def test_logout_is_audited(investor_client, investor):
    investor_client.post("/account/logout/")
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert (event.actor, event.target, event.ip) == (investor, f"user:{investor.pk}", "127.0.0.1")


def test_sixth_attempt_after_five_bad_passwords_is_locked_out_even_with_right_password(client, investor):
    # given five bad passwords from one address
    statuses = [post_password(client, investor.username, f"wrong-{n}").status_code for n in range(5)]
    # when the right password comes from the same address
    response = post_password(client, investor.username, PASSWORD)
    # then the pair is locked: the lockout page, no session
    assert statuses == [200, 200, 200, 200, 429]
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    assert "Try again in 15 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, outcome=AuditOutcome.DENIED).count() == 2


def test_lockout_is_per_user_and_ip(client, investor, other_investor):
    # given the investor is locked out from 127.0.0.1
    for n in range(5):
        post_password(client, investor.username, f"wrong-{n}")
    # when the same user signs in from another address, and another user from the locked address
    other_ip = post_password(Client(), investor.username, PASSWORD, REMOTE_ADDR="10.0.0.2")
    other_user = post_password(Client(), other_investor.username, PASSWORD)
    # then both get in (clients have no device: straight to home)
    assert (other_ip.status_code, other_ip["Location"]) == (302, "/")
    assert (other_user.status_code, other_user["Location"]) == (302, "/")
