"""User helpers."""

import pytest

from apps.accounts.choices import Role
from apps.accounts.tests.factories import UserFactory


@pytest.mark.django_db
def test_new_users_are_clients_by_default():
    assert UserFactory().role == Role.CLIENT


@pytest.mark.django_db
def test_display_name_prefers_full_name_then_username():
    assert UserFactory(username="ada", first_name="Ada", last_name="Lovelace").display_name == "Ada Lovelace"
    assert UserFactory(username="bob", first_name="", last_name="").display_name == "bob"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "flags"),
    [
        (Role.ADMIN, (True, False, False)),
        (Role.CLIENT, (False, True, False)),
        (Role.SIGNAL_SENDER, (False, False, True)),
    ],
)
def test_role_properties(role, flags):
    user = UserFactory(role=role)
    assert (user.is_fund_admin, user.is_client, user.is_signal_sender) == flags
