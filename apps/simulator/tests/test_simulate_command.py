"""`manage.py simulate` as a real process: it serves, and SIGTERM/SIGINT stop it cleanly."""

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import httpx
import pytest
from django.conf import settings
from hyperliquid.info import Info

from apps.simulator.constants import FAKE_HL_MASTER_ADDRESS, SERVER_NAMES

LISTENING = re.compile(r"simulator (\w+) listening on (http://\S+)")


def _start_simulator() -> tuple[subprocess.Popen, queue.Queue]:
    """Start the command on free ports (port 0) with an hour of history."""
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "simulate", "--seed", "3", "--speed", "60"]
    for flag in ("--hl-port", "--lighter-port", "--ucb-port", "--fake-hl-port"):
        command += [flag, "0"]
    command += ["--history-hours", "1", "--tick", "0.2", "--host", "127.0.0.1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    return process, lines


def _read_urls(lines: queue.Queue) -> dict[str, str]:
    """The URL each server logged, waiting at most 30 s."""
    urls: dict[str, str] = {}
    while len(urls) < len(SERVER_NAMES):
        match = LISTENING.search(lines.get(timeout=30))
        if match:
            urls[match.group(1)] = match.group(2)
    return urls


def _port_is_closed(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        return probe.connect_ex((parts.hostname, parts.port)) != 0


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_simulate_serves_and_exits_cleanly_on_a_signal(signum):
    process, lines = _start_simulator()
    try:
        urls = _read_urls(lines)
        status = httpx.get(urls["hyperliquid_trader"] + "/api/status", timeout=2).json()
        lighter = httpx.get(urls["lighter_trader"] + "/api/status", timeout=2).json()
        ucb = httpx.get(urls["ucb"] + "/api/status", timeout=2).json()
        state = Info(base_url=urls["fake_hyperliquid"], skip_ws=True, timeout=2).user_state(FAKE_HL_MASTER_ADDRESS)

        process.send_signal(signum)
        exit_code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert (status["service"], status["exchange"], status["engine_ready"]) == ("trader", "hyperliquid", True)
    assert (lighter["exchange"], ucb["service"]) == ("lighter", "ucb")
    assert "marginSummary" in state
    assert exit_code == 0
    assert all(_port_is_closed(url) for url in urls.values())
