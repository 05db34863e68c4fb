"""Strict readers for wire values: exact decimals, zoned timestamps, explicit Unix units, required fields."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from apps.sources.connectors.base import BadAnswer

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MISSING = object()
_SNIPPET = 80
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def snippet(text: str | bytes) -> str:
    """The start of a body, for error messages."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…"


def _reject_constant(name: str) -> Any:
    """json.loads hook for NaN/Infinity literals."""
    raise BadAnswer(f"JSON holds {name}, which is not a number")


def loads(body: str | bytes, *, where: str) -> Any:
    """JSON with every number as int or Decimal (never float); NaN/Infinity literals are refused."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_reject_constant)
    except BadAnswer as exc:
        raise BadAnswer(f"{where}: {exc.message}")
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "empty body" if not body.strip() else f"malformed JSON ({exc})"
        raise BadAnswer(f"{where}: {kind}: {snippet(body)!r}")


def to_decimal(value: Any, *, field: str) -> Decimal:
    """A finite Decimal from a decimal string, int or Decimal; rejects empty, NaN, Infinity, bool, float."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        raise BadAnswer(f"{field}: {value!r} is not a decimal string or exact number")
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        number = Decimal(value)
    elif isinstance(value, str):
        raise BadAnswer(f"{field}: {value!r} is not a finite decimal number")
    else:
        raise BadAnswer(f"{field}: {value!r} is not a decimal string")
    if not number.is_finite():
        raise BadAnswer(f"{field}: {value!r} is not a finite number")
    return number


def to_int(value: Any, *, field: str) -> int:
    """An int from a JSON integer (or an integral decimal string); rejects bool and fractions."""
    if isinstance(value, bool):
        raise BadAnswer(f"{field}: {value!r} is not an integer")
    if isinstance(value, int):
        return value
    number = to_decimal(value, field=field)
    if number != number.to_integral_value():
        raise BadAnswer(f"{field}: {value!r} is not an integer")
    return int(number)


def to_bool(value: Any, *, field: str) -> bool:
    """A JSON boolean, nothing else."""
    if not isinstance(value, bool):
        raise BadAnswer(f"{field}: {value!r} is not a boolean")
    return value


def to_text(value: Any, *, field: str) -> str:
    """A non-empty JSON string; numbers are accepted for ids and rendered exactly."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise BadAnswer(f"{field}: {value!r} is not a non-empty string")
    return value


def non_negative(value: Decimal, *, field: str) -> Decimal:
    """The value, if it is not negative."""
    if value < 0:
        raise BadAnswer(f"{field}: {value} is negative")
    return value


def parse_iso8601(value: Any, *, field: str) -> datetime:
    """An aware UTC datetime from ISO-8601 with a zone ("Z" or an offset); naive times are refused."""
    if not isinstance(value, str) or not value:
        raise BadAnswer(f"{field}: {value!r} is not an ISO-8601 timestamp")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadAnswer(f"{field}: {value!r} is not an ISO-8601 timestamp")
    if moment.utcoffset() is None:
        raise BadAnswer(f"{field}: {value!r} has no time zone")
    return moment.astimezone(UTC)


def _from_unix(value: Any, *, field: str, microseconds_per_unit: int) -> datetime:
    """An integer count of units since 1970 as an aware UTC datetime, without float."""
    count = to_int(value, field=field)
    if count < 0:
        raise BadAnswer(f"{field}: {value!r} is before 1970")
    try:
        return EPOCH + timedelta(microseconds=count * microseconds_per_unit)
    except OverflowError:
        raise BadAnswer(f"{field}: {value!r} is out of range for its unit")


def from_unix_seconds(value: Any, *, field: str) -> datetime:
    """Aware UTC datetime from integer Unix seconds."""
    return _from_unix(value, field=field, microseconds_per_unit=1_000_000)


def from_unix_millis(value: Any, *, field: str) -> datetime:
    """Aware UTC datetime from integer Unix milliseconds."""
    return _from_unix(value, field=field, microseconds_per_unit=1_000)


def from_unix_micros(value: Any, *, field: str) -> datetime:
    """Aware UTC datetime from integer Unix microseconds."""
    return _from_unix(value, field=field, microseconds_per_unit=1)


def to_unix_millis(moment: datetime) -> int:
    """Integer Unix milliseconds of an aware datetime (floored)."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def as_dict(value: Any, *, where: str) -> Mapping[str, Any]:
    """The value if it is a JSON object."""
    if not isinstance(value, dict):
        raise BadAnswer(f"{where}: expected a JSON object, got {type(value).__name__}")
    return value


def as_list(value: Any, *, where: str) -> list[Any]:
    """The value if it is a JSON array."""
    if not isinstance(value, list):
        raise BadAnswer(f"{where}: expected a JSON array, got {type(value).__name__}")
    return value


def required(obj: Mapping[str, Any], key: str, *, where: str) -> Any:
    """obj[key], which must be present and not null."""
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        raise BadAnswer(f"{where}: missing field {key!r}")
    if value is None:
        raise BadAnswer(f"{where}: field {key!r} is null")
    return value


def decimal_at(obj: Mapping[str, Any], key: str, *, where: str) -> Decimal:
    """A required decimal field."""
    return to_decimal(required(obj, key, where=where), field=f"{where}.{key}")


def optional_decimal_at(obj: Mapping[str, Any], key: str, *, where: str) -> Decimal | None:
    """A decimal field that may be absent or null."""
    value = obj.get(key)
    return None if value is None else to_decimal(value, field=f"{where}.{key}")


def text_at(obj: Mapping[str, Any], key: str, *, where: str) -> str:
    """A required non-empty string (or exact number rendered as text)."""
    return to_text(required(obj, key, where=where), field=f"{where}.{key}")


def int_at(obj: Mapping[str, Any], key: str, *, where: str) -> int:
    """A required integer field."""
    return to_int(required(obj, key, where=where), field=f"{where}.{key}")


def bool_at(obj: Mapping[str, Any], key: str, *, where: str) -> bool:
    """A required boolean field."""
    return to_bool(required(obj, key, where=where), field=f"{where}.{key}")


def iso_at(obj: Mapping[str, Any], key: str, *, where: str) -> datetime:
    """A required ISO-8601 timestamp field."""
    return parse_iso8601(required(obj, key, where=where), field=f"{where}.{key}")


def optional_iso_at(obj: Mapping[str, Any], key: str, *, where: str) -> datetime | None:
    """An ISO-8601 timestamp field that may be absent or null."""
    value = obj.get(key)
    return None if value is None else parse_iso8601(value, field=f"{where}.{key}")
