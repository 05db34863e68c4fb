"""Wire shapes of the risk API: decimals as plain strings ("1.5"), times ISO-8601, sync state with both sides."""

from decimal import Decimal

from rest_framework import serializers

from apps.strategies.models import RiskSetting, RiskSettingVersion
from apps.strategies.trader_client import decimal_text


class PlainDecimalField(serializers.DecimalField):
    """A decimal string without trailing zeros, as the trader contract writes them."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=28, decimal_places=10, **kwargs)

    def to_representation(self, value):
        return decimal_text(Decimal(value)) if value is not None else None


class TraderValuesSerializer(serializers.Serializer):
    """The values the trader last reported."""

    enabled = serializers.BooleanField(source="trader_enabled")
    risk_per_trade = PlainDecimalField(source="trader_risk_per_trade")
    stop_loss_dollars = PlainDecimalField(source="trader_stop_loss_dollars")
    max_drawdown_dollars = PlainDecimalField(source="trader_max_drawdown_dollars")
    reported_at = serializers.DateTimeField(source="trader_reported_at")


class RiskSettingSerializer(serializers.ModelSerializer):
    """One strategy's risk settings: ours, the trader's, and how they stand."""

    source = serializers.CharField(source="strategy.source.name")
    strategy_id = serializers.CharField(source="strategy.strategy_id")
    symbol = serializers.CharField(source="strategy.symbol")
    name = serializers.CharField(source="strategy.name")
    timeframe = serializers.CharField(source="strategy.timeframe")
    is_present = serializers.BooleanField(source="strategy.is_present", help_text="False once the trader no longer "
                                                                                  "lists the strategy.")  # fmt: skip
    risk_per_trade = PlainDecimalField(help_text="Percent of margin per trade, in (0, 100].")
    stop_loss_dollars = PlainDecimalField()
    max_drawdown_dollars = PlainDecimalField(help_text="The trader's max_strategy_loss (kill-switch threshold).")
    total_pnl = PlainDecimalField()
    trader = serializers.SerializerMethodField()

    class Meta:
        model = RiskSetting
        fields = ["id", "source", "strategy_id", "symbol", "name", "timeframe", "is_present", "enabled",
                  "risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars", "kill_switch_active", "total_pnl",
                  "trader", "sync_state", "last_error", "push_attempts", "next_retry_at", "version",
                  "updated_at"]  # fmt: skip

    def get_trader(self, row: RiskSetting) -> dict | None:
        return TraderValuesSerializer(row).data if row.trader_reported_at else None


class RiskSettingVersionSerializer(serializers.ModelSerializer):
    risk_per_trade = PlainDecimalField()
    stop_loss_dollars = PlainDecimalField()
    max_drawdown_dollars = PlainDecimalField()

    class Meta:
        model = RiskSettingVersion
        fields = ["version", "enabled", "risk_per_trade", "stop_loss_dollars", "max_drawdown_dollars",
                  "confirmed_at", "changed_by_label", "channel"]  # fmt: skip


class RiskChangeSerializer(serializers.Serializer):
    """Body of PUT /api/risk/{source}/{strategy_id}/{symbol} (documentation; the service validates)."""

    risk_per_trade = serializers.CharField(required=False, help_text='Decimal string, e.g. "1.5"; (0, 100].')
    stop_loss_dollars = serializers.CharField(required=False, help_text="Decimal string, > 0.")
    max_drawdown_dollars = serializers.CharField(required=False, help_text="Decimal string, > 0.")
    enabled = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, help_text="The version you edited; a stale one gets 409.")


class RiskBulkItemSerializer(RiskChangeSerializer):
    source = serializers.CharField()
    strategy_id = serializers.CharField()
    symbol = serializers.CharField()


class RiskVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="The version you looked at; a stale one gets 409.")


class RiskResetSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the kill switch is reset; recorded in the audit log.")
