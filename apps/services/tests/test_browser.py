"""The service cards in Debian's Chromium (pytest -m browser): buttons start and stop a real process."""

import pytest
from django_otp.oath import totp

from apps.accounts.tests.factories import PASSWORD
from apps.services import process
from apps.services.tests.factories import ManagedServiceFactory

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def hl_service(transactional_db):
    """Created before the browser opens: no ORM calls while Playwright's event loop runs."""
    return ManagedServiceFactory(name="hl", display_name="HL trader", flags=("--delay", "1.5"))


@pytest.fixture
def signed_in_page(hl_service, fund_admin, live_server):
    """Chromium signed in as a fund admin who typed the current TOTP code."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    device = fund_admin.totpdevice_set.get()
    code = str(totp(device.bin_key, device.step, device.t0, device.digits)).zfill(6)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.on("dialog", lambda dialog: dialog.accept())  # the Stop button asks first
        page.goto(f"{live_server.url}/account/login/")
        page.fill("#id_auth-username", fund_admin.username)
        page.fill("#id_auth-password", PASSWORD)
        page.click("button.btn-primary")
        page.fill("#id_token-otp_token", code)
        page.click("button.btn-primary")
        page.wait_for_load_state()
        yield page
        browser.close()


def test_an_admin_starts_and_stops_a_service_from_its_card(hl_service, signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/office/services/")
    card = page.locator(f"#svc-{hl_service.pk}")
    start = card.get_by_role("button", name="Start", exact=True)

    start.click()

    # While the start waits for the health answer, the card's buttons are disabled.
    assert start.is_disabled() and card.get_by_role("button", name="Stop", exact=True).is_disabled()
    page.wait_for_selector(f"#svc-result-{hl_service.pk} .alert-success", timeout=20_000)
    assert "hl: start done" in card.inner_text() and card.locator(".badge-green").first.inner_text() == "Running"
    assert not start.is_disabled()
    assert process.port_is_open("127.0.0.1", hl_service.port)

    card.get_by_role("button", name="Stop", exact=True).click()

    page.wait_for_function(f"document.querySelector('#svc-result-{hl_service.pk}').innerText.includes('stop done')")
    assert card.locator(".badge-muted").first.inner_text() == "Stopped"
    assert page.locator("#svc-dots .dot-muted").count() == 1
    assert not process.port_is_open("127.0.0.1", hl_service.port)
