"""Client of a trader's risk endpoints (shared/contracts/trader-api.md): read, bulk update, enable, reset."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from apps.sources.connectors.base import (
    DEFAULT_TIMEOUT_S,
    BadAnswer,
    ConnectorError,
    SourceTimeout,
    SourceUnreachable,
)
from apps.sources.connectors.http import parse_json_body, raise_for_status
from apps.sources.connectors.parsing import as_dict, as_list, bool_at, required
from apps.sources.connectors.registry import parse_credentials
from apps.sources.connectors.trader_service import (
    RiskSetting,
    RiskSettings,
    auth_headers,
    listed,
    parse_risk_setting,
    parse_strategy_info,
)
from apps.sources.models import Source

# Our field names -> the trader's (the contract calls the drawdown threshold max_strategy_loss).
TRADER_FIELD = {
    "risk_per_trade": "risk_per_trade",
    "stop_loss_dollars": "stop_loss_dollars",
    "max_drawdown_dollars": "max_strategy_loss",
}


def decimal_text(value: Decimal) -> str:
    """A Decimal as a plain decimal string without trailing zeros ("1.5", "100"), as the contract wants."""
    normalized = value.normalize()
    return format(normalized, "f") if normalized != 0 else "0"


def failure_reason(error: ConnectorError) -> str:
    """What went wrong with a trader call, in words that finish "the trader ..."."""
    if isinstance(error, SourceTimeout):
        return f"did not answer within {DEFAULT_TIMEOUT_S:g} s"
    if isinstance(error, SourceUnreachable):
        return "cannot be reached"
    answered = re.search(r"HTTP (\d{3}): (.*)$", error.message)
    if answered:
        return f"answered HTTP {answered[1]} ({answered[2]})"
    return f"gave an unusable answer ({error.message})"


@dataclass(frozen=True, slots=True)
class BulkItemResult:
    """The trader's answer for one item of a bulk update."""

    strategy_id: str | None
    symbol: str | None
    success: bool
    error: str


class TraderRiskClient:
    """Reads and changes one trader's risk settings with httpx; every call bounded by the timeout."""

    def __init__(self, source: Source, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.name = f"trader {source.name}"
        self.timeout_s = timeout_s
        headers = auth_headers(parse_credentials(source.credentials))
        self._client = httpx.Client(
            base_url=source.base_url.rstrip("/"), timeout=httpx.Timeout(timeout_s), headers=headers
        )

    def __enter__(self) -> TraderRiskClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()

    def risk_settings(self) -> RiskSettings:
        """GET /api/risk/settings."""
        where = "/api/risk/settings"
        body = self._call("GET", where)
        settings = listed(body, "settings", where=where)
        strategies = listed(body, "strategies", where=where)
        return RiskSettings(
            settings=tuple(parse_risk_setting(item, where=f"{where}.settings[{i}]") for i, item in enumerate(settings)),
            strategies=tuple(
                parse_strategy_info(item, where=f"{where}.strategies[{i}]") for i, item in enumerate(strategies)
            ),
        )

    def bulk_update(self, items: list[dict[str, Any]]) -> list[BulkItemResult]:
        """PUT /api/risk/settings/bulk with our values; the trader's per-item results, in order."""
        body = [
            {"strategy_id": item["strategy_id"], "symbol": item["symbol"],
             **{TRADER_FIELD[f]: decimal_text(item[f]) for f in TRADER_FIELD if item.get(f) is not None}}
            for item in items
        ]  # fmt: skip
        where = "/api/risk/settings/bulk"
        results = listed(self._call("PUT", where, json=body), "results", where=where)
        if len(results) != len(body):
            raise BadAnswer(f"{self.name} {where}: {len(results)} results for {len(body)} items")
        return [self._bulk_result(item, where=f"{where}.results[{i}]") for i, item in enumerate(results)]

    @staticmethod
    def _bulk_result(item: Any, *, where: str) -> BulkItemResult:
        item = as_dict(item, where=where)
        success = bool_at(item, "success", where=where)
        return BulkItemResult(
            strategy_id=item.get("strategy_id"),
            symbol=item.get("symbol"),
            success=success,
            error="" if success else str(item.get("error") or "refused without a reason"),
        )

    def set_enabled(self, strategy_id: str, symbol: str, enabled: bool) -> RiskSetting:
        """POST .../enable or .../disable; the settings the trader answers with."""
        return self._strategy_action(strategy_id, symbol, "enable" if enabled else "disable")

    def reset_kill_switch(self, strategy_id: str, symbol: str) -> RiskSetting:
        """POST .../reset-kill-switch; the settings the trader answers with."""
        return self._strategy_action(strategy_id, symbol, "reset-kill-switch")

    def _strategy_action(self, strategy_id: str, symbol: str, action: str) -> RiskSetting:
        path = f"/api/strategies/{quote(strategy_id, safe='')}/{quote(symbol, safe='')}/{action}"
        body = as_dict(self._call("POST", path), where=path)
        return parse_risk_setting(required(body, "settings", where=path), where=f"{path}.settings")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of one request; a ConnectorError that says whether a retry can help."""
        where = f"{self.name} {method} {path}"
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise SourceTimeout(f"{where}: no answer within {self.timeout_s} s")
        except httpx.TransportError as exc:
            raise SourceUnreachable(f"{where}: cannot connect: {exc or type(exc).__name__}")
        raise_for_status(response.status_code, response.content, where=where)
        return parse_json_body(response.content, content_type=response.headers.get("content-type", ""), where=where)


__all__ = ["BulkItemResult", "RiskSetting", "RiskSettings", "TraderRiskClient", "as_list", "decimal_text"]
