import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User
from apps.sources.models import Source

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_creates_nothing_twice():
    call_command("seed_demo")
    first = {
        "users": sorted(User.objects.values_list("username", "role")),
        "sources": sorted(Source.objects.values_list("name", "kind", "base_url")),
        "devices": TOTPDevice.objects.count(),
    }

    call_command("seed_demo")

    assert first["users"] == [("demo-admin", "admin"), ("demo-client", "client"), ("demo-sender", "signal_sender")]
    assert [name for name, *_ in first["sources"]] == ["hyperliquid-account", "hyperliquid-trader",
                                                       "lighter-trader", "ucb"]  # fmt: skip
    assert first["devices"] == 1
    assert sorted(User.objects.values_list("username", "role")) == first["users"]
    assert sorted(Source.objects.values_list("name", "kind", "base_url")) == first["sources"]
    assert TOTPDevice.objects.count() == 1
    assert Source.objects.get(name="hyperliquid-trader").exchange_source.name == "hyperliquid-account"


def test_seed_demo_keeps_an_admins_later_edits():
    call_command("seed_demo")
    Source.objects.filter(name="lighter-trader").update(poll_interval_s=30, is_enabled=False)

    call_command("seed_demo")

    lighter = Source.objects.get(name="lighter-trader")
    assert (lighter.poll_interval_s, lighter.is_enabled) == (30, False)
