"""The Risk page in Debian's Chromium (pytest -m browser): inline edit, bulk apply, no socket -> polling."""

import pytest
from django.test import Client

from apps.accounts.tests.factories import otp_login
from apps.strategies.models import RiskSetting
from apps.strategies.tests.conftest import D, at_trader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def ids(synced) -> dict[str, int]:
    """Row ids by "strategy_id/symbol", read before Chromium starts (its event loop forbids ORM calls)."""
    return {
        f"{r.strategy.strategy_id}/{r.strategy.symbol}": r.pk for r in RiskSetting.objects.select_related("strategy")
    }


@pytest.fixture
def browser_page(ids, live_server, fund_admin):
    """A Chromium page signed in as a verified fund admin."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    session = otp_login(Client(), fund_admin).cookies["sessionid"].value
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1500, "height": 950})
        context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
        yield context.new_page()
        browser.close()


def test_an_inline_edit_is_saved_and_confirmed_by_the_trader(ids, simulator, live_server, browser_page):
    btc = ids["ema_cross/BTC"]
    page = browser_page
    page.goto(f"{live_server.url}/office/risk/")

    # without a live socket the page says so and keeps itself fresh by polling
    page.wait_for_function("document.getElementById('live-status').innerText.includes('polling')")
    # a bad value comes back in the row, in red, and nothing is pushed
    page.fill(f"#risk-row-{btc} input[name=risk_per_trade]", "250")
    page.click(f"#risk-row-{btc} .save-btn")
    page.wait_for_selector(f"#risk-row-{btc} .field-error")
    assert "at most 100" in page.inner_text(f"#risk-row-{btc} .field-error")
    # a good one is confirmed by the trader
    page.fill(f"#risk-row-{btc} input[name=risk_per_trade]", "1.5")
    page.press(f"#risk-row-{btc} input[name=risk_per_trade]", "Enter")
    page.wait_for_selector(f"#risk-row-{btc} .flash-success")
    assert "Confirmed by the trader: risk 1.5%" in page.inner_text(f"#risk-row-{btc}")

    assert at_trader(simulator)["risk_per_trade"] == D("1.5")


def test_bulk_apply_updates_the_selected_rows_in_place(ids, simulator, live_server, browser_page):
    selected = [ids["ema_cross/BTC"], ids["ema_cross/ETH"]]
    page = browser_page
    page.goto(f"{live_server.url}/office/risk/")

    for pk in selected:
        page.check(f"#risk-row-{pk} input.row-select")
    assert page.inner_text("#selected-count") == "2 rows selected"
    page.fill("#b-stop", "75")
    page.click("#bulk-apply")
    page.wait_for_selector("#bulk-results .bulk-list")

    for pk in selected:  # both rows were swapped in place with the trader's answer, and stay selected
        assert page.input_value(f"#risk-row-{pk} input[name=stop_loss_dollars]") == "75"
        assert page.is_checked(f"#risk-row-{pk} input.row-select")
    assert page.inner_text("#bulk-results").count("Confirmed by the trader") == 2
    assert at_trader(simulator, "ema_cross", "ETH")["stop_loss_dollars"] == D("75")
