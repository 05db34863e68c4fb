"""Supervise the fund's processes in the foreground (what `make run` starts).

Each child runs in its own process group so that stopping it also stops its
children (Celery's pool, say); Ctrl-C or SIGTERM stops every group, politely
first (SIGTERM) and then for good (SIGKILL). A child that dies is restarted with
a growing delay, so one crash does not take the whole fund down.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

STOP_GRACE_S = 10.0
PR_SET_PDEATHSIG = 1
MAX_RESTART_DELAY_S = 30.0


@dataclass
class ChildSpec:
    """One supervised process: a name for the log prefix and its argument list."""

    name: str
    argv: list[str]


@dataclass
class Child:
    spec: ChildSpec
    process: subprocess.Popen | None = None
    restarts: int = 0
    next_start_at: float = 0.0
    pump: threading.Thread | None = field(default=None, repr=False)


class Supervisor:
    """Start children, restart the ones that die, stop them all on request."""

    def __init__(self, specs: list[ChildSpec], *, env: dict[str, str], cwd: Path, out=sys.stdout):
        self.children = [Child(spec) for spec in specs]
        self.env = env
        self.cwd = cwd
        self.out = out
        self.stopping = threading.Event()
        self._print_lock = threading.Lock()

    def log(self, name: str, line: str) -> None:
        with self._print_lock:
            self.out.write(f"[{name:>9}] {line.rstrip()}\n")
            self.out.flush()

    def start(self, child: Child) -> None:
        child.process = subprocess.Popen(
            child.spec.argv,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # own process group: we, not the terminal, decide when it stops
            preexec_fn=die_with_parent,
            text=True,
            bufsize=1,
        )
        child.pump = threading.Thread(target=self._pump, args=(child,), daemon=True)
        child.pump.start()
        self.log(child.spec.name, f"started (pid {child.process.pid})")

    def _pump(self, child: Child) -> None:
        assert child.process and child.process.stdout
        for line in child.process.stdout:
            self.log(child.spec.name, line)

    def run(self, *, poll_s: float = 0.5) -> int:
        """Start everything and supervise until stop() is called."""
        for child in self.children:
            self.start(child)
        while not self.stopping.wait(poll_s):
            for child in self.children:
                self._revive_if_dead(child)
        self.stop_all()
        return 0

    def _revive_if_dead(self, child: Child) -> None:
        code = child.process.poll() if child.process else None
        if code is None and child.process is not None:
            return
        now = time.monotonic()
        if child.next_start_at == 0.0:
            delay = min(2.0**child.restarts, MAX_RESTART_DELAY_S)
            child.next_start_at = now + delay
            self.log(child.spec.name, f"exited with {code}; restarting in {delay:.0f} s")
        elif now >= child.next_start_at:
            child.restarts += 1
            child.next_start_at = 0.0
            self.start(child)

    def stop(self, *_args) -> None:
        self.stopping.set()

    def stop_all(self) -> None:
        running = [c for c in self.children if c.process and c.process.poll() is None]
        for child in running:
            _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for child in running:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(child.spec.name, "did not stop in time; killing")
        for child in self.children:
            if child.process:
                # Also catches grandchildren left behind by a child that already exited.
                _signal_group(child.process.pid, signal.SIGKILL)
                child.process.wait()
                self.log(child.spec.name, "stopped")


def die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the supervisor dies, even by SIGKILL (Linux only)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: Ctrl-C and SIGTERM still stop everything; only a SIGKILLed runner could orphan


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass
