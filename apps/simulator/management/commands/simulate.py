"""python manage.py simulate: the simulated traders, UCB and fake Hyperliquid in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.simulator.constants import (
    SERVER_FAKE_HYPERLIQUID,
    SERVER_HYPERLIQUID_TRADER,
    SERVER_LIGHTER_TRADER,
    SERVER_NAMES,
    SERVER_UCB,
)
from apps.simulator.engine.simulation import Simulation
from apps.simulator.web.runner import SimulatorServers

HISTORY_STEP_SECONDS = 60.0  # pre-simulated history uses one-minute steps


class Command(BaseCommand):
    help = "Serve the simulated trader services (Hyperliquid, Lighter), UCB and a fake Hyperliquid API."
    # The simulator needs no database and must start even while other apps are mid-change.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        ports = settings.SIMULATOR_PORTS
        parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same run)")
        parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall second")
        parser.add_argument("--host", default=settings.SIMULATOR_HOST)
        parser.add_argument("--hl-port", type=int, default=ports[SERVER_HYPERLIQUID_TRADER])
        parser.add_argument("--lighter-port", type=int, default=ports[SERVER_LIGHTER_TRADER])
        parser.add_argument("--ucb-port", type=int, default=ports[SERVER_UCB])
        parser.add_argument("--fake-hl-port", type=int, default=ports[SERVER_FAKE_HYPERLIQUID])
        parser.add_argument("--tick", type=float, default=1.0, help="wall seconds between steps")
        parser.add_argument(
            "--only",
            type=_server_names,
            default=SERVER_NAMES,
            metavar="NAME[,NAME...]",
            help=f"serve only these servers (comma-separated: {', '.join(SERVER_NAMES)}); default all. "
            "The fake Hyperliquid API mirrors the Hyperliquid trader, so serve them together.",
        )
        parser.add_argument(
            "--history-hours",
            type=float,
            default=24.0,
            help="hours simulated before now at start, so trades and equity history exist at once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["speed"] <= 0 or options["tick"] <= 0 or options["history_hours"] < 0:
            raise CommandError("--speed and --tick must be > 0 and --history-hours >= 0")
        simulation = _warmed_up_simulation(options)
        ports = {
            SERVER_HYPERLIQUID_TRADER: options["hl_port"],
            SERVER_LIGHTER_TRADER: options["lighter_port"],
            SERVER_UCB: options["ucb_port"],
            SERVER_FAKE_HYPERLIQUID: options["fake_hl_port"],
        }
        servers = _SubsetServers(simulation, host=options["host"], ports=ports, names=options["only"])
        try:
            asyncio.run(self._serve(servers, options["tick"]))
        except OSError as error:
            raise CommandError(f"simulator could not start: {error}")

    async def _serve(self, servers: SimulatorServers, tick: float) -> None:
        """Serve until SIGTERM or SIGINT, then close every socket."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            await servers.start()
            for name, url in servers.urls.items():
                self._say(f"simulator {name} listening on {url}")
            servers.start_ticker(tick)
            await stop.wait()
            self._say("simulator stopping")
        finally:
            await servers.stop()
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        self._say("simulator stopped")

    def _say(self, line: str) -> None:
        """One log line, flushed so a supervising process sees it at once."""
        self.stdout.write(line)
        self.stdout.flush()


def _server_names(value: str) -> tuple[str, ...]:
    """The --only list: known server names, in the simulator's own order."""
    names = {name.strip() for name in value.split(",") if name.strip()}
    unknown = names - set(SERVER_NAMES)
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SERVER_NAMES)} (got {value!r})")
    return tuple(name for name in SERVER_NAMES if name in names)


class _SubsetServers(SimulatorServers):
    """SimulatorServers serving only some of the servers, so each can run as its own managed process."""

    def __init__(self, *args: Any, names: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.names = names

    async def start(self) -> None:
        """Bind and serve the chosen servers; on any failure nothing stays open."""
        try:
            for name in self.names:
                await self._serve(name)
        except BaseException:
            await self.stop()
            raise


def _warmed_up_simulation(options: dict[str, Any]) -> Simulation:
    """A simulation that started --history-hours ago and has caught up with now."""
    history = timedelta(hours=options["history_hours"])
    start = datetime.now(UTC).replace(microsecond=0) - history
    simulation = Simulation(seed=options["seed"], start=start, step_seconds=options["speed"] * options["tick"])
    steps = int(history.total_seconds() // HISTORY_STEP_SECONDS)
    simulation.step(steps, seconds=HISTORY_STEP_SECONDS)
    return simulation
