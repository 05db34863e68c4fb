"""The connector registry: one factory per Source kind, built from a Source or from plain arguments."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from apps.sources.choices import SourceKind
from apps.sources.connectors.base import DEFAULT_TIMEOUT_S, Connector, ConnectorConfig, ConnectorConfigError

if TYPE_CHECKING:
    from apps.sources.models import Source

ConnectorFactory = Callable[[ConnectorConfig], Connector]

# "module:attribute", imported on first use so that loading one kind never imports another's SDK.
_BUILTIN: dict[str, str] = {
    SourceKind.TRADER_SERVICE: "apps.sources.connectors.trader_service:TraderServiceConnector",
    SourceKind.HYPERLIQUID: "apps.sources.connectors.hyperliquid:HyperliquidConnector",
    SourceKind.LIGHTER: "apps.sources.connectors.lighter:LighterConnector",
    SourceKind.CCXT: "apps.sources.connectors.ccxt_exchange:CcxtConnector",
}
_registered: dict[str, ConnectorFactory] = {}
# Kinds whose base_url may be left blank: the connector then talks to the exchange's mainnet.
_DEFAULT_URL_KINDS = frozenset({SourceKind.HYPERLIQUID, SourceKind.LIGHTER, SourceKind.CCXT})


def register(kind: str, factory: ConnectorFactory) -> None:
    """Use `factory` for sources of `kind` (replaces a built-in; tests and plug-ins)."""
    _registered[str(kind)] = factory


def unregister(kind: str) -> None:
    """Forget a registered factory; the built-in one (if any) applies again."""
    _registered.pop(str(kind), None)


def factory_for(kind: str) -> ConnectorFactory:
    """The factory for a kind; ConnectorConfigError when none exists."""
    kind = str(kind)
    if kind in _registered:
        return _registered[kind]
    if kind not in _BUILTIN:
        raise ConnectorConfigError(f"no connector for source kind {kind!r}")
    module_name, attribute = _BUILTIN[kind].split(":")
    return getattr(importlib.import_module(module_name), attribute)


def parse_credentials(text: str | None) -> dict[str, Any]:
    """The decrypted credentials JSON as a dict; the message never repeats the secret text."""
    if not text or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise ConnectorConfigError("source credentials are not valid JSON")
    if not isinstance(value, dict):
        raise ConnectorConfigError("source credentials must be a JSON object")
    return value


def check_base_url(kind: str, base_url: str) -> None:
    """An http(s) URL, or blank where the kind has a mainnet default."""
    if not base_url and kind in _DEFAULT_URL_KINDS:
        return
    if not base_url.startswith(("http://", "https://")):
        raise ConnectorConfigError(f"{kind} source needs an http(s) base_url, got {base_url!r}")


def build_connector(
    *,
    kind: str,
    base_url: str = "",
    account_address: str = "",
    exchange_id: str = "",
    credentials: Mapping[str, Any] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Connector:
    """A connector from plain arguments (tests, scripts)."""
    kind = str(kind)
    factory = factory_for(kind)
    check_base_url(kind, base_url)
    config = ConnectorConfig(
        kind=kind,
        base_url=base_url,
        account_address=account_address.strip(),
        exchange_id=exchange_id.strip(),
        credentials=dict(credentials or {}),
        timeout_s=timeout_s,
    )
    return factory(config)


def connector_for(source: Source, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> Connector:
    """The connector for a Source row, from its kind, base_url, account_address, exchange_id and credentials."""
    return build_connector(
        kind=source.kind,
        base_url=source.base_url,
        account_address=source.account_address,
        exchange_id=source.exchange_id,
        credentials=parse_credentials(source.credentials),
        timeout_s=timeout_s,
    )
