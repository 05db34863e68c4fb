"""The hourly snapshot: one row per source and hour, the fund = sum of counted sources, stale sources flagged."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from apps.accounts.models import AuditEvent
from apps.equity.choices import SnapshotOrigin
from apps.equity.models import EquitySnapshot
from apps.equity.services import equity_snapshot_take
from apps.equity.tasks import equity_snapshot_task
from apps.equity.tests.factories import EquitySnapshotFactory
from apps.sources.choices import SourceStatus
from apps.sources.tests.factories import AccountStateFactory, PositionFactory

NOW = datetime(2026, 11, 21, 21, 17, 5, tzinfo=UTC)
BUCKET = datetime(2026, 11, 21, 21, tzinfo=UTC)


def state(source, equity, realized="0", unrealized="0", *, at=NOW):
    minute = at.replace(second=0, microsecond=0)
    return AccountStateFactory(source=source, minute=minute, equity=Decimal(equity), realized_pnl=Decimal(realized),
                               unrealized_pnl=Decimal(unrealized), as_of=at)  # fmt: skip


def rows():
    return {(row.source.name if row.source else None): row for row in EquitySnapshot.objects.select_related("source")}


def test_snapshot_records_each_source_and_the_fund_as_the_sum_of_counted_sources(sources):
    # given account states of two counted traders and of an exchange account counted through its trader
    state(sources["hl"], "25231.40", "5231.40", "129.10")
    state(sources["lighter"], "10000.25", "-12.5", "3.75")
    state(sources["account"], "25000", "0", "129.10")
    for source in (sources["hl"], sources["hl"], sources["lighter"]):
        PositionFactory(source=source)
    # when the snapshot runs
    result = equity_snapshot_take(now=NOW)
    # then every source has this hour's row, and the fund row sums the counted ones only
    got = rows()
    assert result.bucket == BUCKET and set(got) == {"hl-trader", "lighter-trader", "hl-account", None}
    assert all(row.bucket == BUCKET and row.origin == SnapshotOrigin.LIVE for row in got.values())
    assert got["hl-trader"].equity == Decimal("25231.40") and got["hl-trader"].position_count == 2
    fund = got[None]
    assert (fund.equity, fund.realized_pnl, fund.unrealized_pnl) == (
        Decimal("35231.65"),
        Decimal("5218.90"),
        Decimal("132.85"),
    )
    assert fund.position_count == 3 and not fund.is_stale


def test_a_second_snapshot_in_the_same_hour_updates_and_never_duplicates(sources):
    state(sources["hl"], "100")
    equity_snapshot_take(now=NOW)
    # when the account moves and the snapshot runs again within the hour
    state(sources["hl"], "150", at=NOW + timedelta(minutes=20))
    equity_snapshot_take(now=NOW + timedelta(minutes=20, seconds=30))
    # then the same rows hold the newer values
    assert EquitySnapshot.objects.count() == 2
    assert rows()["hl-trader"].equity == Decimal("150") and rows()[None].equity == Decimal("150")
    # and the next hour gets rows of its own
    equity_snapshot_take(now=NOW + timedelta(hours=1))
    assert EquitySnapshot.objects.filter(bucket=BUCKET + timedelta(hours=1)).count() == 2


def test_a_stale_source_is_recorded_as_stale_and_so_is_the_fund(sources):
    # given one trader whose polls fail, and one whose last account state is ten minutes old though "ok"
    sources["hl"].status = SourceStatus.STALE
    sources["hl"].last_error = "connection refused"
    sources["hl"].save()
    state(sources["hl"], "100")
    state(sources["lighter"], "50", at=NOW - timedelta(minutes=10))
    # when the snapshot runs
    equity_snapshot_take(now=NOW)
    # then both carry the reason, and the fund (which includes their last known values) is flagged too
    got = rows()
    assert got["hl-trader"].is_stale and got["hl-trader"].stale_reason == "source is stale: connection refused"
    assert got["lighter-trader"].is_stale and got["lighter-trader"].stale_reason == "last account state is 600 s old"
    assert got[None].equity == Decimal("150") and got[None].is_stale
    assert got[None].stale_reason == "stale: hl-trader, lighter-trader"


def test_a_counted_source_without_any_account_state_makes_the_fund_stale(sources):
    state(sources["hl"], "100")
    result = equity_snapshot_take(now=NOW)
    assert result.missing_sources == ["hl-account", "lighter-trader"]
    fund = rows()[None]
    assert fund.equity == Decimal("100") and fund.is_stale
    assert fund.stale_reason == "no account state: lighter-trader"


def test_the_live_snapshot_replaces_an_imported_value_of_the_same_hour(sources):
    EquitySnapshotFactory(source=sources["hl"], bucket=BUCKET, equity=Decimal("1"), origin=SnapshotOrigin.FILE)
    state(sources["hl"], "100")
    equity_snapshot_take(now=NOW)
    row = rows()["hl-trader"]
    assert (row.equity, row.origin) == (Decimal("100"), SnapshotOrigin.LIVE)


def test_nothing_is_recorded_before_any_source_was_polled(sources):
    result = equity_snapshot_take(now=NOW)
    assert result.rows == [] and EquitySnapshot.objects.count() == 0


def test_the_beat_task_snapshots_the_current_hour(sources):
    state(sources["hl"], "100", at=datetime.now(UTC))
    equity_snapshot_task()
    assert EquitySnapshot.objects.filter(source__isnull=True).count() == 1


@pytest.mark.parametrize("source_given", [True, False])
def test_the_database_refuses_a_second_row_for_the_same_hour(sources, source_given):
    source = sources["hl"] if source_given else None
    EquitySnapshotFactory(source=source, bucket=BUCKET)
    with pytest.raises(IntegrityError):
        EquitySnapshotFactory(source=source, bucket=BUCKET)


def test_post_snapshot_takes_one_now_and_audits_it(sources, verified_admin_client, fund_admin):
    state(sources["hl"], "100", at=datetime.now(UTC))
    response = verified_admin_client.post("/api/equity/snapshot")
    assert response.status_code == 201
    body = response.json()
    assert [row["source"] for row in body["rows"]] == ["hl-trader", None]
    assert body["rows"][1]["equity"] == "100.0000000000" and body["missing_sources"] == ["hl-account", "lighter-trader"]
    # a second call in the same hour updates the same rows
    assert verified_admin_client.post("/api/equity/snapshot").status_code == 201
    assert EquitySnapshot.objects.count() == 2
    assert AuditEvent.objects.filter(action="equity.snapshot", actor=fund_admin).count() == 2


def test_outsiders_cannot_take_a_snapshot(sources, investor_client, sender_client, unverified_admin_client):
    state(sources["hl"], "100", at=datetime.now(UTC))
    for client in (investor_client, sender_client, unverified_admin_client):
        assert client.post("/api/equity/snapshot").status_code == 403
    assert EquitySnapshot.objects.count() == 0
