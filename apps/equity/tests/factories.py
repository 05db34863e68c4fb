"""Factories of the equity app."""

from datetime import UTC, datetime
from decimal import Decimal

import factory

from apps.equity.choices import SnapshotOrigin
from apps.equity.models import EquitySnapshot
from apps.sources.tests.factories import SourceFactory


class EquitySnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquitySnapshot

    source = factory.SubFactory(SourceFactory)
    bucket = datetime(2026, 1, 1, tzinfo=UTC)
    equity = Decimal("10000")
    realized_pnl = Decimal("0")
    unrealized_pnl = Decimal("0")
    origin = SnapshotOrigin.FILE
    as_of = factory.SelfAttribute("bucket")
