"""Run the whole simulator in-process on free ports, for this app's and other apps' tests.

    with running_simulator(seed=7, speed=900) as sim:
        sim.step(100)                       # deterministic: nothing moves unless you step
        httpx.get(sim.hyperliquid_url + "/api/positions")
        Info(base_url=sim.fake_hyperliquid_url, skip_ws=True).user_state(sim.fake_hl_address)

Or, in any conftest.py: `from apps.simulator.testing import simulator  # noqa: F401`
and take the `simulator` fixture (seed 7, 15 simulated minutes per step).

All engine work runs on the simulator's own loop thread; step and read through
`step()` and `call()` so a request never sees a half-made step.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from apps.simulator.constants import (
    FAKE_HL_MASTER_ADDRESS,
    SERVER_FAKE_HYPERLIQUID,
    SERVER_HYPERLIQUID_TRADER,
    SERVER_LIGHTER_TRADER,
    SERVER_UCB,
)
from apps.simulator.engine.simulation import Simulation
from apps.simulator.engine.trader import TraderEngine
from apps.simulator.web.common import ServiceFaults
from apps.simulator.web.runner import SimulatorServers

T = TypeVar("T")
START_TIMEOUT = 10.0
FIXTURE_SEED = 7
FIXTURE_STEP_SECONDS = 900.0  # 15 simulated minutes a step: trades happen within a few dozen steps


@dataclass
class RunningSimulator:
    """Handle on a simulator running in a background thread."""

    simulation: Simulation
    servers: SimulatorServers
    loop: asyncio.AbstractEventLoop
    fake_hl_address: str = FAKE_HL_MASTER_ADDRESS

    @property
    def urls(self) -> dict[str, str]:
        """Base URL per server name (constants.SERVER_NAMES)."""
        return dict(self.servers.urls)

    @property
    def hyperliquid_url(self) -> str:
        """Base URL of the simulated Hyperliquid trader (9002 in the demo)."""
        return self.servers.urls[SERVER_HYPERLIQUID_TRADER]

    @property
    def lighter_url(self) -> str:
        """Base URL of the simulated Lighter trader (9102 in the demo)."""
        return self.servers.urls[SERVER_LIGHTER_TRADER]

    @property
    def ucb_url(self) -> str:
        """Base URL of the simulated UCB service (9001 in the demo)."""
        return self.servers.urls[SERVER_UCB]

    @property
    def fake_hyperliquid_url(self) -> str:
        """Base URL of the fake Hyperliquid API (9003 in the demo); pass it as Info(base_url=...)."""
        return self.servers.urls[SERVER_FAKE_HYPERLIQUID]

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` on the simulator's loop thread and return its result."""

        async def run() -> T:
            return fn(*args, **kwargs)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=60)

    def step(self, count: int = 1, *, seconds: float | None = None) -> None:
        """Advance the simulation `count` steps (events reach WebSocket clients)."""
        self.call(self.simulation.step, count, seconds=seconds)

    def trader(self, name: str) -> TraderEngine:
        """The engine of a trader ("hyperliquid" or "lighter"); change it only through call()."""
        return self.simulation.trader(name)

    def faults(self, server: str) -> ServiceFaults:
        """The fault knobs of a server: `.ready = False` (503, or 429 on the fake HL), `.delay_seconds`."""
        return self.servers.faults[server]


@contextmanager
def running_simulator(
    *,
    seed: int = 0,
    speed: float = 60.0,
    tick: float = 1.0,
    start: datetime | None = None,
    auto_step: bool = False,
    host: str = "127.0.0.1",
) -> Iterator[RunningSimulator]:
    """Serve every simulated service on free ports until the block ends.

    Each step advances speed * tick simulated seconds. With auto_step the
    simulation steps every `tick` wall seconds; otherwise only sim.step() moves it.
    `start` defaults to now (UTC, whole seconds).
    """
    start = start or datetime.now(UTC).replace(microsecond=0)
    simulation = Simulation(seed=seed, start=start, step_seconds=speed * tick)
    servers = SimulatorServers(simulation, host=host)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="simulator-loop", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(_start(servers, auto_step, tick), loop).result(timeout=START_TIMEOUT)
        yield RunningSimulator(simulation=simulation, servers=servers, loop=loop)
    finally:
        asyncio.run_coroutine_threadsafe(servers.stop(), loop).result(timeout=START_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=START_TIMEOUT)
        loop.close()


async def _start(servers: SimulatorServers, auto_step: bool, tick: float) -> None:
    """Start the servers (and the ticker) on the loop thread."""
    await servers.start()
    if auto_step:
        servers.start_ticker(tick)


@pytest.fixture
def simulator() -> Iterator[RunningSimulator]:
    """A simulator on free ports (seed 7) that moves only when the test calls simulator.step()."""
    with running_simulator(seed=FIXTURE_SEED, speed=FIXTURE_STEP_SECONDS) as sim:
        yield sim
