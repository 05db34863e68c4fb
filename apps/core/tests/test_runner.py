"""The embedded runner, as `make run` starts it: no DATABASE_URL, no REDIS_URL."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "REDIS_DB_BASE"}}
    env.update(
        POGFUND_VAR_DIR=str(tmp_path / "var"),
        WEB_PORT=str(free_port()),
        SIM_HL_TRADER_PORT=str(free_port()),
        SIM_LIGHTER_TRADER_PORT=str(free_port()),
        SIM_UCB_PORT=str(free_port()),
        SIM_FAKE_HL_PORT=str(free_port()),
        HEALTH_WORKER_MAX_AGE_S="60",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_for_health(url: str, runner: subprocess.Popen, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        assert runner.poll() is None, "the runner exited early"
        try:
            response = httpx.get(url, timeout=2)
            last = response.json()
            if response.status_code == 200:
                return last
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"/healthz never became 200; last answer: {last}")


def test_embedded_runner_becomes_healthy_and_stops_without_leaving_a_process(embedded_env, tmp_path):
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=embedded_env, check=True,
                   capture_output=True)  # fmt: skip
    log = open(tmp_path / "runner.log", "w")
    runner = subprocess.Popen([python, "manage.py", "runfund"], cwd=ROOT, env=embedded_env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        try:
            report = wait_for_health(f"http://127.0.0.1:{embedded_env['WEB_PORT']}/healthz", runner, timeout_s=150)
        except AssertionError as failure:
            log.flush()
            raise AssertionError(f"{failure}\n--- runner output ---\n{(tmp_path / 'runner.log').read_text()[-4000:]}")
        assert report["checks"]["database"]["detail"] == "sqlite"
        sim_status = httpx.get(f"http://127.0.0.1:{embedded_env['SIM_HL_TRADER_PORT']}/api/status", timeout=2)
        assert sim_status.json()["service"] == "trader"
        family = psutil.Process(runner.pid).children(recursive=True)
        assert len(family) >= 5  # web, worker (+ pool), beat, simulator, redis

        runner.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert runner.wait(timeout=40) == 0
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
        log.close()

    time.sleep(0.5)
    survivors = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert survivors == [], (tmp_path / "runner.log").read_text()[-3000:]


def test_children_die_with_a_runner_killed_outright(tmp_path):
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from apps.core.runner import ChildSpec, Supervisor\n"
        "Supervisor([ChildSpec('sleeper', ['sleep', '120'])], env=dict(os.environ), cwd=Path('.')).run()\n"
    )
    runner = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not (children := psutil.Process(runner.pid).children()) and time.monotonic() < deadline:
            time.sleep(0.1)
        (sleeper,) = children

        runner.kill()  # SIGKILL: no chance to stop its children itself
        runner.wait(timeout=10)

        sleeper.wait(timeout=10)  # raises psutil.TimeoutExpired if it outlived the runner
    finally:
        if runner.poll() is None:
            runner.kill()
