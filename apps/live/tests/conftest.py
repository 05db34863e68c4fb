"""Fixtures of the live app's tests: an isolated channel layer prefix, signed-in socket headers, a book."""

import uuid
from decimal import Decimal

import pytest
from django.conf import settings as django_settings

from apps.sources.tests.factories import (
    AccountStateFactory,
    OrderFactory,
    PositionFactory,
    SourceFactory,
    TradeFactory,
)


@pytest.fixture(autouse=True)
def live_layer(settings):
    """A channel layer (and live Redis keys) of this test's own: a fund or another test run on the same Redis
    (its producer publishing, its snapshot in the same database) never mixes with this test."""
    layers = {**django_settings.CHANNEL_LAYERS}
    default = {**layers["default"], "CONFIG": {**layers["default"]["CONFIG"], "prefix": f"t{uuid.uuid4().hex[:10]}"}}
    settings.CHANNEL_LAYERS = {**layers, "default": default}
    return settings.CHANNEL_LAYERS


def socket_headers(client=None) -> list[tuple[bytes, bytes]]:
    """Headers of a browser on this site, carrying `client`'s session cookie when given."""
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if client is not None and "sessionid" in client.cookies:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


@pytest.fixture
def book(db):
    """Two counted trader services and one uncounted exchange account, with positions, orders and trades."""
    alpha = SourceFactory(name="alpha", display_name="Alpha trader")
    beta = SourceFactory(name="beta", display_name="Beta trader")
    account = SourceFactory(name="account", kind="hyperliquid", is_counted_in_totals=False, base_url="")
    PositionFactory(source=alpha, strategy="ema", symbol="BTC", unrealized_pnl=Decimal("29.875"))
    PositionFactory(
        source=beta,
        strategy="mom",
        symbol="ETH",
        side="short",
        size=Decimal("2"),
        entry_price=Decimal("3000"),
        mark_price=Decimal("2990"),
        unrealized_pnl=Decimal("20"),
    )
    PositionFactory(source=account, strategy="", symbol="BTC", unrealized_pnl=Decimal("5"))
    AccountStateFactory(source=alpha, equity=Decimal("25000"), unrealized_pnl=Decimal("29.875"))
    AccountStateFactory(source=beta, equity=Decimal("10000"), unrealized_pnl=Decimal("20"))
    AccountStateFactory(source=account, equity=Decimal("25000"), unrealized_pnl=Decimal("5"))
    OrderFactory(source=alpha, external_id="o-1", symbol="BTC")
    for n in range(25):
        TradeFactory(source=alpha, external_id=f"t-{n:02d}", realized_pnl=Decimal(n - 10))
    return {"alpha": alpha, "beta": beta, "account": account}
