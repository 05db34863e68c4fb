"""Connector for an exchange account through a real ccxt exchange class, read-only, values from `info` strings."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar

import ccxt

from apps.sources.connectors.base import (
    BadAnswer,
    BookSnapshot,
    ConnectorConfig,
    ConnectorConfigError,
    ConnectorError,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    SourceUnreachable,
)
from apps.sources.connectors.parsing import snippet

T = TypeVar("T")
READ_ONLY_KEYS = frozenset({"apiKey", "secret", "password", "uid"})
# With a private key ccxt.hyperliquid signs /exchange actions; a read-only connector never holds one.
SIGNING_KEYS = frozenset({"privateKey"})
NON_NUMBERS = frozenset({"NaN", "-NaN", "nan", "Infinity", "-Infinity", "+Infinity", "inf", "-inf"})
BUSY_ERRORS = (ccxt.ExchangeNotAvailable, ccxt.DDoSProtection, ccxt.RateLimitExceeded)


class InfoMapper(Protocol):
    """Reads one exchange's book through ccxt calls, converting the raw `info` strings."""

    def fetch_book(self, exchange: ccxt.Exchange, *, trades_since: datetime | None) -> BookSnapshot: ...


def _hyperliquid_mapper(config: ConnectorConfig) -> InfoMapper:
    """The hyperliquid mapper, imported on first use."""
    from apps.sources.connectors.ccxt_hyperliquid import HyperliquidInfoMapper

    return HyperliquidInfoMapper(config)


# The unified fields are floats, so every exchange needs its own reading of `info`.
INFO_MAPPERS: dict[str, Callable[[ConnectorConfig], InfoMapper]] = {"hyperliquid": _hyperliquid_mapper}


def exchange_options(config: ConnectorConfig) -> dict[str, Any]:
    """ccxt constructor options: the timeout (ms) and the read-only keys from credentials."""
    # ccxt's throttle sleeps before calls (hyperliquid: 1 s each), outside any timeout; the poll interval paces us.
    options: dict[str, Any] = {"timeout": max(1, int(config.timeout_s * 1000)), "enableRateLimit": False}
    for key, value in config.credentials.items():
        if key in SIGNING_KEYS:
            raise ConnectorConfigError(f"ccxt source credentials hold {key!r}: only read-only keys are accepted")
        if key not in READ_ONLY_KEYS:
            raise ConnectorConfigError(f"ccxt source credentials: unknown key {key!r} (use {sorted(READ_ONLY_KEYS)})")
        options[key] = value
    if config.account_address:
        options["walletAddress"] = config.account_address
    return options


def api_urls(current: Any, base_url: str) -> Any:
    """The exchange's `urls["api"]` with every entry pointed at base_url (hyperliquid: public and private)."""
    if isinstance(current, Mapping):
        return {key: api_urls(value, base_url) for key, value in current.items()}
    return base_url


def is_json_text(text: str) -> bool:
    """Whether a body ccxt left as text is nonetheless JSON (hyperliquid's userAbstraction is a JSON string)."""
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def non_number_at(value: Any, path: str = "") -> str | None:
    """Where the first NaN/Infinity (string or float) sits inside a decoded answer, if anywhere."""
    if (isinstance(value, float) and not math.isfinite(value)) or (isinstance(value, str) and value in NON_NUMBERS):
        return f"{value!r} at {path or '(top)'}"
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in children:
        found = non_number_at(child, f"{path}.{key}" if path else str(key))
        if found:
            return found
    return None


def guard_json(exchange: ccxt.Exchange) -> None:
    """Check every answer before ccxt parses it: ccxt passes HTML or truncated JSON on as text, and chokes on NaN."""
    original = exchange.fetch

    def fetch(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        answer = original(url, method, headers, body)
        where = f"ccxt {exchange.id} {method} {url}"
        if isinstance(answer, str) and not is_json_text(answer):
            raise BadAnswer(f"{where}: answer is not JSON: {snippet(answer)!r}")
        found = non_number_at(answer)
        if found:
            raise BadAnswer(f"{where}: answer holds the non-number {found}")
        return answer

    exchange.fetch = fetch


def build_exchange(config: ConnectorConfig) -> ccxt.Exchange:
    """A ccxt exchange instance for config.exchange_id, read-only, bounded by the timeout, aimed at base_url."""
    exchange_class = getattr(ccxt, config.exchange_id, None) if config.exchange_id in ccxt.exchanges else None
    if exchange_class is None:
        raise ConnectorConfigError(f"ccxt has no exchange {config.exchange_id!r}")
    exchange = exchange_class(exchange_options(config))
    if config.base_url:
        exchange.urls["api"] = api_urls(exchange.urls["api"], config.base_url.rstrip("/"))
    guard_json(exchange)
    return exchange


def translate(where: str, exc: Exception) -> ConnectorError:
    """A ccxt (or parsing) failure as a ConnectorError saying whether a retry can help."""
    message = f"{where}: {type(exc).__name__}: {exc}"
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, ccxt.RequestTimeout):
        return SourceTimeout(message)
    if isinstance(exc, BUSY_ERRORS):
        return SourceUnavailable(message)
    if isinstance(exc, ccxt.NetworkError):
        return SourceUnreachable(message)
    if isinstance(exc, ccxt.BadResponse):
        return BadAnswer(message)
    if isinstance(exc, ccxt.BaseError):
        return SourceRejected(message)
    return BadAnswer(f"{where}: ccxt could not read the answer: {type(exc).__name__}: {exc}")


def call(where: str, method: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one ccxt call, every failure translated to a ConnectorError."""
    try:
        return method(*args, **kwargs)
    except Exception as exc:  # ccxt parsers raise anything from TypeError to KeyError on odd answers
        raise translate(where, exc) from exc


class CcxtConnector:
    """Reads an exchange account with a real ccxt class; values come from `info` via a per-exchange mapper."""

    def __init__(self, config: ConnectorConfig) -> None:
        if config.exchange_id not in INFO_MAPPERS:
            raise ConnectorConfigError(
                f"no info mapping for ccxt exchange {config.exchange_id!r} (have {sorted(INFO_MAPPERS)})"
            )
        self.config = config
        self.mapper = INFO_MAPPERS[config.exchange_id](config)
        self.exchange = build_exchange(config)

    def fetch_book(self, *, trades_since: datetime | None) -> BookSnapshot:
        """Balance, positions, open orders and closed trades through ccxt."""
        return self.mapper.fetch_book(self.exchange, trades_since=trades_since)

    def close(self) -> None:
        """Release ccxt's HTTP session."""
        session = getattr(self.exchange, "session", None)
        if session is not None:
            session.close()
