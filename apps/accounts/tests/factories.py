"""Factories and login helpers of the accounts app (other apps' tests use them too)."""

import factory
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.choices import Role
from apps.accounts.models import AuditEvent, User
from apps.accounts.services import DEFAULT_DEVICE_NAME

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user of any role (client by default) whose password is PASSWORD."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.test")
    role = Role.CLIENT
    password = factory.django.Password(PASSWORD)


class ClientFactory(UserFactory):
    username = factory.Sequence(lambda n: f"client{n}")
    role = Role.CLIENT


class SignalSenderFactory(UserFactory):
    username = factory.Sequence(lambda n: f"sender{n}")
    role = Role.SIGNAL_SENDER


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed TOTP device named 'default', the one the login wizard challenges."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = DEFAULT_DEVICE_NAME
    confirmed = True


class AdminFactory(UserFactory):
    """A staff fund admin with a confirmed TOTP device (`admin.totpdevice_set.get()`)."""

    username = factory.Sequence(lambda n: f"admin{n}")
    role = Role.ADMIN
    is_staff = True
    is_superuser = True
    totp = factory.RelatedFactory(TOTPDeviceFactory, factory_related_name="user")


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    actor = None
    actor_label = factory.Sequence(lambda n: f"someone{n}")
    action = "test.event"


def otp_login(client: Client, user: User, *, device: TOTPDevice | None = None) -> Client:
    """Sign `user` in on `client` as if they had typed their TOTP code (the session is OTP-verified)."""
    device = device or TOTPDevice.objects.get(user=user, name=DEFAULT_DEVICE_NAME)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
