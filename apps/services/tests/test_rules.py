"""Status and watchdog rules as plain functions."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.services.rules import Decision, Observation, backoff, status_evaluate, watchdog_decide

NOW = datetime(2026, 11, 21, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "alive, port, healthy, previous, should_run, window, expected",
    [
        (True, True, True, "stopped", True, False, "running"),
        (None, True, True, "stopped", False, False, "running"),  # run by someone else: it still runs
        (True, True, False, "running", True, False, "unhealthy"),
        (True, True, None, "running", True, False, "running"),  # health not asked: keeps the last answer
        (True, True, None, "unhealthy", True, False, "unhealthy"),
        (True, False, None, "starting", True, True, "starting"),
        (True, False, None, "starting", True, False, "unhealthy"),  # start window over, still not listening
        (False, False, None, "starting", True, True, "crashed"),  # died while starting
        (False, False, None, "running", True, False, "crashed"),
        (False, False, None, "running", False, False, "stopped"),
        (None, False, None, "running", True, False, "crashed"),  # detached service gone
        (None, False, None, "starting", True, True, "starting"),  # detached service still coming up
        (None, True, False, "running", True, False, "unhealthy"),
    ],
)
def test_status_from_pid_port_and_health_together(alive, port, healthy, previous, should_run, window, expected):
    observation = Observation(is_process_alive=alive, is_port_open=port, is_healthy=healthy)

    assert status_evaluate(observation, previous=previous, should_run=should_run, in_start_window=window) == expected


def decide(**overrides):
    arguments = {"status": "crashed", "consecutive_failures": 0, "failures_before_restart": 2,
                 "restarts_last_hour": 0, "max_restarts_per_hour": 3, "last_restart_at": None, "interval_s": 10,
                 "now": NOW} | overrides  # fmt: skip
    return watchdog_decide(**arguments)


def test_a_crashed_service_is_restarted_at_once():
    assert decide() == Decision.RESTART


def test_a_hung_service_is_restarted_after_n_failed_checks_only():
    assert decide(status="unhealthy", consecutive_failures=1) == Decision.NOTHING
    assert decide(status="unhealthy", consecutive_failures=2) == Decision.RESTART


def test_healthy_or_starting_services_are_left_alone():
    assert decide(status="running") == decide(status="starting") == decide(status="stopped") == Decision.NOTHING


def test_restarts_back_off_exponentially_from_one_interval():
    assert [backoff(restarts_last_hour=n, interval_s=10) for n in range(5)] == [
        timedelta(0),
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=40),
        timedelta(seconds=80),
    ]
    assert backoff(restarts_last_hour=30, interval_s=30) == timedelta(minutes=15)
    assert decide(restarts_last_hour=2, last_restart_at=NOW - timedelta(seconds=19)) == Decision.WAIT
    assert decide(restarts_last_hour=2, last_restart_at=NOW - timedelta(seconds=20)) == Decision.RESTART


def test_the_watchdog_gives_up_at_the_hourly_maximum():
    assert decide(restarts_last_hour=3, last_restart_at=NOW - timedelta(hours=1)) == Decision.GIVE_UP
