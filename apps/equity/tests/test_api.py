"""GET /api/equity and /api/equity/{source}: filters, exact decimals, cursor pages, a fixed number of queries."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.equity.tests.factories import EquitySnapshotFactory

T0 = datetime(2025, 6, 1, tzinfo=UTC)


def seed(sources, hours=5):
    for h in range(hours):
        bucket = T0 + timedelta(hours=h)
        EquitySnapshotFactory(source=sources["hl"], bucket=bucket, equity=Decimal("100.5") + h)
        EquitySnapshotFactory(source=sources["lighter"], bucket=bucket, equity=Decimal("50") + h)
        EquitySnapshotFactory(source=None, bucket=bucket, equity=Decimal("150.5") + 2 * h, realized_pnl=None)


def test_lists_snapshots_oldest_first_with_exact_decimals(sources, verified_admin_client):
    seed(sources)
    body = verified_admin_client.get("/api/equity", {"source": "hl-trader"}).json()
    assert [row["equity"] for row in body["results"]] == [f"{100.5 + h:.10f}" for h in range(5)]
    assert body["results"][0] == {
        "source": "hl-trader", "bucket": "2025-06-01T00:00:00Z", "equity": "100.5000000000",
        "realized_pnl": "0.0000000000", "unrealized_pnl": "0.0000000000", "position_count": None,
        "is_stale": False, "stale_reason": "", "origin": "file", "as_of": "2025-06-01T00:00:00Z",
    }  # fmt: skip


def test_the_source_path_the_fund_and_time_filters(sources, verified_admin_client):
    seed(sources)
    fund = verified_admin_client.get("/api/equity/fund", {"start": "2025-06-01T02:00:00Z"}).json()["results"]
    assert [(row["source"], row["equity"], row["realized_pnl"]) for row in fund] == [
        (None, "154.5000000000", None),
        (None, "156.5000000000", None),
        (None, "158.5000000000", None),
    ]
    lighter = verified_admin_client.get("/api/equity/lighter-trader", {"end": "2025-06-01T01:00:00Z"}).json()
    assert [row["bucket"] for row in lighter["results"]] == ["2025-06-01T00:00:00Z", "2025-06-01T01:00:00Z"]
    assert verified_admin_client.get("/api/equity/nobody").status_code == 404
    assert verified_admin_client.get("/api/equity", {"start": "2025-06-01T02:00:00"}).status_code == 400


def test_fixed_paths_are_not_taken_for_source_names(sources, verified_admin_client):
    assert "series" in verified_admin_client.get("/api/equity/curves").json()
    assert "is_empty" in verified_admin_client.get("/api/equity/analytics").json()
    assert verified_admin_client.get("/api/equity/snapshot").status_code == 405
    assert verified_admin_client.get("/api/equity/backfill").status_code == 405


def test_pages_through_every_row_with_a_constant_number_of_queries(sources, verified_admin_client):
    seed(sources, hours=40)
    seen, url, queries = [], "/api/equity?limit=50", []
    while url:
        with CaptureQueriesContext(connection) as captured:
            body = verified_admin_client.get(url).json()
        queries.append(len(captured))
        seen += [(row["source"], row["bucket"]) for row in body["results"]]
        url = body["next"]
    assert len(seen) == 120 and len(set(seen)) == 120
    assert len(set(queries)) == 1  # the same few queries per page, however many rows
