"""JSON with decimal strings and ISO-8601 "Z" times, and the middlewares every simulated service shares."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web

logger = logging.getLogger(__name__)


class BadRequestError(Exception):
    """The request body or query is unusable; the message is the client-facing detail."""


@dataclass
class ServiceFaults:
    """Knobs tests turn to make a service misbehave: not ready (503) or slow."""

    ready: bool = True
    delay_seconds: float = 0.0


def dec_str(value: Decimal) -> str:
    """A Decimal as a plain decimal string, never in exponent form and never "-0"."""
    if value == 0:
        value = value.copy_abs()
    return format(value, "f")


def iso_z(moment: datetime) -> str:
    """An aware datetime as ISO-8601 in UTC with a "Z" suffix."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SimJSONEncoder(json.JSONEncoder):
    """Encodes Decimal as decimal strings and datetimes as ISO-8601 "Z"."""

    def default(self, o: Any) -> Any:
        """Convert the two types the simulator puts on the wire besides JSON's own."""
        if isinstance(o, Decimal):
            return dec_str(o)
        if isinstance(o, datetime):
            return iso_z(o)
        return super().default(o)


def dumps(data: Any) -> str:
    """Serialize with SimJSONEncoder."""
    return json.dumps(data, cls=SimJSONEncoder, separators=(",", ":"))


def json_response(data: Any, *, status: int = 200) -> web.Response:
    """A JSON response using the simulator's encoder."""
    return web.json_response(data, status=status, dumps=dumps)


def error_response(status: int, detail: str) -> web.Response:
    """The contract's error shape: {"detail": "..."}."""
    return json_response({"detail": detail}, status=status)


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are not JSON numbers."""
    raise ValueError(f"invalid JSON constant {name}")


def loads(text: str) -> Any:
    """Parse JSON keeping every non-integer number as a Decimal (never a float)."""
    return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)


async def read_json(request: web.Request) -> Any:
    """The request body as JSON, or BadRequestError."""
    text = await request.text()
    try:
        return loads(text)
    except ValueError:
        raise BadRequestError("malformed JSON body")


def parse_decimal(value: Any, field: str) -> Decimal:
    """A decimal string or JSON number as a finite Decimal, or BadRequestError."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise BadRequestError(f"{field} must be a decimal number")
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise BadRequestError(f"{field} must be a decimal number")
    if not number.is_finite():
        raise BadRequestError(f"{field} must be a decimal number")
    return number


@web.middleware
async def json_errors_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    """Turn every error into {"detail": ...} JSON, as the contract wants."""
    try:
        return await handler(request)
    except BadRequestError as error:
        return error_response(400, str(error))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return error_response(error.status, error.reason)
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("simulator handler failed: %s %s", request.method, request.path)
        return error_response(500, "internal error")


def faults_middleware(faults: ServiceFaults, *, exempt: frozenset[str] = frozenset()) -> Any:
    """Apply a service's test faults: delay every answer, 503 while not ready."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if faults.delay_seconds > 0:
            await asyncio.sleep(faults.delay_seconds)
        if not faults.ready and request.path not in exempt:
            return error_response(503, "engine not ready")
        return await handler(request)

    return middleware
