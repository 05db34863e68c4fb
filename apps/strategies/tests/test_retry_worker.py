"""A change saved while its trader is down lands by itself, through a real Celery worker, once the trader is back."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connection

from apps.sources.tests.factories import SourceFactory
from apps.strategies.choices import Channel, SyncState
from apps.strategies.services import Actor, risk_setting_change, risk_settings_sync
from apps.strategies.tests.conftest import D, at_trader, risk_row, trader_down
from pogfund.celery import app as celery_app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _close_worker_connection(**kwargs) -> None:
    connection.close()  # the worker thread's own connection, or the test database cannot be dropped


def _wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_a_pending_change_lands_without_any_user_action_when_the_trader_comes_back(simulator, fund_admin):
    source = SourceFactory(name="hl-trader", base_url=simulator.hyperliquid_url)
    risk_settings_sync(source=source)
    celery_app.control.purge()
    task_postrun.connect(_close_worker_connection, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            # given the trader is down when the admin saves
            trader_down(simulator)
            result = risk_setting_change(setting=risk_row(), values={"risk_per_trade": "0.75"}, expected_version=1,
                                         actor=Actor(user=fund_admin, channel=Channel.PAGE))  # fmt: skip
            assert result.sync_state == SyncState.PENDING
            # and stays down for the first retries
            assert _wait_for(lambda: risk_row().push_attempts >= 2, timeout_s=10)
            assert at_trader(simulator)["risk_per_trade"] == D("2")
            # when it comes back, nobody touches anything
            trader_down(simulator, down=False)
            landed = _wait_for(lambda: risk_row().sync_state == SyncState.IN_SYNC, timeout_s=20)
    finally:
        task_postrun.disconnect(_close_worker_connection)
    # then the retry task has applied it and the row is in sync
    assert landed
    assert at_trader(simulator)["risk_per_trade"] == D("0.75")
    assert risk_row().trader_risk_per_trade == D("0.75")
