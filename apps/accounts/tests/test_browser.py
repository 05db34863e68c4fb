"""The sign-in and the back office in Debian's Chromium (pytest -m browser)."""

import pytest
from django_otp.oath import totp

from apps.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def page(live_server, transactional_db):
    """A Chromium page. Tests create their rows before asking for it: no ORM calls while Playwright runs
    (its event loop makes Django refuse them, and connections opened there escape the test teardown)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_page(viewport={"width": 1360, "height": 850})
        browser.close()


@pytest.fixture
def admin_device(fund_admin):
    return fund_admin.totpdevice_set.get()


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/account/login/")
    page.fill("#id_auth-username", username)
    page.fill("#id_auth-password", PASSWORD)
    page.click("button.btn-primary")
    page.wait_for_load_state()


def test_admin_signs_in_with_totp_and_sees_the_dark_back_office(fund_admin, admin_device, page, live_server):
    # given an admin with a TOTP device
    # when they sign in with their password and the current code
    sign_in(page, live_server.url, fund_admin.username)
    d = admin_device
    page.fill("#id_token-otp_token", str(totp(d.bin_key, d.step, d.t0, d.digits)).zfill(6))
    page.click("button.btn-primary")
    page.wait_for_load_state()
    # then the back office shows, in the dark theme, with htmx loaded from our own static files
    assert page.url == f"{live_server.url}/office/"
    assert page.inner_text("h1") == "Back office"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 15, 20)"
    assert page.evaluate("typeof window.htmx") == "object"


def test_client_lands_on_the_portal_and_is_refused_the_back_office(investor, page, live_server):
    sign_in(page, live_server.url, investor.username)
    assert page.url == f"{live_server.url}/portal/"
    response = page.goto(f"{live_server.url}/office/")
    assert response.status == 403
    assert page.inner_text("h1") == "Access denied"
