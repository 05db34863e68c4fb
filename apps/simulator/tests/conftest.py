"""Fixtures: the shared `simulator` fixture and an HTTP client."""

from collections.abc import Iterator

import httpx
import pytest

from apps.simulator.testing import simulator  # noqa: F401  (the fixture other apps reuse the same way)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    """A plain HTTP client with the fund's default 2 s timeout."""
    with httpx.Client(timeout=2.0) as client:
        yield client
