"""The process layer on real child processes: own group, health, stop with no orphan, output tail."""

import os
import signal
import sys
import time

import psutil
import pytest

from apps.services import process
from apps.services.tests.factories import free_port, script_argv


def wait_for(predicate, timeout_s: float = 10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def start_script(tmp_path, *flags, port=None):
    port = port or free_port()
    launched = process.launch(argv=script_argv(port, *flags), cwd=None, env=dict(os.environ),
                              log_path=tmp_path / "svc.log")  # fmt: skip
    return launched, port


def test_a_launched_process_leads_its_own_group_and_answers_its_health_url(tmp_path):
    launched, port = start_script(tmp_path)

    health = wait_for(lambda: (h := process.health_check(f"http://127.0.0.1:{port}/api/status")).ok and h)

    assert os.getpgid(launched.pid) == launched.pid != os.getpgrp()
    assert process.is_alive(launched.pid, launched.create_time)
    assert process.port_is_open("127.0.0.1", port) is True
    assert health.detail == "HTTP 200"


def test_terminate_leaves_no_process_of_the_group_nor_a_descendant_that_left_it(tmp_path):
    launched, port = start_script(tmp_path, "--spawn-children")
    wait_for(lambda: process.port_is_open("127.0.0.1", port))
    family = psutil.Process(launched.pid).children(recursive=True)
    assert len(family) == 2  # one stays in the group, one started its own session

    outcome = process.terminate(pid=launched.pid, create_time=launched.create_time, timeout_s=2)

    # The children ignore SIGTERM, so they had to be killed.
    assert outcome == "killed"
    assert process.group_members(launched.pid) == []
    assert [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
    assert not process.is_alive(launched.pid, launched.create_time)
    assert process.port_is_open("127.0.0.1", port) is False


def test_terminate_sends_sigterm_first_and_a_well_behaved_process_just_stops(tmp_path):
    launched, port = start_script(tmp_path)
    wait_for(lambda: process.port_is_open("127.0.0.1", port))

    assert process.terminate(pid=launched.pid, create_time=launched.create_time, timeout_s=5) == "stopped"
    assert process.terminate(pid=launched.pid, create_time=launched.create_time, timeout_s=5) == "not running"


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path):
    launched, port = start_script(tmp_path, "--ignore-term")
    wait_for(lambda: process.port_is_open("127.0.0.1", port))
    began = time.monotonic()

    outcome = process.terminate(pid=launched.pid, create_time=launched.create_time, timeout_s=1)

    assert outcome == "killed"
    assert 1.0 <= time.monotonic() - began < 5
    assert process.group_members(launched.pid) == []


def test_a_reused_pid_is_not_taken_for_our_process(tmp_path):
    launched, _ = start_script(tmp_path)

    assert process.is_alive(launched.pid, launched.create_time)
    assert not process.is_alive(launched.pid, launched.create_time - 60)


def test_health_check_says_why_it_failed(tmp_path):
    launched, port = start_script(tmp_path, "--status", "503")
    wait_for(lambda: process.port_is_open("127.0.0.1", port))

    unhealthy = process.health_check(f"http://127.0.0.1:{port}/api/status")
    refused = process.health_check(f"http://127.0.0.1:{free_port()}/api/status")

    assert (unhealthy.ok, unhealthy.detail) == (False, f"HTTP 503 from http://127.0.0.1:{port}/api/status")
    assert refused.ok is False and "ConnectError" in refused.detail


def test_the_output_tail_is_what_this_run_printed(tmp_path):
    log = tmp_path / "svc.log"
    log.write_text("an older run said this\n")
    launched = process.launch(argv=script_argv(free_port(), "--crash"), cwd=None, env=dict(os.environ),
                              log_path=log)  # fmt: skip
    wait_for(lambda: not process.is_alive(launched.pid, launched.create_time))

    tail = process.log_tail(log, offset=launched.log_offset)

    assert "an older run" not in tail
    assert tail.splitlines()[1:] == ["service starting on port " + tail.split("--port ")[1].split()[0],
                                     "fatal: cannot reach the exchange"]  # fmt: skip


def test_a_missing_program_is_a_launch_error(tmp_path):
    with pytest.raises(process.LaunchError):
        process.launch(argv=["/nonexistent/trader"], cwd=None, env={}, log_path=tmp_path / "x.log")
    assert "could not start" in (tmp_path / "x.log").read_text()


def test_run_command_returns_the_exit_code_and_kills_what_overruns(tmp_path):
    code = process.run_command(argv=[sys.executable, "-c", "raise SystemExit(4)"], cwd=None, env=dict(os.environ),
                               log_path=tmp_path / "c.log", timeout_s=10)  # fmt: skip
    with pytest.raises(TimeoutError):
        process.run_command(argv=[sys.executable, "-c", "import time; time.sleep(30)"], cwd=None,
                            env=dict(os.environ), log_path=tmp_path / "c.log", timeout_s=0.5)  # fmt: skip

    assert code == 4


def test_a_frozen_process_is_resumed_so_it_can_take_its_sigterm(tmp_path):
    launched, port = start_script(tmp_path)
    wait_for(lambda: process.port_is_open("127.0.0.1", port))
    os.kill(launched.pid, signal.SIGSTOP)  # hung: the port still accepts, nothing answers
    began = time.monotonic()

    outcome = process.terminate(pid=launched.pid, create_time=launched.create_time, timeout_s=5)

    assert outcome == "stopped" and time.monotonic() - began < 2
