from django.db import models


class SourceKind(models.TextChoices):
    TRADER_SERVICE = "trader_service", "Trader service"
    HYPERLIQUID = "hyperliquid", "Hyperliquid account"
    LIGHTER = "lighter", "Lighter account"
    CCXT = "ccxt", "Exchange via ccxt"
    UCB = "ucb", "UCB training service"


class SourceStatus(models.TextChoices):
    OK = "ok", "OK"
    STALE = "stale", "Stale"
    DOWN = "down", "Down"


class PositionSide(models.TextChoices):
    LONG = "long", "Long"
    SHORT = "short", "Short"


class OrderSide(models.TextChoices):
    BUY = "buy", "Buy"
    SELL = "sell", "Sell"


class OrderType(models.TextChoices):
    MARKET = "market", "Market"
    LIMIT = "limit", "Limit"
    STOP = "stop", "Stop"
    STOP_LIMIT = "stop_limit", "Stop limit"
    TAKE_PROFIT = "take_profit", "Take profit"
