"""Factories of the sources app."""

from datetime import UTC, datetime
from decimal import Decimal

import factory

from apps.sources.choices import SourceKind, SourceStatus
from apps.sources.models import AccountState, Order, Position, Source, Trade


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"trader-{n}")
    kind = SourceKind.TRADER_SERVICE
    base_url = factory.Sequence(lambda n: f"http://127.0.0.1:{20000 + n}")
    status = SourceStatus.OK


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    source = factory.SubFactory(SourceFactory)
    strategy = "ema_cross"
    symbol = factory.Sequence(lambda n: f"SYM{n}")
    side = "long"
    size = Decimal("0.25")
    entry_price = Decimal("64000.5")
    mark_price = Decimal("64120.0")
    unrealized_pnl = Decimal("29.875")
    updated_at = factory.LazyFunction(lambda: datetime.now(UTC))


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    source = factory.SubFactory(SourceFactory)
    external_id = factory.Sequence(lambda n: f"o-{n}")
    strategy = "ema_cross"
    symbol = "BTC"
    type = "stop"
    side = "sell"
    size = Decimal("0.25")
    price = Decimal("63000")
    reduce_only = True
    updated_at = factory.LazyFunction(lambda: datetime.now(UTC))


class TradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trade

    source = factory.SubFactory(SourceFactory)
    external_id = factory.Sequence(lambda n: f"t-{n}")
    strategy = "ema_cross"
    symbol = "BTC"
    side = "long"
    size = Decimal("0.25")
    entry_price = Decimal("64000.5")
    exit_price = Decimal("64800.0")
    stop_loss = Decimal("63000")
    realized_pnl = Decimal("199.875")
    fees = Decimal("4.1")
    closed_at = factory.Sequence(lambda n: datetime(2026, 11, 1, tzinfo=UTC).replace(minute=n % 60, hour=n // 60 % 24))


class AccountStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountState

    source = factory.SubFactory(SourceFactory)
    minute = factory.LazyFunction(lambda: datetime.now(UTC).replace(second=0, microsecond=0))
    equity = Decimal("25000")
    realized_pnl = Decimal("0")
    unrealized_pnl = Decimal("0")
    margin_used = Decimal("0")
    as_of = factory.LazyFunction(lambda: datetime.now(UTC))
