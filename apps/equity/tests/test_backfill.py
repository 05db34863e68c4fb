"""History imports: exact rows, all-or-nothing on bad lines, idempotent re-imports, gaps, a big file with progress."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.accounts.models import AuditEvent
from apps.equity import services
from apps.equity.choices import ImportKind, ImportStatus, SnapshotOrigin
from apps.equity.models import EquityImport, EquitySnapshot
from apps.equity.services import equity_import_create, equity_import_run
from apps.equity.tasks import equity_import_run_task
from apps.equity.tests.factories import EquitySnapshotFactory

T0 = datetime(2025, 1, 1, tzinfo=UTC)
HEADER = "timestamp,source,equity,realized,unrealized\n"

VALID = (
    HEADER
    + """\
2025-01-01T00:00:00Z,hl-trader,10000.00,0,0
2025-01-01T00:05:00Z,lighter-trader,5000.5,1.25,-0.75
2025-01-01T01:00:00Z,hl-trader,10100.10,100.10,0
2025-01-01T01:00:00Z,lighter-trader,4990.123456789012,1.25,
2025-01-01T01:00:00Z,hl-account,9999,,
"""
)


def run_csv(text: str, *, actor=None, commit_good_rows: bool = False) -> EquityImport:
    job = equity_import_create(kind=ImportKind.CSV, payload=text, filename="history.csv", actor=actor,
                               commit_good_rows=commit_good_rows)  # fmt: skip
    return equity_import_run(import_id=job.pk)


def stored(source=None):
    rows = (
        EquitySnapshot.objects.filter(source__name=source)
        if source
        else EquitySnapshot.objects.filter(source__isnull=True)
    )
    return list(rows.order_by("bucket").values_list("bucket", "equity", "realized_pnl", "unrealized_pnl"))


def test_a_valid_csv_imports_exactly_and_the_fund_is_the_sum_of_counted_sources(sources, fund_admin):
    job = run_csv(VALID, actor=fund_admin)
    assert job.status == ImportStatus.SUCCEEDED, job.summary
    assert stored("hl-trader") == [
        (T0, Decimal("10000"), Decimal("0"), Decimal("0")),
        (T0 + timedelta(hours=1), Decimal("10100.10"), Decimal("100.10"), Decimal("0")),
    ]
    assert stored("lighter-trader") == [
        (T0, Decimal("5000.5"), Decimal("1.25"), Decimal("-0.75")),
        (T0 + timedelta(hours=1), Decimal("4990.1234567890"), Decimal("1.25"), None),
    ]
    assert stored("hl-account") == [(T0 + timedelta(hours=1), Decimal("9999"), None, None)]
    # the fund sums the counted traders hour by hour; an unknown PnL part makes the fund's PnL unknown
    assert stored() == [
        (T0, Decimal("15000.5"), Decimal("1.25"), Decimal("-0.75")),
        (T0 + timedelta(hours=1), Decimal("15090.2234567890"), Decimal("101.35"), None),
    ]
    assert set(EquitySnapshot.objects.filter(source__isnull=True).values_list("origin", flat=True)) == {"derived"}
    assert job.summary["rows"] == {"inserted": 5, "updated": 0, "unchanged": 0, "kept": 0}
    assert job.summary["fund"]["inserted"] == 2 and job.summary["rejected"] == 0 and job.percent == 100
    assert AuditEvent.objects.filter(action="equity.import", actor=fund_admin, outcome="success").exists()


def test_a_file_with_a_bad_row_commits_nothing_and_names_the_lines(sources):
    text = VALID + "2025-01-01T02:00:00Z,hl-trader,abc,0,0\n2025-01-01T02:00:00,hl-trader,1,0,0\n" \
                   "2025-01-01T02:00:00Z,nobody,1,0,0\n2025-01-01T02:00:00Z,hl-trader,-5,0,0\n"  # fmt: skip
    job = run_csv(text)
    assert job.status == ImportStatus.REJECTED
    assert EquitySnapshot.objects.count() == 0
    assert job.summary["rejected"] == 4 and job.summary["rows_read"] == 9
    assert job.summary["errors"] == [
        {"line": 7, "message": "equity 'abc' is not a decimal number"},
        {"line": 8, "message": "timestamp '2025-01-01T02:00:00' has no time zone (add Z for UTC)"},
        {"line": 9, "message": "unknown source 'nobody'"},
        {"line": 10, "message": "equity -5 is negative"},
    ]


def test_with_the_explicit_option_good_rows_commit_and_bad_ones_are_listed(sources):
    job = run_csv(VALID + "2025-01-01T02:00:00Z,hl-trader,abc,0,0\n", commit_good_rows=True)
    assert job.status == ImportStatus.SUCCEEDED
    assert EquitySnapshot.objects.filter(source__isnull=False).count() == 5
    assert job.summary["errors"] == [{"line": 7, "message": "equity 'abc' is not a decimal number"}]


def test_a_bad_header_is_reported_on_line_one(sources):
    job = run_csv("when,who,equity\n2025-01-01T00:00:00Z,hl-trader,1\n")
    assert job.status == ImportStatus.REJECTED
    assert job.summary["errors"][0]["line"] == 1 and "timestamp, source" in job.summary["errors"][0]["message"]


def test_re_importing_the_same_file_changes_nothing(sources):
    run_csv(VALID)
    before = list(EquitySnapshot.objects.order_by("pk").values())
    job = run_csv(VALID)
    assert job.status == ImportStatus.SUCCEEDED
    assert job.summary["rows"] == {"inserted": 0, "updated": 0, "unchanged": 5, "kept": 0}
    assert job.summary["fund"] == {"inserted": 0, "updated": 0, "unchanged": 2, "kept": 0}
    assert list(EquitySnapshot.objects.order_by("pk").values()) == before


def test_duplicates_merge_by_bucket_latest_observation_wins_and_corrections_update(sources):
    text = HEADER + "2025-01-01T00:40:00Z,hl-trader,300,0,0\n2025-01-01T00:10:00Z,hl-trader,100,0,0\n"
    job = run_csv(text)
    assert stored("hl-trader") == [(T0, Decimal("300"), Decimal("0"), Decimal("0"))]
    assert job.summary["merged_duplicates"] == 1
    # a later file correcting the hour updates the row (and the fund's derived row with it)
    job = run_csv(HEADER + "2025-01-01T00:50:00Z,hl-trader,310,0,0\n")
    assert job.summary["rows"]["updated"] == 1 and stored("hl-trader")[0][1] == Decimal("310")
    assert stored()[0][1] == Decimal("310")


def test_an_import_never_overwrites_what_the_fund_recorded_live(sources):
    EquitySnapshotFactory(source=sources["hl"], bucket=T0, equity=Decimal("777"), origin=SnapshotOrigin.LIVE)
    EquitySnapshotFactory(source=None, bucket=T0, equity=Decimal("777"), origin=SnapshotOrigin.LIVE)
    job = run_csv(VALID)
    assert job.summary["rows"]["kept"] == 1 and stored("hl-trader")[0][1] == Decimal("777")
    assert job.summary["fund"]["kept"] == 1 and stored()[0][1] == Decimal("777")


def test_a_source_missing_an_hour_is_carried_into_the_fund_and_gaps_are_reported(sources):
    text = (
        HEADER
        + "".join(f"{(T0 + timedelta(hours=h)).isoformat()},hl-trader,{100 + h},0,0\n" for h in (0, 1, 2, 3, 6))
        + "".join(f"{(T0 + timedelta(hours=h)).isoformat()},lighter-trader,10,0,0\n" for h in (0, 1, 3, 4, 5, 6))
    )
    job = run_csv(text)
    fund = {row.bucket: row for row in EquitySnapshot.objects.filter(source__isnull=True)}
    # hour 2: lighter carried from hour 1; hours 4-5: hl carried from hour 3
    assert fund[T0 + timedelta(hours=2)].equity == Decimal("112") and fund[T0 + timedelta(hours=2)].is_stale
    assert "lighter-trader" in fund[T0 + timedelta(hours=2)].stale_reason
    assert fund[T0 + timedelta(hours=5)].equity == Decimal("113")
    assert not fund[T0 + timedelta(hours=6)].is_stale and fund[T0 + timedelta(hours=6)].equity == Decimal("116")
    assert job.summary["gaps"] == [
        {"source": "hl-trader", "gaps": 1, "missing_hours": 2, "usual_spacing_hours": 1, "first": [
            {"after": "2025-01-01T03:00:00Z", "before": "2025-01-01T06:00:00Z", "missing_hours": 2}]},
        {"source": "lighter-trader", "gaps": 1, "missing_hours": 1, "usual_spacing_hours": 1, "first": [
            {"after": "2025-01-01T01:00:00Z", "before": "2025-01-01T03:00:00Z", "missing_hours": 1}]},
    ]  # fmt: skip


def test_fund_rows_given_in_the_file_are_kept_as_given(sources):
    text = VALID + "2025-01-01T00:00:00Z,,99999,,\n"
    run_csv(text)
    fund = stored()
    assert fund[0][1] == Decimal("99999") and fund[1][1] == Decimal("15090.2234567890")


def test_json_rows_keep_decimal_numbers_exact(sources, verified_admin_client):
    body = '{"rows": [{"timestamp": "2025-01-01T00:00:00Z", "source": "hl-trader", "equity": 0.1, ' \
           '"realized_pnl": 1.1, "unrealized_pnl": "2.2"}]}'  # fmt: skip
    response = verified_admin_client.post("/api/equity/backfill", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "succeeded"
    assert stored("hl-trader") == [(T0, Decimal("0.1"), Decimal("1.1"), Decimal("2.2"))]


def test_a_csv_upload_through_the_api(sources, verified_admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("h.csv", VALID.encode(), content_type="text/csv")
    response = verified_admin_client.post("/api/equity/backfill", {"file": upload, "commit_good_rows": "false"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded" and body["summary"]["rows"]["inserted"] == 5
    detail = verified_admin_client.get(body["progress_url"]).json()
    assert detail["percent"] == 100 and detail["is_finished"]


def test_a_big_upload_is_queued_for_a_worker_after_the_commit(sources, verified_admin_client, monkeypatch,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    queued = []
    monkeypatch.setattr(equity_import_run_task, "delay", lambda **kwargs: queued.append(kwargs))
    text = HEADER + "".join(f"{(T0 + timedelta(hours=h)).isoformat()},hl-trader,1,0,0\n" for h in range(2500))
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_admin_client.post("/api/equity/backfill", {"file": _upload(text)})
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert queued == [{"import_id": response.json()["id"]}]


def _upload(text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("big.csv", text.encode(), content_type="text/csv")


def test_outsiders_cannot_import(sources, investor_client, sender_client):
    for client in (investor_client, sender_client):
        response = client.post("/api/equity/backfill", {"file": _upload(VALID)})
        assert response.status_code == 403
    assert EquityImport.objects.count() == 0 and EquitySnapshot.objects.count() == 0


def test_a_finished_import_is_not_run_twice(sources):
    job = run_csv(VALID)
    assert equity_import_run(import_id=job.pk).summary == job.summary
    assert AuditEvent.objects.filter(action="equity.import").count() == 1


@pytest.mark.timeout(120)
def test_a_100000_row_import_finishes_with_progress_updates(sources, monkeypatch):
    # given a file of 100,000 rows: two traders, 50,000 hours each (5.7 years)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    lines = [HEADER]
    for h in range(50_000):
        at = (start + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"{at},hl-trader,{10000 + h}.25,{h}.5,-1\n{at},lighter-trader,{5000 + h % 97},0,0\n")
    job = equity_import_create(kind=ImportKind.CSV, payload="".join(lines), filename="big.csv", actor=None)
    events = []
    monkeypatch.setattr(services, "broadcast_after_commit", lambda **kwargs: events.append(kwargs))
    # when the worker task runs it
    started = time.perf_counter()
    equity_import_run_task(import_id=job.pk)
    elapsed = time.perf_counter() - started
    # then every row is in, the fund is derived, and progress was stored and pushed along the way
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED, job.error
    assert EquitySnapshot.objects.filter(source__isnull=False).count() == 100_000
    assert EquitySnapshot.objects.filter(source__isnull=True).count() == 50_000
    last_fund = EquitySnapshot.objects.get(source__isnull=True, bucket=start + timedelta(hours=49_999))
    assert last_fund.equity == Decimal(10000 + 49_999) + Decimal("0.25") + Decimal(5000 + 49_999 % 97)
    progress = [event["payload"] for event in events if event["event"] == "equity_import_progress"]
    written = [p["processed_rows"] for p in progress if p["status"] == "importing"]
    assert len(written) >= 20 and written == sorted(written) and written[-1] == 100_000
    assert [p["percent"] for p in progress] == sorted(p["percent"] for p in progress)
    assert progress[-1]["percent"] == 100 and progress[-1]["is_finished"]
    assert (job.processed_rows, job.total_rows) == (100_000, 100_000)
    print(f"100,000-row import: {elapsed:.1f} s")
