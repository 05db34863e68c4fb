"""The demo's simulated traders and UCB as managed services (seed_demo and runfund register them)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import transaction

from apps.accounts.services import audit_event_record
from apps.services.choices import ServiceKind
from apps.services.models import ManagedService
from apps.simulator.constants import (
    SERVER_FAKE_HYPERLIQUID,
    SERVER_HYPERLIQUID_TRADER,
    SERVER_LIGHTER_TRADER,
    SERVER_UCB,
)
from apps.sources.models import Source

# (service and source name, display name, kind, servers it runs, the server its health URL belongs to).
# The fake Hyperliquid API mirrors the Hyperliquid trader's account inside one simulation, so it runs
# in that trader's process: stopping the trader also takes its exchange account offline.
DEMO_SERVICES = [
    ("hyperliquid-trader", "PoGTrader (Hyperliquid)", ServiceKind.TRADER,
     (SERVER_HYPERLIQUID_TRADER, SERVER_FAKE_HYPERLIQUID), SERVER_HYPERLIQUID_TRADER),
    ("lighter-trader", "PoGTraderLighter (Lighter)", ServiceKind.TRADER,
     (SERVER_LIGHTER_TRADER,), SERVER_LIGHTER_TRADER),
    ("ucb", "PoGUCB (training)", ServiceKind.UCB, (SERVER_UCB,), SERVER_UCB),
]  # fmt: skip
PORT_FLAGS = {
    SERVER_HYPERLIQUID_TRADER: "--hl-port",
    SERVER_LIGHTER_TRADER: "--lighter-port",
    SERVER_UCB: "--ucb-port",
    SERVER_FAKE_HYPERLIQUID: "--fake-hl-port",
}


def demo_start_command(servers: tuple[str, ...], *, speed: str = "1") -> list[str]:
    """`manage.py simulate --only ...` on the configured ports: one simulated service per process."""
    ports = settings.SIMULATOR_PORTS
    argv = [sys.executable, "manage.py", "simulate", "--only", ",".join(servers),
            "--host", settings.SIMULATOR_HOST, "--speed", speed]  # fmt: skip
    for server in servers:
        argv += [PORT_FLAGS[server], str(ports[server])]
    return argv


@transaction.atomic
def demo_services_ensure(*, speed: str | None = None) -> list[str]:
    """Register the simulated services that are missing (linked to their sources); the names created.

    An admin's later edits are kept; only `speed`, when given, rewrites the simulation speed.
    """
    created = []
    for name, display_name, kind, servers, health_server in DEMO_SERVICES:
        source = Source.objects.filter(name=name).first()
        service, was_created = ManagedService.objects.get_or_create(name=name, defaults={
            "display_name": display_name, "kind": kind, "source": source, "host": settings.SIMULATOR_HOST,
            "port": settings.SIMULATOR_PORTS[health_server], "start_command": demo_start_command(servers),
            "working_directory": str(settings.BASE_DIR), "start_with_fund": True, "start_timeout_s": 60,
        })  # fmt: skip
        if was_created:
            created.append(name)
        elif source and service.source_id is None and not hasattr(source, "managed_service"):
            ManagedService.objects.filter(pk=service.pk).update(source=source)
        if speed is not None:
            _set_speed(service, speed)
    return created


def _set_speed(service: ManagedService, speed: str) -> None:
    argv = list(service.start_command)
    if "--speed" not in argv[:-1] or argv[argv.index("--speed") + 1] == speed:
        return
    argv[argv.index("--speed") + 1] = speed
    ManagedService.objects.filter(pk=service.pk).update(start_command=argv)
    audit_event_record(actor=None, actor_label="runfund", action="service.update", target=f"service:{service.name}",
                       before={"start_command": service.start_command}, after={"start_command": argv})  # fmt: skip
