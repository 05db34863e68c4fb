"""How a risk row is shown: its cells, badges and the trader's answer, shared by the page's templates."""

from __future__ import annotations

from http import HTTPStatus

from django.utils import timezone

from apps.strategies.choices import SyncState
from apps.strategies.models import RISK_FIELDS, RiskSetting
from apps.strategies.trader_client import decimal_text

NUMBER_CELLS = (
    ("risk_per_trade", "Risk per trade", "%"),
    ("stop_loss_dollars", "Stop loss", "$"),
    ("max_drawdown_dollars", "Max drawdown", "$"),
)
SYNC_BADGE = {
    SyncState.IN_SYNC: "badge-green",
    SyncState.PENDING: "badge-amber",
    SyncState.FAILED: "badge-red",
    SyncState.DRIFT: "badge-accent",
}
SYNC_HELP = {
    SyncState.IN_SYNC: "The trader holds exactly these values.",
    SyncState.PENDING: "Saved here; not yet confirmed by the trader. Retried automatically until it lands.",
    SyncState.FAILED: "The trader refused the change. Fix it and save again, or push ours.",
    SyncState.DRIFT: "The trader holds other values than ours. Take the trader's, or push ours.",
}
# The page's answer to a change, by the row's sync state afterwards (htmx swaps these, see risk.html).
RESULT_STATUS = {
    SyncState.IN_SYNC: HTTPStatus.OK,
    SyncState.DRIFT: HTTPStatus.OK,
    SyncState.PENDING: HTTPStatus.ACCEPTED,
    SyncState.FAILED: HTTPStatus.BAD_GATEWAY,
}
RESULT_LEVEL = {
    SyncState.IN_SYNC: "success",
    SyncState.DRIFT: "warning",
    SyncState.PENDING: "warning",
    SyncState.FAILED: "error",
}


def _next_try(row: RiskSetting):
    """When a pending push is tried next, if that is still ahead (past it, the next sync or retry picks it up)."""
    upcoming = row.sync_state == SyncState.PENDING and row.next_retry_at and row.next_retry_at > timezone.now()
    return row.next_retry_at if upcoming else None


def sync_note(row: RiskSetting) -> str:
    """The short line under the sync badge; the full story is in last_error (tooltip, API, admin)."""
    if row.sync_state == SyncState.DRIFT:
        labels = [label.lower() for name, label, _ in NUMBER_CELLS if name in row.differences]
        labels += ["enabled"] if "enabled" in row.differences else []
        return f"Differs at the trader: {', '.join(labels)}." if labels else row.last_error
    return "" if row.sync_state == SyncState.IN_SYNC else row.last_error


def row_context(row: RiskSetting, *, values: dict | None = None, errors: dict | None = None, flash: str = "",
                flash_level: str = "info", oob: bool = False) -> dict:  # fmt: skip
    """Everything _row.html shows for one row; `values` are typed values to show again after an error."""
    errors = errors or {}
    differences = row.differences
    cells = []
    for name, label, unit in NUMBER_CELLS:
        typed = values.get(name) if values and name in values else None
        trader = differences[name][1] if name in differences else None
        cells.append({
            "name": name, "label": label, "unit": unit,
            "value": typed if typed is not None else decimal_text(getattr(row, name)),
            "errors": errors.get(name, []), "trader": decimal_text(trader) if trader is not None else None,
        })  # fmt: skip
    general = [message for key, found in errors.items() if key not in RISK_FIELDS for message in found]
    return {
        "row": row, "cells": cells, "is_present": row.strategy.is_present,
        "enabled_differs": "enabled" in differences, "sync_badge": SYNC_BADGE[row.sync_state],
        "sync_help": SYNC_HELP[row.sync_state], "flash": flash, "flash_level": flash_level,
        "general_errors": general, "oob": oob, "has_errors": bool(errors), "sync_note": sync_note(row),
        "next_try": _next_try(row),
        "can_resolve": row.sync_state in (SyncState.DRIFT, SyncState.FAILED) and row.strategy.is_present,
        "can_take_trader": row.sync_state in (SyncState.DRIFT, SyncState.FAILED) and row.reported is not None
        and row.strategy.is_present,
    }  # fmt: skip


def typed_values_text(data) -> str:
    """The values a stale form carried, so the admin can apply them again after looking."""
    typed = [f"{label.lower()} {data[name]}" for name, label, _ in NUMBER_CELLS if data.get(name)]
    return f"Your values were: {', '.join(typed)}." if typed else ""
