"""The Equity tab in Debian's Chromium (pytest -m browser): charts draw, ranges switch without a reload."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django_otp.oath import totp

from apps.accounts.tests.factories import PASSWORD
from apps.equity.tests.factories import EquitySnapshotFactory

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DAY_MS = 24 * 3600 * 1000


@pytest.fixture
def history(hl_trader, lighter_trader):
    """Sixty days of hourly snapshots (rows are made before the browser starts: no ORM while Playwright runs)."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for h in range(60 * 24):
        bucket = now - timedelta(hours=h)
        EquitySnapshotFactory(source=hl_trader, bucket=bucket, equity=Decimal(20_000 + (h * 37) % 900),
                              unrealized_pnl=Decimal(h % 50))  # fmt: skip
        EquitySnapshotFactory(source=lighter_trader, bucket=bucket, equity=Decimal(5_000 + (h * 11) % 300))
        EquitySnapshotFactory(source=None, bucket=bucket, equity=Decimal(25_000 + (h * 37) % 900 + (h * 11) % 300),
                              unrealized_pnl=Decimal(h % 50))  # fmt: skip


@pytest.fixture
def admin_device(fund_admin):
    return fund_admin.totpdevice_set.get()


@pytest.fixture
def page(live_server, transactional_db):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1360, "height": 900})
        browser.close()


def sign_in(page, base_url: str, admin, device) -> None:
    page.goto(f"{base_url}/account/login/")
    page.fill("#id_auth-username", admin.username)
    page.fill("#id_auth-password", PASSWORD)
    page.click("button.btn-primary")
    page.fill("#id_token-otp_token", str(totp(device.bin_key, device.step, device.t0, device.digits)).zfill(6))
    page.click("button.btn-primary")
    page.wait_for_load_state()


def x_span(page, canvas_id: str) -> float:
    return page.evaluate(
        f"(() => {{ const c = Chart.getChart('{canvas_id}'); return c.scales.x.max - c.scales.x.min; }})()"
    )


def test_ranges_switch_without_a_reload(fund_admin, admin_device, history, page, live_server):
    sign_in(page, live_server.url, fund_admin, admin_device)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/office/equity/")
    page.wait_for_function("window.Chart && Chart.getChart('chart-fund')")
    # all history: the fund drawn realized (solid) and with unrealized PnL (dashed), one line per source
    assert page.evaluate("Chart.getChart('chart-fund').data.datasets.map(d => d.label)") == [
        "Realized",
        "With unrealized",
    ]
    assert page.evaluate("Chart.getChart('chart-sources').data.datasets.length") == 2
    assert x_span(page, "chart-fund") > 59 * DAY_MS
    page.evaluate("window.stillHere = true")
    # when 1W is clicked
    page.click("#equity-ranges button[data-range='1W']")
    page.wait_for_selector("#equity-metrics[data-range='1W']")
    page.wait_for_function(
        f"Chart.getChart('chart-fund').scales.x.max - Chart.getChart('chart-fund').scales.x.min < {8 * DAY_MS}"
    )
    # then the charts and the cards changed in place
    assert page.evaluate("window.stillHere") is True
    assert x_span(page, "chart-drawdown") <= 7 * DAY_MS + 3600 * 1000
    assert page.get_attribute("#equity-ranges button[data-range='1W']", "aria-pressed") == "true"
    # and choosing a source changes the figures and the heatmap
    page.select_option("#equity-metrics-source", "lighter-trader")
    page.wait_for_selector("#equity-metrics[data-source='lighter-trader']")
    page.wait_for_selector("table.heatmap[aria-label='Monthly returns of PoGTrader Lighter']")
    assert errors == []
