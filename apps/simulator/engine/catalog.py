"""The simulated traders: their capital, fees and strategies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.simulator.constants import HYPERLIQUID_TRADER, LIGHTER_TRADER
from apps.simulator.engine.records import RiskSettings, StrategySpec


@dataclass(frozen=True)
class StrategyDefaults:
    """Risk settings every strategy of a trader starts with."""

    enabled: bool
    risk_per_trade: Decimal
    stop_loss_dollars: Decimal
    max_strategy_loss: Decimal

    def settings(self) -> RiskSettings:
        """Fresh settings from these defaults."""
        return RiskSettings(
            enabled=self.enabled,
            risk_per_trade=self.risk_per_trade,
            stop_loss_dollars=self.stop_loss_dollars,
            max_strategy_loss=self.max_strategy_loss,
        )


@dataclass(frozen=True)
class TraderConfig:
    """One simulated trader service."""

    name: str  # the exchange it reports in /api/status
    starting_capital: Decimal
    fee_rate: Decimal  # taker fee per fill, as a fraction of notional
    strategies: tuple[StrategySpec, ...]
    defaults: StrategyDefaults
    first_order_id: int


HYPERLIQUID = TraderConfig(
    name=HYPERLIQUID_TRADER,
    starting_capital=Decimal("50000"),
    fee_rate=Decimal("0.00045"),
    strategies=(
        StrategySpec("ema_cross", "BTC", "EMA cross 4h", "4h"),
        StrategySpec("momentum", "BTC", "Momentum 1h", "1h"),
        StrategySpec("ema_cross", "ETH", "EMA cross 4h", "4h"),
        StrategySpec("rsi_revert", "ETH", "RSI mean reversion 1h", "1h"),
        StrategySpec("breakout", "SOL", "Donchian breakout 15m", "15m"),
    ),
    defaults=StrategyDefaults(True, Decimal("2"), Decimal("100"), Decimal("1500")),
    first_order_id=9001,
)

LIGHTER = TraderConfig(
    name=LIGHTER_TRADER,
    starting_capital=Decimal("25000"),
    fee_rate=Decimal("0.0002"),
    strategies=(
        StrategySpec("ema_cross", "BTC", "EMA cross 4h", "4h"),
        StrategySpec("vwap_revert", "ETH", "VWAP reversion 1h", "1h"),
        StrategySpec("ppo_agent", "ETH", "PPO agent 1h", "1h"),
        StrategySpec("breakout", "DOGE", "Donchian breakout 15m", "15m"),
    ),
    defaults=StrategyDefaults(True, Decimal("2"), Decimal("60"), Decimal("800")),
    first_order_id=500001,
)

DEFAULT_TRADERS = (HYPERLIQUID, LIGHTER)
