"""UCB read client against a fake UCB speaking the contract, and against the simulator's UCB."""

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from apps.simulator.testing import running_simulator
from apps.sources.connectors import BadAnswer, SourceTimeout, SourceUnavailable, SourceUnreachable
from apps.sources.connectors.ucb import GpuInfo, UcbModel, UcbStats, UcbStrategy, UcbTraining, ucb_snapshot
from apps.sources.tests.fakes.server import HTML_PAGE, Reply, json_reply, refused_url, silent_server
from apps.sources.tests.fakes.trader import running_fake_ucb


@pytest.fixture
def ucb():
    with running_fake_ucb() as served:
        yield served


def test_a_snapshot_reads_all_five_endpoints_exactly(ucb):
    fake, url = ucb

    snapshot = ucb_snapshot(base_url=url)

    assert snapshot.status.gpu == GpuInfo("H100", Decimal("71"), 30100, 81559)
    assert snapshot.status.active_trainings == 2
    assert snapshot.status.timestamp == datetime(2026, 11, 21, 22, tzinfo=UTC)
    assert snapshot.strategies == (UcbStrategy("ema_cross", "BTC", "loaded"),)
    assert snapshot.trainings == (
        UcbTraining("ema_cross", "BTC", 1200, Decimal("40"), Decimal("1.82"), datetime(2026, 11, 21, 20, tzinfo=UTC)),
    )
    assert snapshot.models == (UcbModel("ema_cross", "BTC", Decimal("1.91"), datetime(2026, 11, 20, 8, tzinfo=UTC)),)
    assert snapshot.stats == UcbStats(14, 51200, Decimal("212.5"))
    assert sorted(r.path for r in fake.requests) == [
        "/api/models", "/api/stats", "/api/status", "/api/strategies", "/api/training/sync",
    ]  # fmt: skip


def test_a_ucb_without_gpu_reports_none(ucb):
    fake, url = ucb
    fake.data["status"]["gpu"] = None

    assert ucb_snapshot(base_url=url).status.gpu is None


@pytest.mark.parametrize(
    ("path", "reply", "error", "fragment"),
    [
        ("/api/stats", Reply('{"detail": "busy"}', status=503), SourceUnavailable, "HTTP 503: busy"),
        ("/api/models", HTML_PAGE, BadAnswer, "text/html"),
        ("/api/stats", json_reply({"models": 14, "episodes_total": 51200, "gpu_hours": "NaN"}), BadAnswer, "NaN"),
        ("/api/training/sync", json_reply({"runs": []}), BadAnswer, "missing field 'trainings'"),
    ],
)
def test_a_bad_ucb_answer_raises_naming_the_problem(ucb, path, reply, error, fragment):
    fake, url = ucb
    fake.overrides[path] = reply

    with pytest.raises(error) as raised:
        ucb_snapshot(base_url=url)

    assert fragment in raised.value.message


def test_a_dead_or_silent_ucb_fails_fast_and_retryably():
    with pytest.raises(SourceUnreachable):
        ucb_snapshot(base_url=refused_url())
    with silent_server() as url:
        started = time.monotonic()
        with pytest.raises(SourceTimeout) as raised:
            ucb_snapshot(base_url=url, timeout_s=0.3)
    assert raised.value.retryable and time.monotonic() - started < 1.5


def test_the_simulated_ucb_reads_cleanly():
    with running_simulator(seed=7, speed=900.0) as sim:
        sim.step(5)
        snapshot = ucb_snapshot(base_url=sim.ucb_url)

    assert snapshot.status.service == "ucb"
    assert snapshot.strategies and snapshot.stats.models >= 0
