"""Assertions about the contract's wire types."""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

DECIMAL_STRING = re.compile(r"-?\d+(\.\d+)?")


def assert_decimal_string(value: Any) -> Decimal:
    """A plain decimal string (no exponent, no float); returns it as a Decimal."""
    assert isinstance(value, str), f"{value!r} is not a string"
    assert DECIMAL_STRING.fullmatch(value), f"{value!r} is not a decimal string"
    return Decimal(value)


def assert_iso_z(value: Any) -> datetime:
    """An ISO-8601 UTC time ending in Z; returns it parsed."""
    assert isinstance(value, str) and value.endswith("Z"), f"{value!r} is not an ISO-8601 Z time"
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
    return moment


def assert_fields(item: dict[str, Any], decimals: set[str], times: set[str], others: dict[str, type]) -> None:
    """Exactly these fields, decimal strings and ISO times where the contract says so."""
    assert set(item) == decimals | times | set(others), sorted(item)
    for field in decimals:
        if item[field] is not None or field not in NULLABLE:
            assert_decimal_string(item[field])
    for field in times:
        assert_iso_z(item[field])
    for field, kind in others.items():
        assert isinstance(item[field], kind), f"{field}={item[field]!r} is not {kind}"


NULLABLE = {"take_profit", "stop_loss"}
