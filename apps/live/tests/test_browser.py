"""The dashboard in Debian's Chromium against the real stack: Daphne, the producer, the simulated trader."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django_otp.oath import totp

from apps.accounts.tests.factories import PASSWORD
from apps.sources.polling import sources_poll_due
from apps.sources.tests.factories import SourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the web process exited early"
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def database_url() -> str:
    """The test database, for processes outside this one."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def step_until(simulator, condition, *, steps: int = 200) -> None:
    for _ in range(steps):
        if condition():
            return
        simulator.step()
    raise AssertionError("the simulation never reached the condition")


def open_pnl_of(simulator) -> float:
    positions = httpx.get(f"{simulator.hyperliquid_url}/api/positions").json()["positions"]
    return sum(float(position["unrealized_pnl"]) for position in positions)


@pytest.fixture
def stack(transactional_db, simulator, fund_admin):
    """A trader source on the simulator, polled once; Daphne and the producer as real processes."""
    if connection.vendor != "postgresql":
        pytest.skip("the browser test shares its database with other processes: Postgres only")
    step_until(simulator, lambda: open_pnl_of(simulator) != 0)  # a position whose PnL moves with the market
    SourceFactory(name="hl-trader", display_name="PoGTrader (sim)", base_url=simulator.hyperliquid_url)
    sources_poll_due(force=True)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "apps.live.tests.live_settings",
           "POGFUND_LIVE_PREFIX": f"tb{uuid.uuid4().hex[:10]}", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    out = open(Path(settings.VAR_DIR) / f"browser-stack-{port}.log", "w")
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "pogfund.asgi:application"]
    web = subprocess.Popen(daphne, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    producer = subprocess.Popen([sys.executable, "manage.py", "live"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        wait_for_port(port, web)
        yield {"url": f"http://127.0.0.1:{port}", "producer": producer, "admin": fund_admin,
               "device": fund_admin.totpdevice_set.get(), "simulator": simulator}  # fmt: skip
    finally:
        for process in (producer, web):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in (producer, web):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        out.close()


class Stepper:
    """Moves the simulation in the background, as time moves a real market, while the browser watches."""

    def __init__(self, simulator, every_s: float = 0.4):
        self.simulator, self.every_s = simulator, every_s
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.every_s):
            self.simulator.step()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)


def sign_in(page, stack) -> None:
    page.goto(f"{stack['url']}/account/login/")
    page.fill("#id_auth-username", stack["admin"].username)
    page.fill("#id_auth-password", PASSWORD)
    page.click("button.btn-primary")
    page.wait_for_load_state()
    d = stack["device"]
    page.fill("#id_token-otp_token", str(totp(d.bin_key, d.step, d.t0, d.digits)).zfill(6))
    page.click("button.btn-primary")
    page.wait_for_load_state()


def test_the_dashboard_ticks_shows_closed_trades_and_says_stale_when_ticks_stop(stack):
    playwright_api = pytest.importorskip("playwright.sync_api")
    artifact = Path(settings.VAR_DIR) / "test-artifacts" / "live_dashboard.png"
    artifact.parent.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        # given the admin signed in with a TOTP code, landed on the dashboard
        sign_in(page, stack)
        assert page.url == f"{stack['url']}/office/"
        page.wait_for_selector('#live-conn[data-state="live"]', timeout=10_000)
        # then the positions table is filled from the simulated trader
        page.wait_for_selector('#positions-body tr[data-key^="hl-trader|"]', timeout=10_000)
        page.wait_for_function("document.querySelector('#live-stale').hidden", timeout=10_000)
        with Stepper(stack["simulator"]):
            # and the open PnL changes within 3 s as the market moves
            before = page.inner_text("#sum-open-pnl")
            page.wait_for_function(f"document.querySelector('#sum-open-pnl').textContent !== {before!r}", timeout=3_000)
            # and a trade closed at the trader flashes into Last Closed Trades (pushed over the trader's /ws)
            page.wait_for_selector("#last-trades li.trade-line.flash", timeout=30_000)
        page.screenshot(path=str(artifact), full_page=True)
        # when the producer stops
        os.killpg(stack["producer"].pid, signal.SIGTERM)
        # then within a few seconds the page says its figures are stale
        page.wait_for_selector("#live-stale:not([hidden])", timeout=6_000)
        assert page.inner_text("#live-stale").startswith("Stale")
        browser.close()
