"""Fixtures of the services app: a private var/ directory, no process left behind, a fake Telegram."""

import os
import signal

import pytest

from apps.services import process
from apps.services.tests.fake_telegram import FakeTelegram


@pytest.fixture(autouse=True)
def private_var_dir(settings, tmp_path):
    """Logs and PID files of each test's services go to its own directory."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """Whatever a test started (and its whole process group) is killed after it, pass or fail."""
    yield
    with process._children_lock:
        children = list(process._children.values())
        process._children.clear()
    for child in children:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        child.wait(timeout=10)


@pytest.fixture
def fake_telegram():
    fake = FakeTelegram(token="123456:TEST-token-abcdef").start()
    yield fake
    fake.stop()
