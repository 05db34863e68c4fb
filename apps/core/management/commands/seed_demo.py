"""`python manage.py seed_demo`: the demo users, simulated sources and their managed services. Safe to run again."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.choices import Role
from apps.accounts.services import totp_device_ensure
from apps.services.demo import demo_services_ensure
from apps.simulator.constants import FAKE_HL_MASTER_ADDRESS
from apps.sources.choices import SourceKind
from apps.sources.models import Source

DEMO_PASSWORD = "pogfund-demo"
DEMO_USERS = [
    ("demo-admin", Role.ADMIN, "Demo", "Admin"),
    ("demo-client", Role.CLIENT, "Demo", "Client"),
    ("demo-sender", Role.SIGNAL_SENDER, "Demo", "Sender"),
]


def demo_sources() -> list[dict]:
    host = settings.SIMULATOR_HOST
    ports = settings.SIMULATOR_PORTS
    return [
        {"name": "hyperliquid-trader", "display_name": "PoGTrader (Hyperliquid)", "kind": SourceKind.TRADER_SERVICE,
         "base_url": f"http://{host}:{ports['hyperliquid_trader']}"},
        {"name": "lighter-trader", "display_name": "PoGTraderLighter (Lighter)", "kind": SourceKind.TRADER_SERVICE,
         "base_url": f"http://{host}:{ports['lighter_trader']}"},
        {"name": "hyperliquid-account", "display_name": "Hyperliquid account", "kind": SourceKind.HYPERLIQUID,
         "base_url": f"http://{host}:{ports['fake_hyperliquid']}", "account_address": FAKE_HL_MASTER_ADDRESS,
         # The trader above trades this account: its money is counted there, here it is reconciled.
         "is_counted_in_totals": False},
        {"name": "ucb", "display_name": "PoGUCB (training)", "kind": SourceKind.UCB,
         "base_url": f"http://{host}:{ports['ucb']}", "poll_interval_s": 10},
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Create the demo admin, client, signal sender and the simulated sources (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = [username for username, *rest in DEMO_USERS if self._ensure_user(username, *rest)]
        for fields in demo_sources():
            name = fields.pop("name")
            _, was_created = Source.objects.get_or_create(name=name, defaults=fields)
            if was_created:
                created.append(f"source {name}")
        self._link_trader_to_its_account("hyperliquid-trader", "hyperliquid-account")
        # The simulated traders and UCB as managed services: the Services page starts, stops and watches them.
        created += [f"service {name}" for name in demo_services_ensure()]
        admin = get_user_model().objects.get(username="demo-admin")
        totp_device_ensure(user=admin)
        self.stdout.write(f"seed_demo: created {', '.join(created) if created else 'nothing (already seeded)'}")

    def _link_trader_to_its_account(self, trader: str, account: str) -> None:
        Source.objects.filter(name=trader, exchange_source__isnull=True).update(
            exchange_source=Source.objects.get(name=account)
        )

    def _ensure_user(self, username: str, role: str, first_name: str, last_name: str) -> bool:
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            return False
        is_admin = role == Role.ADMIN
        user_model.objects.create_user(
            username=username, password=DEMO_PASSWORD, role=role, first_name=first_name, last_name=last_name,
            email=f"{username}@example.com", is_staff=is_admin, is_superuser=is_admin,
        )  # fmt: skip
        return True
