"""The Equity tab, the upload page and its progress partial, for admins only."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import AuditEvent
from apps.equity.choices import ImportKind, ImportStatus
from apps.equity.models import EquityImport, EquitySnapshot
from apps.equity.services import equity_import_create
from apps.equity.tests.factories import EquitySnapshotFactory
from apps.sources.tests.factories import AccountStateFactory

PAGES = ["/office/equity/", "/office/equity/import/", "/office/equity/metrics/", "/office/equity/heatmap/"]


def seed_history(source, days=70):
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    for h in range(0, days * 24, 6):
        bucket = start + timedelta(hours=h)
        value = Decimal(10000 + (h % 500) * 3 - h // 10)
        EquitySnapshotFactory(source=source, bucket=bucket, equity=value, unrealized_pnl=Decimal("12.5"))
        EquitySnapshotFactory(source=None, bucket=bucket, equity=value, unrealized_pnl=Decimal("12.5"))


def test_the_empty_tab_explains_itself(verified_admin_client, sources):
    response = verified_admin_client.get("/office/equity/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "No equity history yet" in html and "top of each hour" in html
    assert "chart.umd.js" not in html and 'href="/office/equity/import/"' in html
    assert '<a class="tab active" href="/office/equity/">Equity</a>' in html


def test_the_tab_shows_charts_cards_and_the_monthly_heatmap(verified_admin_client, hl_trader):
    seed_history(hl_trader)
    response = verified_admin_client.get("/office/equity/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="equity-initial"' in html and "vendor/chart.umd.js" in html and "js/equity.js" in html
    for label in ("Total return", "CAGR", "Max drawdown", "Volatility", "Sharpe", "Sortino", "Calmar", "Best day"):
        assert f'<div class="label">{label}</div>' in html
    assert 'data-range="1D"' in html and 'data-range="All" class="active"' in html
    assert 'class="heatmap"' in html and '<option value="hl-trader">' in html
    initial = response.context["initial"]
    assert [series["key"] for series in initial["curves"]["series"]] == ["fund", "hl-trader"]


def test_metric_and_heatmap_parts_follow_range_and_source(verified_admin_client, hl_trader):
    seed_history(hl_trader)
    week = verified_admin_client.get("/office/equity/metrics/", {"range": "1W", "source": "hl-trader"})
    assert week.status_code == 200 and 'data-range="1W" data-source="hl-trader"' in week.content.decode()
    heatmap = verified_admin_client.get("/office/equity/heatmap/", {"source": "hl-trader"}).content.decode()
    assert 'aria-label="Monthly returns of PoGTrader HL"' in heatmap
    assert verified_admin_client.get("/office/equity/metrics/", {"source": "nobody"}).status_code == 404


def test_snapshot_now_from_the_page(verified_admin_client, hl_trader, fund_admin):
    AccountStateFactory(source=hl_trader, equity=Decimal("123.45"))
    response = verified_admin_client.post("/office/equity/snapshot/", follow=True)
    assert response.redirect_chain == [("/office/equity/", 302)]
    assert "recorded (2 rows)" in response.content.decode()
    assert EquitySnapshot.objects.get(source__isnull=True).equity == Decimal("123.45")
    assert AuditEvent.objects.filter(action="equity.snapshot", actor=fund_admin).exists()


def test_uploading_a_file_shows_its_result(verified_admin_client, hl_trader):
    text = "timestamp,source,equity\n2025-01-01T00:00:00Z,hl-trader,100\n2025-01-01T01:00:00Z,hl-trader,101\n"
    upload = SimpleUploadedFile("h.csv", text.encode(), content_type="text/csv")
    response = verified_admin_client.post("/office/equity/import/", {"file": upload}, follow=True)
    job = EquityImport.objects.get()
    assert response.redirect_chain == [(f"/office/equity/import/{job.pk}/", 302)]
    html = response.content.decode()
    assert "Imported" in html and "hx-trigger" not in html and "No hour is missing" in html
    assert EquitySnapshot.objects.filter(source=hl_trader).count() == 2


def test_a_rejected_upload_lists_the_bad_lines(verified_admin_client, hl_trader):
    text = "timestamp,source,equity\n2025-01-01T00:00:00Z,hl-trader,100\n2025-01-01T01:00:00Z,hl-trader,x\n"
    upload = SimpleUploadedFile("h.csv", text.encode(), content_type="text/csv")
    html = verified_admin_client.post("/office/equity/import/", {"file": upload}, follow=True).content.decode()
    assert "Nothing was imported" in html
    assert '<td class="num">3</td><td>equity &#x27;x&#x27; is not a decimal number</td>' in html
    assert EquitySnapshot.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_on_the_form(verified_admin_client, db):
    upload = SimpleUploadedFile("h.csv", "timestamp;équité\n".encode("latin-1"), content_type="text/csv")
    response = verified_admin_client.post("/office/equity/import/", {"file": upload})
    assert response.status_code == 200 and "not UTF-8" in response.content.decode()
    assert EquityImport.objects.count() == 0


def test_the_progress_partial_polls_every_second_until_the_import_is_finished(verified_admin_client, fund_admin):
    job = equity_import_create(kind=ImportKind.CSV, payload="x", actor=fund_admin)
    EquityImport.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING, total_rows=1000, processed_rows=250,
                                                  summary={"stage": "Writing rows"})  # fmt: skip
    running = verified_admin_client.get(f"/office/equity/import/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in running and "width: 25%" in running
    assert "Writing rows · 250 of 1,000 rows" in running
    EquityImport.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error="boom")
    finished = verified_admin_client.get(f"/office/equity/import/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in finished and "boom" in finished and "width: 100%" in finished


def test_the_import_page_lists_sources_to_pull_and_recent_imports(verified_admin_client, sources, fund_admin):
    equity_import_create(kind=ImportKind.CSV, payload="", filename="old.csv", actor=fund_admin)
    html = verified_admin_client.get("/office/equity/import/").content.decode()
    assert '<option value="hl-trader">' in html and '<option value="hl-account">' in html
    assert "old.csv" in html


@pytest.mark.parametrize("path", PAGES)
def test_outsiders_are_kept_out(path, client, investor_client, sender_client, unverified_admin_client, db):
    assert client.get(path).status_code == 302  # to sign in
    assert investor_client.get(path).status_code == 403
    assert sender_client.get(path).status_code == 403
    assert unverified_admin_client.get(path).status_code == 302  # to the second factor


def test_outsiders_cannot_snapshot_or_upload_from_the_pages(investor_client, hl_trader):
    AccountStateFactory(source=hl_trader)
    assert investor_client.post("/office/equity/snapshot/").status_code == 403
    assert investor_client.post("/office/equity/import/pull/", {"source": "hl-trader"}).status_code == 403
    assert EquitySnapshot.objects.count() == 0 and EquityImport.objects.count() == 0
