"""Strategies per trader and symbol, their risk settings (ours and the trader's), and confirmed versions."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.sources.models import Source
from apps.strategies.choices import Channel, SyncState

# Wide enough for any value a trader reports, so what we store compares equal to what it said.
NUMBER = {"max_digits": 28, "decimal_places": 10}
RISK_FIELDS = ("risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars")
VALUE_FIELDS = ("enabled", *RISK_FIELDS)


class Strategy(models.Model):
    """A strategy a trader runs on one symbol, as its GET /api/risk/settings lists it."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="strategies")
    strategy_id = models.CharField(max_length=80)
    symbol = models.CharField(max_length=40)
    name = models.CharField(max_length=120, blank=True)
    timeframe = models.CharField(max_length=20, blank=True)
    is_present = models.BooleanField(
        default=True, help_text="Off once the trader no longer lists it (kept, not deleted)."
    )
    first_seen_at = models.DateTimeField(default=timezone.now)
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source__name", "strategy_id", "symbol"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["source", "strategy_id", "symbol"], name="strategy_unique_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.source.name}/{self.strategy_id}/{self.symbol}"


class RiskSetting(models.Model):
    """One strategy's risk: the values we want, the values its trader last reported, and how they stand."""

    strategy = models.OneToOneField(Strategy, on_delete=models.CASCADE, related_name="risk")
    # What the fund wants the trader to hold.
    enabled = models.BooleanField(default=True)
    risk_per_trade = models.DecimalField(
        "risk per trade (%)", **NUMBER, help_text="Percent of margin per trade, in (0, 100]."
    )
    stop_loss_dollars = models.DecimalField(
        "stop loss ($)", **NUMBER, help_text="Dollars lost when a trade stops out, > 0."
    )
    max_drawdown_dollars = models.DecimalField(
        "max drawdown ($)",
        **NUMBER,
        help_text="The trader's max_strategy_loss: drawdown in dollars that trips its kill switch, > 0.",
    )
    # What the trader last reported (None until it has).
    trader_enabled = models.BooleanField(null=True, blank=True)
    trader_risk_per_trade = models.DecimalField(**NUMBER, null=True, blank=True)
    trader_stop_loss_dollars = models.DecimalField(**NUMBER, null=True, blank=True)
    trader_max_drawdown_dollars = models.DecimalField(**NUMBER, null=True, blank=True)
    trader_reported_at = models.DateTimeField(null=True, blank=True)
    kill_switch_active = models.BooleanField(default=False)
    total_pnl = models.DecimalField(**NUMBER, default=Decimal("0"))
    # Sync with the trader.
    sync_state = models.CharField(max_length=10, choices=SyncState.choices, default=SyncState.IN_SYNC, db_index=True)
    last_error = models.TextField(blank=True)
    push_attempts = models.PositiveIntegerField(default=0)
    last_push_at = models.DateTimeField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: every change of the desired values bumps it with a conditional update.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_via = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)

    class Meta:
        ordering = ["strategy__source__name", "strategy__strategy_id", "strategy__symbol"]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_per_trade__gt=0, risk_per_trade__lte=100), name="risk_per_trade_in_range",
                violation_error_message="Risk per trade must be more than 0 and at most 100 (% of margin).",
            ),
            models.CheckConstraint(
                condition=Q(stop_loss_dollars__gt=0), name="stop_loss_dollars_positive",
                violation_error_message="Stop loss must be more than $0.",
            ),
            models.CheckConstraint(
                condition=Q(max_drawdown_dollars__gt=0), name="max_drawdown_dollars_positive",
                violation_error_message="Max drawdown must be more than $0.",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.strategy)

    @property
    def desired(self) -> dict:
        """Our values by field name."""
        return {field: getattr(self, field) for field in VALUE_FIELDS}

    @property
    def reported(self) -> dict | None:
        """The trader's values by field name, or None before it has reported."""
        if self.trader_reported_at is None:
            return None
        return {field: getattr(self, f"trader_{field}") for field in VALUE_FIELDS}

    @property
    def differences(self) -> dict:
        """{field: (ours, trader's)} for each field on which we and the trader disagree."""
        reported = self.reported
        if reported is None:
            return {}
        return {field: (ours, reported[field]) for field, ours in self.desired.items() if ours != reported[field]}

    @property
    def audit_target(self) -> str:
        return f"risk:{self.strategy}"


class RiskSettingVersion(models.Model):
    """A version of a strategy's risk settings that its trader confirmed; any one can be restored."""

    setting = models.ForeignKey(RiskSetting, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    enabled = models.BooleanField()
    risk_per_trade = models.DecimalField(**NUMBER)
    stop_loss_dollars = models.DecimalField(**NUMBER)
    max_drawdown_dollars = models.DecimalField(**NUMBER)
    confirmed_at = models.DateTimeField(default=timezone.now)
    changed_by_label = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["setting", "version"], name="risk_version_unique")]

    def __str__(self) -> str:
        return f"{self.setting} v{self.version}"

    @property
    def values(self) -> dict:
        return {field: getattr(self, field) for field in VALUE_FIELDS}


class TraderRiskSync(models.Model):
    """When a trader's risk settings were last read, claimed with a conditional update so one reader runs."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="risk_sync")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"risk sync of {self.source.name}"
