"""Pulling history from the simulated traders (GET /api/equity) and the fake Hyperliquid (portfolio)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from apps.equity.choices import ImportKind, ImportStatus, SnapshotOrigin
from apps.equity.models import EquitySnapshot
from apps.equity.services import equity_import_create
from apps.equity.tasks import equity_import_run_task
from apps.simulator.testing import running_simulator
from apps.sources.choices import SourceKind
from apps.sources.tests.factories import SourceFactory


@pytest.fixture
def simulator():
    """The simulator started 30 hours ago (15 simulated minutes a step): 100 steps bring it to now, with history."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=30)
    with running_simulator(seed=7, speed=900, start=start) as sim:
        yield sim


def pull(source):
    job = equity_import_create(source=source, actor=None)
    equity_import_run_task(import_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_trader_history_is_pulled_hour_by_hour(simulator, db):
    # given a simulated trader that has run for a day
    simulator.step(100)
    source = SourceFactory(name="sim-hl", kind=SourceKind.TRADER_SERVICE, base_url=simulator.hyperliquid_url)
    history = httpx.get(f"{simulator.hyperliquid_url}/api/equity").json()["history"]
    # when its history is pulled
    job = pull(source)
    # then every hourly point is stored exactly, and the fund is derived from it
    assert job.kind == ImportKind.TRADER and job.status == ImportStatus.SUCCEEDED, job.error
    rows = list(EquitySnapshot.objects.filter(source=source).order_by("bucket"))
    assert len(rows) == len(history) >= 24
    assert [(row.bucket.isoformat().replace("+00:00", "Z"), row.equity) for row in rows] == [
        (point["timestamp"], Decimal(point["equity"])) for point in history
    ]
    assert {row.origin for row in rows} == {SnapshotOrigin.TRADER}
    assert EquitySnapshot.objects.filter(source__isnull=True).count() == len(history)
    assert job.summary["gaps"] == []
    # and pulling again changes nothing
    again = pull(source)
    assert again.summary["rows"]["unchanged"] == len(history) and again.summary["rows"]["inserted"] == 0


def test_a_hyperliquid_account_value_history_is_pulled(simulator, db):
    simulator.step(100)
    account = SourceFactory(name="sim-hl-account", kind=SourceKind.HYPERLIQUID, base_url=simulator.fake_hyperliquid_url,
                            account_address=simulator.fake_hl_address, is_counted_in_totals=False)  # fmt: skip
    job = pull(account)
    assert job.kind == ImportKind.HYPERLIQUID and job.status == ImportStatus.SUCCEEDED, job.error
    rows = EquitySnapshot.objects.filter(source=account)
    assert rows.count() >= 24 and job.summary["merged_duplicates"] > 0  # the windows overlap
    assert {row.origin for row in rows} == {SnapshotOrigin.HYPERLIQUID}
    # an account counted through its trader adds nothing to the fund
    assert EquitySnapshot.objects.filter(source__isnull=True).count() == 0


def test_an_unreachable_trader_fails_the_import_with_the_reason(db):
    source = SourceFactory(name="gone", kind=SourceKind.TRADER_SERVICE, base_url="http://127.0.0.1:9")
    job = pull(source)
    assert job.status == ImportStatus.FAILED and "could not read the history" in job.error
    assert EquitySnapshot.objects.count() == 0


def test_the_api_queues_a_pull(simulator, db, verified_admin_client, monkeypatch, django_capture_on_commit_callbacks):
    source = SourceFactory(name="sim-hl", kind=SourceKind.TRADER_SERVICE, base_url=simulator.hyperliquid_url)
    queued = []
    monkeypatch.setattr(equity_import_run_task, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_admin_client.post("/api/equity/backfill", {"pull": source.name},
                                              content_type="application/json")  # fmt: skip
    assert response.status_code == 202 and response.json()["kind"] == "trader"
    assert queued == [{"import_id": response.json()["id"]}]
    refused = verified_admin_client.post("/api/equity/backfill", {"pull": "nobody"}, content_type="application/json")
    assert refused.status_code == 400
