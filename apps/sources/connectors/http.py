"""HTTP plumbing shared by connectors: status mapping and a JSON GET client with a timeout on every call."""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Mapping
from functools import cache
from typing import Any

import httpx

from apps.sources.connectors.base import (
    BadAnswer,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    SourceUnreachable,
)
from apps.sources.connectors.parsing import loads, snippet

# Statuses after which the same request may well succeed later.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def error_detail(body: str | bytes) -> str:
    """The `detail` (or `message`/`error`) of an error body, else the start of the body."""
    try:
        parsed = loads(body, where="error body")
    except BadAnswer:
        return snippet(body)
    if isinstance(parsed, dict):
        for key in ("detail", "message", "msg", "error"):
            if parsed.get(key):
                return str(parsed[key])
    return snippet(body)


def raise_for_status(status: int, body: str | bytes, *, where: str) -> None:
    """Map a non-2xx status to SourceUnavailable (retryable) or SourceRejected (not retryable)."""
    if 200 <= status < 300:
        return
    message = f"{where}: HTTP {status}: {error_detail(body)}"
    if status >= 500 or status in RETRYABLE_STATUSES:
        raise SourceUnavailable(message, status=status)
    raise SourceRejected(message, status=status)


def parse_json_body(body: bytes, *, content_type: str, where: str) -> Any:
    """The decoded JSON of a 2xx body; an HTML page or truncated JSON is a BadAnswer naming the problem."""
    try:
        return loads(body, where=where)
    except BadAnswer as exc:
        raise BadAnswer(f"{exc.message} (content-type {content_type or 'missing'})")


@cache
def shared_ssl_context() -> ssl.SSLContext:
    """One verified TLS context for every client: building one loads the CA bundle (~45 ms of CPU)."""
    return ssl.create_default_context()


def body_digest(body: bytes) -> str:
    """A short fingerprint of an answer, to tell an unchanged book from a changed one without parsing it."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class JsonHttpClient:
    """GET JSON from one base URL with httpx; each phase of each call is bounded by `timeout_s`."""

    def __init__(self, *, base_url: str, timeout_s: float, name: str, headers: Mapping[str, str] | None = None):
        self.name = name
        self.timeout_s = timeout_s
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout_s),
            headers=dict(headers or {}),
            verify=shared_ssl_context(),
        )

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The JSON answer of GET path; ConnectorError on any failure."""
        return self.decode(*self.get_body(path, params))

    def get_body(self, path: str, params: Mapping[str, Any] | None = None) -> tuple[bytes, str, str]:
        """The raw 2xx body of GET path with its content type and the `where` for messages."""
        where = f"{self.name} GET {path}"
        try:
            response = self._client.get(path, params=dict(params or {}))
        except httpx.TimeoutException:
            raise SourceTimeout(f"{where}: no answer within {self.timeout_s} s")
        except httpx.TransportError as exc:
            raise SourceUnreachable(f"{where}: cannot connect: {exc or type(exc).__name__}")
        raise_for_status(response.status_code, response.content, where=where)
        return response.content, response.headers.get("content-type", ""), where

    @staticmethod
    def decode(body: bytes, content_type: str, where: str) -> Any:
        """Decode a body fetched with get_body (Decimal numbers, BadAnswer on anything else)."""
        return parse_json_body(body, content_type=content_type, where=where)

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()
