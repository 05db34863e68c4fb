"""The simulator's pure-Python engine (no Django): market, traders, exchange ledger, UCB."""

from apps.simulator.engine.catalog import DEFAULT_TRADERS, HYPERLIQUID, LIGHTER, TraderConfig
from apps.simulator.engine.market import Market, SymbolSpec
from apps.simulator.engine.records import Event, Order, Position, RiskSettings, StrategySpec, Trade
from apps.simulator.engine.simulation import SIM_EPOCH, Simulation
from apps.simulator.engine.sizing import LEVERAGE, position_size
from apps.simulator.engine.trader import InvalidSettingError, TraderEngine, UnknownStrategyError

__all__ = [
    "DEFAULT_TRADERS",
    "HYPERLIQUID",
    "LEVERAGE",
    "LIGHTER",
    "SIM_EPOCH",
    "Event",
    "InvalidSettingError",
    "Market",
    "Order",
    "Position",
    "RiskSettings",
    "Simulation",
    "StrategySpec",
    "SymbolSpec",
    "Trade",
    "TraderConfig",
    "TraderEngine",
    "UnknownStrategyError",
    "position_size",
]
