"""Factories of the strategies app, for tests that need rows without a trader behind them."""

from decimal import Decimal

import factory
from django.utils import timezone

from apps.sources.tests.factories import SourceFactory
from apps.strategies.models import RiskSetting, Strategy


class StrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Strategy

    source = factory.SubFactory(SourceFactory)
    strategy_id = factory.Sequence(lambda n: f"strategy_{n}")
    symbol = "BTC"
    name = "EMA cross 4h"
    timeframe = "4h"


class RiskSettingFactory(factory.django.DjangoModelFactory):
    """A row in sync with a trader that reported the same values."""

    class Meta:
        model = RiskSetting

    strategy = factory.SubFactory(StrategyFactory)
    enabled = True
    risk_per_trade = Decimal("2")
    stop_loss_dollars = Decimal("100")
    max_drawdown_dollars = Decimal("1500")
    trader_enabled = True
    trader_risk_per_trade = Decimal("2")
    trader_stop_loss_dollars = Decimal("100")
    trader_max_drawdown_dollars = Decimal("1500")
    trader_reported_at = factory.LazyFunction(timezone.now)
