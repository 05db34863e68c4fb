"""Wire shapes of the sources API: decimals as strings, times ISO-8601, secrets never echoed."""

import json

from rest_framework import serializers

from apps.sources.models import Order, Position, Source, Trade
from apps.sources.registry import credentials_masked


class PositionSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)
    unrealized_pnl_pct = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True, allow_null=True)

    class Meta:
        model = Position
        fields = ["source", "strategy", "symbol", "side", "size", "entry_price", "mark_price", "unrealized_pnl",
                  "unrealized_pnl_pct", "stop_loss", "take_profit", "opened_at", "updated_at"]  # fmt: skip


class OrderSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Order
        fields = ["source", "external_id", "strategy", "symbol", "type", "side", "size", "price", "reduce_only",
                  "created_at", "updated_at"]  # fmt: skip


class TradeSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)

    class Meta:
        model = Trade
        fields = ["source", "external_id", "strategy", "symbol", "side", "size", "entry_price", "exit_price",
                  "stop_loss", "realized_pnl", "fees", "risk_reward", "opened_at", "closed_at"]  # fmt: skip


class SourceSerializer(serializers.ModelSerializer):
    """A source as admins edit it: credentials are write-only and read back masked."""

    credentials = serializers.JSONField(write_only=True, required=False,
                                        help_text="Object of keys/tokens; stored encrypted, never returned.")
    credentials_masked = serializers.SerializerMethodField()
    exchange_source = serializers.SlugRelatedField(slug_field="name", queryset=Source.objects.all(), required=False,
                                                   allow_null=True)  # fmt: skip

    class Meta:
        model = Source
        fields = ["id", "name", "display_name", "kind", "base_url", "exchange_id", "account_address", "credentials",
                  "credentials_masked", "exchange_source", "is_enabled", "is_counted_in_totals", "poll_interval_s",
                  "status", "last_polled_at", "last_ok_at", "last_error", "consecutive_failures"]  # fmt: skip
        read_only_fields = ["status", "last_polled_at", "last_ok_at", "last_error", "consecutive_failures"]

    def get_credentials_masked(self, source: Source) -> dict[str, str]:
        return credentials_masked(source.credentials)

    def validate_credentials(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('Must be a JSON object, e.g. {"apiKey": "...", "secret": "..."}.')
        return json.dumps(value)


class SourceStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["name", "display_name", "kind", "is_enabled", "status", "last_polled_at", "last_ok_at",
                  "last_error", "consecutive_failures"]  # fmt: skip
