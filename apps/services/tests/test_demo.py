"""The demo: seed_demo registers the simulated traders and UCB as managed services that really run."""

import sys

import httpx
import pytest
from django.core.management import call_command
from hyperliquid.info import Info

from apps.accounts.models import AuditEvent
from apps.services import process
from apps.services.demo import demo_services_ensure
from apps.services.models import ManagedService
from apps.services.services import service_start, service_stop
from apps.services.tests.factories import free_port
from apps.simulator.constants import FAKE_HL_MASTER_ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ports(settings):
    settings.SIMULATOR_PORTS = {name: free_port() for name in settings.SIMULATOR_PORTS}
    return settings.SIMULATOR_PORTS


def test_seed_demo_registers_three_services_linked_to_their_sources_once(demo_ports):
    call_command("seed_demo")
    call_command("seed_demo")

    services = {s.name: s for s in ManagedService.objects.select_related("source")}
    assert sorted(services) == ["hyperliquid-trader", "lighter-trader", "ucb"]
    hl = services["hyperliquid-trader"]
    assert hl.start_command == [sys.executable, "manage.py", "simulate",
                                "--only", "hyperliquid_trader,fake_hyperliquid", "--host", "127.0.0.1", "--speed", "1",
                                "--hl-port", str(demo_ports["hyperliquid_trader"]),
                                "--fake-hl-port", str(demo_ports["fake_hyperliquid"])]  # fmt: skip
    assert (hl.port, hl.source.name, hl.start_with_fund, hl.kind) == (
        demo_ports["hyperliquid_trader"],
        "hyperliquid-trader",
        True,
        "trader",
    )
    assert (services["ucb"].kind, services["ucb"].source.name) == ("ucb", "ucb")


def test_the_speed_is_rewritten_only_when_asked_and_audited(demo_ports):
    demo_services_ensure()
    ManagedService.objects.filter(name="ucb").update(health_interval_s=60)  # an admin's edit

    demo_services_ensure(speed="60")

    ucb = ManagedService.objects.get(name="ucb")
    assert ucb.start_command[ucb.start_command.index("--speed") + 1] == "60"
    assert ucb.health_interval_s == 60
    assert AuditEvent.objects.filter(action="service.update", actor_label="runfund").count() == 3


@pytest.mark.slow
def test_the_demo_trader_runs_with_its_exchange_and_stops_with_it(demo_ports, fund_admin):
    demo_services_ensure()
    service = ManagedService.objects.get(name="hyperliquid-trader")

    started = service_start(service=service, actor=fund_admin)

    assert started.ok, started.output_tail
    status = httpx.get(f"http://127.0.0.1:{demo_ports['hyperliquid_trader']}/api/status", timeout=2).json()
    info = Info(base_url=f"http://127.0.0.1:{demo_ports['fake_hyperliquid']}", skip_ws=True, timeout=2)
    assert status["exchange"] == "hyperliquid" and "marginSummary" in info.user_state(FAKE_HL_MASTER_ADDRESS)
    assert service_stop(service=service, actor=fund_admin).ok
    assert not process.port_is_open("127.0.0.1", demo_ports["hyperliquid_trader"])
    assert not process.port_is_open("127.0.0.1", demo_ports["fake_hyperliquid"])
