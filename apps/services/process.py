"""Start, probe and stop OS processes: argument lists only, one process group each, output to a log file.

No Django here: the services module decides what to run, this module only runs it.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

LOG_MAX_BYTES = 5 * 1024 * 1024  # rotate to .1 past this, so a chatty service cannot fill the disk
TAIL_BYTES = 4000
TAIL_LINES = 25
HEALTH_TIMEOUT_S = 2.0  # the trader contract's default client timeout
PORT_TIMEOUT_S = 0.5
KILL_WAIT_S = 3.0
CREATE_TIME_TOLERANCE_S = 0.5

# Popen handles of the processes this Python process started, so it can reap them (no zombies left behind).
_children: dict[int, subprocess.Popen] = {}
_children_lock = threading.Lock()


class LaunchError(Exception):
    """The command could not be executed at all (no such program, not executable, no such directory)."""


@dataclass(frozen=True)
class Launched:
    """A process just started: its PID (also its process group), start time and where its output begins."""

    pid: int
    create_time: float | None
    log_offset: int


@dataclass(frozen=True)
class Health:
    """The answer of a health URL: ok only for a 2xx within the timeout."""

    ok: bool
    detail: str


def launch(*, argv: list[str], cwd: str | None, env: dict[str, str], log_path: Path) -> Launched:
    """Start argv in its own session and process group, stdout and stderr appended to log_path."""
    return _spawn(argv=argv, cwd=cwd, env=env, log_path=log_path)[1]


def _spawn(
    *, argv: list[str], cwd: str | None, env: dict[str, str], log_path: Path
) -> tuple[subprocess.Popen, Launched]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    _rotate(log_path)
    with open(log_path, "ab") as log:
        offset = log.tell()
        # shlex.join only renders the command for humans: it is never parsed or run by a shell.
        log.write(f"--- {_stamp()} start: {shlex.join(argv)}\n".encode())
        log.flush()
        try:
            process = subprocess.Popen(
                argv, cwd=cwd or None, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, close_fds=True,
            )  # fmt: skip
        except OSError as error:
            log.write(f"--- {_stamp()} could not start: {error}\n".encode())
            raise LaunchError(str(error)) from error
    with _children_lock:
        _children[process.pid] = process
    return process, Launched(pid=process.pid, create_time=_create_time(process.pid), log_offset=offset)


def run_command(*, argv: list[str], cwd: str | None, env: dict[str, str], log_path: Path, timeout_s: float) -> int:
    """Run a short command (a stop command, a detached start) to completion; its output goes to the log.

    Raises LaunchError if it cannot run and TimeoutError (after killing it) if it does not return in time.
    """
    process, launched = _spawn(argv=argv, cwd=cwd, env=env, log_path=log_path)
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        terminate(pid=launched.pid, create_time=launched.create_time, timeout_s=1.0)
        raise TimeoutError(f"{argv[0]} did not return within {timeout_s:g} s") from None
    finally:
        with _children_lock:
            _children.pop(launched.pid, None)


def reap_children() -> None:
    """Collect the exit status of our children that have ended."""
    with _children_lock:
        for pid, process in list(_children.items()):
            if process.poll() is not None:
                del _children[pid]


def is_alive(pid: int | None, create_time: float | None = None) -> bool:
    """True while the process runs; a zombie, or a different process that got the PID, is not alive."""
    if not pid:
        return False
    with _children_lock:
        child = _children.get(pid)
        if child is not None and child.poll() is not None:
            del _children[pid]
            return False
    try:
        process = psutil.Process(pid)
        if create_time and abs(process.create_time() - create_time) > CREATE_TIME_TOLERANCE_S:
            return False
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def create_time_of(pid: int) -> float | None:
    return _create_time(pid)


def port_is_open(host: str, port: int | None, *, timeout_s: float = PORT_TIMEOUT_S) -> bool | None:
    """Whether something accepts TCP connections on host:port (None when there is no port)."""
    if not port:
        return None
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def health_check(url: str, *, timeout_s: float = HEALTH_TIMEOUT_S) -> Health:
    """GET the health URL; 2xx is healthy, anything else says why not."""
    try:
        response = httpx.get(url, timeout=timeout_s, follow_redirects=False)
    except httpx.TimeoutException:
        return Health(False, f"no answer from {url} within {timeout_s:g} s")
    except httpx.HTTPError as error:
        return Health(False, f"{url}: {type(error).__name__}: {error}"[:300])
    if 200 <= response.status_code < 300:
        return Health(True, f"HTTP {response.status_code}")
    return Health(False, f"HTTP {response.status_code} from {url}")


def terminate(*, pid: int, create_time: float | None, timeout_s: float) -> str:
    """SIGTERM the process group and every descendant, wait, then SIGKILL; 'stopped', 'killed' or 'not running'."""
    family = _family(pid, create_time)
    if not family:
        return "not running"
    _signal_all(pid, family, signal.SIGTERM)
    _signal_all(pid, family, signal.SIGCONT)  # a stopped (SIGSTOP) process only acts on SIGTERM once resumed
    survivors = _wait_gone(family, timeout_s)
    if not survivors:
        return "stopped"
    _signal_all(pid, survivors, signal.SIGKILL)
    left = _wait_gone(survivors, KILL_WAIT_S)
    return "killed" if not left else f"killed, but {len(left)} process(es) did not go away"


def group_members(pgid: int, *, born_after: float | None = None) -> list[psutil.Process]:
    """Live processes of a process group (what a stop must leave empty), optionally only those born after a time."""
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) != pgid or process.status() == psutil.STATUS_ZOMBIE:
                continue
            # A process older than our leader cannot be its offspring: the PID was reused by someone else's group.
            if born_after is None or process.create_time() >= born_after - CREATE_TIME_TOLERANCE_S:
                members.append(process)
        except (OSError, psutil.Error):
            continue
    return members


def log_tail(log_path: Path, *, offset: int = 0, max_bytes: int = TAIL_BYTES, max_lines: int = TAIL_LINES) -> str:
    """The last lines a run wrote to its log (from offset on)."""
    try:
        with open(log_path, "rb") as log:
            size = log.seek(0, os.SEEK_END)
            start = offset if offset <= size else 0  # the log was rotated since
            log.seek(max(start, size - max_bytes))
            text = log.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-max_lines:])


def log_line(log_path: Path, line: str) -> None:
    """Append one line of our own (stop, kill) to a service's log."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"--- {_stamp()} {line}\n".encode())


def _family(pid: int, create_time: float | None) -> list[psutil.Process]:
    """The leader (if it is still ours), its descendants and the rest of its process group."""
    family: dict[int, psutil.Process] = {}
    if is_alive(pid, create_time):
        try:
            leader = psutil.Process(pid)
            family[pid] = leader
            family.update({child.pid: child for child in leader.children(recursive=True)})
        except psutil.Error:
            pass
    if pid != os.getpgrp():  # never our own group: that would stop the fund itself
        family.update({member.pid: member for member in group_members(pid, born_after=create_time)})
    family.pop(os.getpid(), None)
    return list(family.values())


def _signal_all(pgid: int, processes: list[psutil.Process], sig: signal.Signals) -> None:
    if pgid != os.getpgrp():
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass
    # Descendants that left the group (setsid) are signalled one by one.
    for process in processes:
        try:
            process.send_signal(sig)
        except psutil.Error:
            pass


def _wait_gone(processes: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout_s
    alive = processes
    while True:
        reap_children()
        alive = [process for process in alive if _running(process)]
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


def _running(process: psutil.Process) -> bool:
    try:
        if process.status() == psutil.STATUS_ZOMBIE:
            _reap(process.pid)
            return False
        return process.is_running()
    except psutil.Error:
        return False


def _reap(pid: int) -> None:
    """Collect a zombie if it is our child (another parent reaps its own)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    with _children_lock:
        child = _children.get(pid)
    if child is not None:
        child.poll()


def _create_time(pid: int) -> float | None:
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _rotate(log_path: Path) -> None:
    try:
        if log_path.stat().st_size > LOG_MAX_BYTES:
            log_path.replace(log_path.with_name(log_path.name + ".1"))
    except FileNotFoundError:
        pass


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
