"""Trading sources and their normalized book: positions, orders, closed trades, account state."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from apps.core.fields import EncryptedTextField
from apps.sources.choices import OrderSide, OrderType, PositionSide, SourceKind, SourceStatus

MONEY = {"max_digits": 28, "decimal_places": 10}


class Source(models.Model):
    """One trader service or exchange account whose book is aggregated into the fund's."""

    name = models.SlugField(max_length=64, unique=True, help_text="Short slug used in URLs and the API.")
    display_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    base_url = models.URLField(blank=True, help_text="Trader service or exchange API base URL.")
    exchange_id = models.CharField(max_length=40, blank=True, help_text="ccxt exchange id, e.g. binance.")
    account_address = models.CharField(
        max_length=80, blank=True, help_text="Hyperliquid master/sub-account address or Lighter account index."
    )
    credentials = EncryptedTextField(blank=True, help_text="JSON with API keys or tokens; encrypted at rest.")
    exchange_source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="traders",
        help_text="For a trader service: the exchange account it trades, reconciled against it every poll.",
    )  # fmt: skip
    is_enabled = models.BooleanField(default=True)
    is_counted_in_totals = models.BooleanField(
        default=True,
        help_text="Off for an exchange account whose money is already counted through the trader that trades it.",
    )
    poll_interval_s = models.PositiveIntegerField(default=5, validators=[MinValueValidator(1)])
    status = models.CharField(max_length=8, choices=SourceStatus.choices, default=SourceStatus.DOWN)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Fingerprints of the last applied positions/orders answers (see book_apply).
    positions_digest = models.CharField(max_length=64, blank=True, editable=False)
    orders_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name or self.name


class Position(models.Model):
    """An open position as its source last reported it; keyed by (source, strategy, symbol)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="positions")
    strategy = models.CharField(max_length=80, blank=True)
    symbol = models.CharField(max_length=40)
    side = models.CharField(max_length=5, choices=PositionSide.choices)
    size = models.DecimalField(**MONEY)
    entry_price = models.DecimalField(**MONEY)
    mark_price = models.DecimalField(**MONEY)
    unrealized_pnl = models.DecimalField(**MONEY)
    stop_loss = models.DecimalField(**MONEY, null=True, blank=True)
    take_profit = models.DecimalField(**MONEY, null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["source__name", "strategy", "symbol"]
        constraints = [
            models.UniqueConstraint(fields=["source", "strategy", "symbol"], name="position_unique_per_source"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="position_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy or '-'} {self.symbol} {self.side} {self.size}"

    @property
    def unrealized_pnl_pct(self) -> Decimal | None:
        """Open PnL as a percent of the entry notional."""
        notional = self.entry_price * self.size
        return (self.unrealized_pnl / notional * 100) if notional else None


class Order(models.Model):
    """An open order at a source; keyed by (source, external id)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(max_length=80)
    strategy = models.CharField(max_length=80, blank=True)
    symbol = models.CharField(max_length=40)
    type = models.CharField(max_length=12, choices=OrderType.choices)
    side = models.CharField(max_length=4, choices=OrderSide.choices)
    size = models.DecimalField(**MONEY)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    reduce_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["source__name", "symbol", "external_id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="order_unique_per_source")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.symbol} {self.type} {self.side} {self.size}"


class Trade(models.Model):
    """A closed trade, recorded once per (source, external id) as it arrives and kept for good."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="trades")
    external_id = models.CharField(max_length=80)
    strategy = models.CharField(max_length=80, blank=True)
    symbol = models.CharField(max_length=40)
    side = models.CharField(max_length=5, choices=PositionSide.choices)
    size = models.DecimalField(**MONEY)
    entry_price = models.DecimalField(**MONEY, null=True, blank=True)
    exit_price = models.DecimalField(**MONEY)
    stop_loss = models.DecimalField(**MONEY, null=True, blank=True)
    realized_pnl = models.DecimalField(**MONEY)
    fees = models.DecimalField(**MONEY, default=Decimal("0"))
    risk_reward = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="trade_unique_per_source")]
        indexes = [models.Index(fields=["source", "-closed_at"], name="trade_source_closed_idx")]

    def __str__(self) -> str:
        return f"{self.external_id} {self.symbol} {self.side} {self.realized_pnl}"


class AccountState(models.Model):
    """A source's account at a minute: the latest poll of that minute wins, so history stays bounded."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="account_states")
    minute = models.DateTimeField(help_text="Floored UTC minute of the poll.")
    equity = models.DecimalField(**MONEY)
    realized_pnl = models.DecimalField(**MONEY)
    unrealized_pnl = models.DecimalField(**MONEY)
    margin_used = models.DecimalField(**MONEY)
    as_of = models.DateTimeField()

    class Meta:
        ordering = ["source__name", "-minute"]
        constraints = [models.UniqueConstraint(fields=["source", "minute"], name="account_state_unique_minute")]

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M} {self.equity}"


class ReconciliationMismatch(models.Model):
    """A symbol on which a trader and its exchange account disagree, counted over consecutive polls."""

    trader = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mismatches")
    exchange = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    symbol = models.CharField(max_length=40)
    trader_net = models.DecimalField(**MONEY)
    exchange_net = models.DecimalField(**MONEY)
    polls = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trader", "symbol"], name="mismatch_unique_per_symbol")]

    def __str__(self) -> str:
        return f"{self.symbol}: {self.trader_net} vs {self.exchange_net}"
