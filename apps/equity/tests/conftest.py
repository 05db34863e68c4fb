"""Fixtures of the equity tests: sources of each kind, a fresh answer cache, on-commit work that runs."""

import pytest
from django.core.cache import cache

from apps.equity.cache import VERSION_KEY
from apps.sources.choices import SourceKind
from apps.sources.tests.factories import SourceFactory


@pytest.fixture(autouse=True)
def fresh_equity_cache():
    """Every test starts from a new data version: answers cached by another test are never seen."""
    cache.delete(VERSION_KEY)
    yield
    cache.delete(VERSION_KEY)


@pytest.fixture
def hl_trader(db):
    return SourceFactory(name="hl-trader", display_name="PoGTrader HL", kind=SourceKind.TRADER_SERVICE)


@pytest.fixture
def lighter_trader(db):
    return SourceFactory(name="lighter-trader", display_name="PoGTrader Lighter", kind=SourceKind.TRADER_SERVICE)


@pytest.fixture
def hl_account(db):
    """The exchange account the HL trader trades: its money is already counted through the trader."""
    return SourceFactory(name="hl-account", kind=SourceKind.HYPERLIQUID, base_url="", is_counted_in_totals=False,
                         account_address="0x000000000000000000000000000000000000dEaD")  # fmt: skip


@pytest.fixture
def sources(hl_trader, lighter_trader, hl_account):
    return {"hl": hl_trader, "lighter": lighter_trader, "account": hl_account}
