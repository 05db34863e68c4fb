"""The one set of rules for risk values, shared by the page, the API and Django admin."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from apps.strategies.models import RISK_FIELDS, VALUE_FIELDS

MAX_DECIMAL_PLACES = 8
MAX_VALUE = Decimal("1000000000000")  # no risk value is a trillion; anything bigger is a typo
MAX_REASON_LENGTH = 500
_DECIMAL_TEXT = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*")
_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no"}

FIELD_LABELS = {
    "enabled": "Enabled",
    "risk_per_trade": "Risk per trade",
    "stop_loss_dollars": "Stop loss",
    "max_drawdown_dollars": "Max drawdown",
}
RANGE_MESSAGES = {
    "risk_per_trade": "Risk per trade must be more than 0 and at most 100 (% of margin).",
    "stop_loss_dollars": "Stop loss must be more than $0.",
    "max_drawdown_dollars": "Max drawdown must be more than $0.",
}


def _decimal(value: Any) -> Decimal:
    """A finite Decimal from a decimal string, int or Decimal; ValueError otherwise (floats too: never money)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        number = Decimal(value.strip())
    else:
        raise ValueError
    if not number.is_finite():
        raise ValueError
    return number


def _risk_value_errors(field: str, raw: Any) -> tuple[Decimal | None, str | None]:
    """(value, None) when `raw` is acceptable for `field`, else (None, message)."""
    try:
        value = _decimal(raw)
    except (ValueError, InvalidOperation):
        return None, "Enter a number, e.g. 1.5."
    in_range = (0 < value <= 100) if field == "risk_per_trade" else value > 0
    if not in_range:
        return None, RANGE_MESSAGES[field]
    if value > MAX_VALUE:
        return None, "That number is too large."
    if -value.normalize().as_tuple().exponent > MAX_DECIMAL_PLACES:  # type: ignore[operator]
        return None, f"Use at most {MAX_DECIMAL_PLACES} decimal places."
    return value, None


def parse_enabled(raw: Any) -> bool:
    """A boolean from JSON true/false or a form's on/off; ValueError otherwise."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError


def risk_values_clean(data: Mapping[str, Any], *, required: Iterable[str] = ()) -> dict[str, Any]:
    """The given risk values, typed and checked; ValidationError with a message per bad or missing field.

    Fields left out (or blank) are not changed, unless they are `required`. Unknown fields are refused,
    so a typo never passes for "no change".
    """
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for field in data:
        if field not in VALUE_FIELDS:
            errors[field] = f"Unknown field; use {', '.join(VALUE_FIELDS)}."
    for field in VALUE_FIELDS:
        raw = data.get(field)
        if raw is None or raw == "":
            if field in required:
                errors[field] = "This field is required."
            continue
        if field == "enabled":
            try:
                clean[field] = parse_enabled(raw)
            except ValueError:
                errors[field] = "Must be true or false."
            continue
        value, message = _risk_value_errors(field, raw)
        if message:
            errors[field] = message
        else:
            clean[field] = value
    if errors:
        raise ValidationError(errors)
    return clean


def reason_clean(raw: Any) -> str:
    """A kill-switch reset reason: required, trimmed, bounded."""
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason:
        raise ValidationError({"reason": "Say why the kill switch is reset; the reason is recorded."})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {MAX_REASON_LENGTH} characters."})
    return reason


def version_clean(raw: Any, *, required: bool = False) -> int | None:
    """The version a form or request was based on; ValidationError if it is not a whole number."""
    if raw is None or raw == "":
        if required:
            raise ValidationError({"version": "This field is required."})
        return None
    if isinstance(raw, bool) or (isinstance(raw, Decimal) and raw != raw.to_integral_value()):
        raise ValidationError({"version": "Must be a whole number."})
    try:
        version = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({"version": "Must be a whole number."})
    if version < 1:
        raise ValidationError({"version": "Must be a whole number."})
    return version


__all__ = ["FIELD_LABELS", "RISK_FIELDS", "VALUE_FIELDS", "parse_enabled", "reason_clean", "risk_values_clean",
           "version_clean"]  # fmt: skip
