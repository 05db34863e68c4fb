"""Runs the four simulated services (two traders, UCB, fake Hyperliquid) on one asyncio loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Mapping

from aiohttp import web

from apps.simulator.constants import (
    HYPERLIQUID_TRADER,
    LIGHTER_TRADER,
    SERVER_FAKE_HYPERLIQUID,
    SERVER_HYPERLIQUID_TRADER,
    SERVER_LIGHTER_TRADER,
    SERVER_NAMES,
    SERVER_UCB,
)
from apps.simulator.engine.simulation import Simulation
from apps.simulator.web.common import ServiceFaults
from apps.simulator.web.fake_hl_app import build_fake_hyperliquid_app
from apps.simulator.web.trader_app import build_trader_app
from apps.simulator.web.ucb_app import build_ucb_app

logger = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 2.0  # seconds open connections get to finish when the simulator stops


class SimulatorServers:
    """The simulated services bound to host:port each (port 0 picks a free port)."""

    def __init__(self, simulation: Simulation, *, host: str = "127.0.0.1", ports: Mapping[str, int] | None = None):
        self.simulation = simulation
        self.host = host
        self.ports = {name: 0 for name in SERVER_NAMES} | dict(ports or {})
        self.faults = {name: ServiceFaults() for name in SERVER_NAMES}
        self.urls: dict[str, str] = {}
        self._runners: list[web.AppRunner] = []
        self._ticker: asyncio.Task[None] | None = None

    def _build(self, name: str) -> web.Application:
        """The aiohttp app of one server."""
        faults = self.faults[name]
        if name == SERVER_HYPERLIQUID_TRADER:
            return build_trader_app(self.simulation, HYPERLIQUID_TRADER, faults)
        if name == SERVER_LIGHTER_TRADER:
            return build_trader_app(self.simulation, LIGHTER_TRADER, faults)
        if name == SERVER_UCB:
            return build_ucb_app(self.simulation, faults)
        if name == SERVER_FAKE_HYPERLIQUID:
            return build_fake_hyperliquid_app(self.simulation, faults)
        raise ValueError(f"unknown simulator server {name}")

    async def start(self) -> None:
        """Bind and serve every server; on any failure nothing stays open."""
        try:
            for name in SERVER_NAMES:
                await self._serve(name)
        except BaseException:
            await self.stop()
            raise

    async def _serve(self, name: str) -> None:
        """Serve one app on its own listening socket."""
        runner = web.AppRunner(self._build(name), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        self._runners.append(runner)
        sock = _listen(self.host, self.ports[name])
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            raise
        self.urls[name] = _url(self.host, sock.getsockname()[1])

    def start_ticker(self, tick: float) -> None:
        """Step the simulation every `tick` wall seconds until stopped."""
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever(tick))

    async def _tick_forever(self, tick: float) -> None:
        """Fixed-rate stepping; a late loop catches up by one step, never in a burst."""
        loop = asyncio.get_running_loop()
        next_at = loop.time()
        while True:
            next_at = max(next_at + tick, loop.time())
            await asyncio.sleep(next_at - loop.time())
            try:
                self.simulation.step()
            except Exception:
                logger.exception("simulation step failed")

    async def stop(self) -> None:
        """Stop ticking, close sockets and connections."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket; binding ourselves lets port 0 report the port it got."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _url(host: str, port: int) -> str:
    """Base URL of a server."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
