"""Connectors: one per source kind behind one small interface returning normalized records.

Use: `connector = connector_for(source)` (or `build_connector(kind=..., base_url=...)`), then
`connector.fetch_book(trades_since=...)` -> BookSnapshot, and `connector.close()` when done. Every failure
is a ConnectorError whose `retryable` says whether trying again later can help.
"""

from apps.sources.connectors.base import (
    DEFAULT_TIMEOUT_S,
    NO_STRATEGY,
    AccountData,
    BadAnswer,
    BookSnapshot,
    Connector,
    ConnectorConfig,
    ConnectorConfigError,
    ConnectorError,
    OrderData,
    PositionData,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    SourceUnreachable,
    TradeData,
)
from apps.sources.connectors.registry import build_connector, connector_for, register, unregister

__all__ = [
    "DEFAULT_TIMEOUT_S",
    "NO_STRATEGY",
    "AccountData",
    "BadAnswer",
    "BookSnapshot",
    "Connector",
    "ConnectorConfig",
    "ConnectorConfigError",
    "ConnectorError",
    "OrderData",
    "PositionData",
    "SourceRejected",
    "SourceTimeout",
    "SourceUnavailable",
    "SourceUnreachable",
    "TradeData",
    "build_connector",
    "connector_for",
    "register",
    "unregister",
]
