"""Wire shapes of the services API: state and action outcomes; definitions travel through /api/settings."""

from rest_framework import serializers

from apps.services.models import ManagedService


class ServiceSerializer(serializers.ModelSerializer):
    """A managed service as the panel shows it."""

    display_name = serializers.CharField(source="label")
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)
    source_status = serializers.CharField(source="source.status", default=None)
    uptime_s = serializers.SerializerMethodField()
    gave_up = serializers.BooleanField(source="is_gave_up")
    health_url = serializers.CharField(source="effective_health_url")

    class Meta:
        model = ManagedService
        fields = ["id", "name", "display_name", "kind", "source", "source_status", "host", "port", "health_url",
                  "status", "status_detail", "status_changed_at", "should_run", "pid", "started_at", "uptime_s",
                  "restart_count", "error_count", "consecutive_failures", "last_heartbeat_at", "gave_up",
                  "gave_up_at", "is_watchdog_enabled", "health_interval_s"]  # fmt: skip
        read_only_fields = fields

    def get_uptime_s(self, service: ManagedService) -> int | None:
        return service.uptime_s()


class ActionResultSerializer(serializers.Serializer):
    """The outcome of one action on one service."""

    service = serializers.CharField()
    action = serializers.CharField()
    ok = serializers.BooleanField()
    status = serializers.CharField()
    detail = serializers.CharField()
    output_tail = serializers.CharField(help_text="The last lines the process wrote, when a start failed.")
    is_conflict = serializers.BooleanField(help_text="Another action on this service was running (409).")


class ActionManySerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when every service's action succeeded.")
    results = ActionResultSerializer(many=True)
