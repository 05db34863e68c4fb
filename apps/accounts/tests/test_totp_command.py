"""`manage.py totp <username> [--create]`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.services import totp_current_code
from apps.accounts.tests.factories import AdminFactory


def run_totp(*args: str) -> list[str]:
    out = StringIO()
    call_command("totp", *args, stdout=out)
    return out.getvalue().splitlines()


def test_prints_the_current_code_and_the_otpauth_uri(fund_admin):
    device = fund_admin.totpdevice_set.get()
    code_line, uri_line = run_totp(fund_admin.username)
    assert code_line == f"code: {totp_current_code(device=device)}"
    assert uri_line.startswith(f"uri:  otpauth://totp/PoG%20Fund%3A{fund_admin.username}?secret=")
    assert "issuer=PoG%20Fund" in uri_line


@pytest.mark.django_db
def test_without_a_device_it_refuses_unless_asked_to_create():
    admin = AdminFactory(totp=None)
    with pytest.raises(CommandError, match="has no confirmed TOTP device"):
        run_totp(admin.username)
    assert admin.totpdevice_set.count() == 0
    run_totp(admin.username, "--create")
    assert admin.totpdevice_set.filter(name="default", confirmed=True).count() == 1


@pytest.mark.django_db
def test_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run_totp("ghost")
