"""Fixtures of the strategies tests: a trader source on the simulator, synced, and ways to look at the peer."""

import dataclasses
from decimal import Decimal

import httpx
import pytest

from apps.sources.tests.factories import SourceFactory
from apps.strategies.models import RiskSetting
from apps.strategies.services import risk_settings_sync

HL = "hyperliquid"
HL_STRATEGIES = [("breakout", "SOL"), ("ema_cross", "BTC"), ("ema_cross", "ETH"), ("momentum", "BTC"),
                 ("rsi_revert", "ETH")]  # fmt: skip


@pytest.fixture
def hl_source(db, simulator):
    """The simulated Hyperliquid trader registered as a source (not read yet)."""
    return SourceFactory(name="hl-trader", base_url=simulator.hyperliquid_url)


@pytest.fixture
def synced(hl_source):
    """The Hyperliquid trader's strategies read into our tables."""
    outcome = risk_settings_sync(source=hl_source)
    assert outcome.ok, outcome.detail
    return hl_source


@pytest.fixture
def http():
    with httpx.Client(timeout=2.0) as client:
        yield client


def risk_row(strategy_id: str = "ema_cross", symbol: str = "BTC", source: str = "hl-trader") -> RiskSetting:
    return RiskSetting.objects.select_related("strategy__source").get(
        strategy__source__name=source, strategy__strategy_id=strategy_id, strategy__symbol=symbol
    )


def at_trader(simulator, strategy_id: str = "ema_cross", symbol: str = "BTC", trader: str = HL) -> dict:
    """The simulated trader's own settings of one strategy (read on its loop thread)."""
    engine = simulator.trader(trader)
    return simulator.call(lambda: dataclasses.asdict(engine.settings((strategy_id, symbol))))


def set_at_trader(simulator, strategy_id: str = "ema_cross", symbol: str = "BTC", **values: str) -> None:
    """Change a value at the trader behind our back, through its own API."""
    url = f"{simulator.hyperliquid_url}/api/strategies/{strategy_id}/{symbol}/settings"
    response = httpx.put(url, json=values, timeout=2.0)
    assert response.status_code == 200, response.text


def trader_down(simulator, down: bool = True) -> None:
    """Make the Hyperliquid trader answer 503 "engine not ready" (or recover)."""
    simulator.faults("hyperliquid_trader").ready = not down


def D(text: str) -> Decimal:  # noqa: N802  (reads like a literal)
    return Decimal(text)


def step_until(simulator, condition, limit: int = 1000) -> None:
    """Step the simulation until `condition()` holds."""
    for _ in range(limit):
        if condition():
            return
        simulator.step()
    raise AssertionError("condition never held")
