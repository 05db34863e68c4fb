"""API shapes of the accounts app."""

from rest_framework import serializers

from apps.accounts.choices import AuditOutcome, Role
from apps.accounts.models import AuditEvent


class MeSerializer(serializers.Serializer):
    """Who the API thinks you are."""

    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    otp_verified = serializers.BooleanField(help_text="This session passed a second factor (false for tokens).")
    authentication = serializers.ChoiceField(choices=["session", "token"])


class TokenRotateSerializer(serializers.Serializer):
    """A freshly created API token: the key is shown here once and never again."""

    key = serializers.CharField()


class AuditEventSerializer(serializers.ModelSerializer):
    """One audit log line."""

    actor = serializers.CharField(source="actor_label")
    outcome = serializers.ChoiceField(choices=AuditOutcome.choices)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "target", "before", "after", "outcome", "ip"]
        read_only_fields = fields
