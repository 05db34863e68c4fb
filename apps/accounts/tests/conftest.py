import pytest
from django.test import Client

from apps.accounts.tests.factories import AdminFactory, ClientFactory, SignalSenderFactory, otp_login


@pytest.fixture
def fund_admin(db):
    return AdminFactory(first_name="Ada", last_name="Admin")


@pytest.fixture
def investor(db):
    return ClientFactory(first_name="Ivy", last_name="Investor")


@pytest.fixture
def other_investor(db):
    return ClientFactory(first_name="Olga", last_name="Otherclient")


@pytest.fixture
def sender(db):
    return SignalSenderFactory(first_name="Sid", last_name="Sender")


@pytest.fixture
def verified_admin_client(fund_admin) -> Client:
    """A browser signed in as a fund admin whose session passed TOTP."""
    return otp_login(Client(), fund_admin)


@pytest.fixture
def unverified_admin_client(fund_admin) -> Client:
    """A browser signed in as a fund admin with a password only."""
    client = Client()
    client.force_login(fund_admin)
    return client


@pytest.fixture
def investor_client(investor) -> Client:
    client = Client()
    client.force_login(investor)
    return client


@pytest.fixture
def sender_client(sender) -> Client:
    client = Client()
    client.force_login(sender)
    return client


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Real sign-ins with a cheap hash: PBKDF2's 1M rounds would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
