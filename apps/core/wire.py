"""Values on the wire: Decimal as a decimal string, datetimes as ISO-8601 UTC with a Z. Never floats."""

from datetime import datetime
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """Recursively convert Decimals to strings and datetimes to ISO strings, for JSON and msgpack."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value
