"""Wire forms of equity snapshots, imports and the query parameters of the equity API."""

from django.urls import reverse
from rest_framework import serializers

from apps.equity.models import EquityImport, EquitySnapshot
from apps.equity.series import DEFAULT_RANGE, RANGES

MAX_POINTS_LIMIT = 10_000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class EquitySnapshotSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="name", read_only=True, help_text="null for the whole fund")

    class Meta:
        model = EquitySnapshot
        fields = ["source", "bucket", "equity", "realized_pnl", "unrealized_pnl", "position_count", "is_stale",
                  "stale_reason", "origin", "as_of"]  # fmt: skip
        read_only_fields = fields


class EquityImportSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(slug_field="name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    is_finished = serializers.BooleanField(read_only=True)
    progress_url = serializers.SerializerMethodField()

    class Meta:
        model = EquityImport
        fields = ["id", "kind", "source", "filename", "commit_good_rows", "status", "status_label", "is_finished",
                  "percent", "processed_rows", "total_rows", "summary", "error", "created_at", "started_at",
                  "finished_at", "progress_url"]  # fmt: skip
        read_only_fields = fields

    def get_progress_url(self, job: EquityImport) -> str:
        return reverse("api-equity-backfill-detail", args=[job.pk])


class RangeQuerySerializer(serializers.Serializer):
    range = serializers.ChoiceField(choices=RANGES, default=DEFAULT_RANGE)
    max_points = serializers.IntegerField(min_value=5, max_value=MAX_POINTS_LIMIT, default=1000)
    source = serializers.CharField(required=False, allow_blank=True, help_text='a source name, or "fund"')


class ListQuerySerializer(serializers.Serializer):
    source = serializers.CharField(required=False, allow_blank=True, help_text='a source name, or "fund"')
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)

    def validate(self, attrs):
        for name in ("start", "end"):
            raw = self.initial_data.get(name)
            if raw and not (raw.endswith("Z") or "+" in raw[10:] or "-" in raw[10:]):
                raise serializers.ValidationError({name: "Use ISO-8601 with a zone, e.g. 2026-11-01T00:00:00Z."})
        return attrs


class BackfillSerializer(serializers.Serializer):
    """One of: a CSV `file`, JSON `rows`, or `pull` naming a trader or Hyperliquid source."""

    file = serializers.FileField(required=False)
    rows = serializers.ListField(child=serializers.DictField(), required=False)
    pull = serializers.CharField(required=False, help_text="pull this source's own history")
    commit_good_rows = serializers.BooleanField(default=False)

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError(f"The file is over {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise serializers.ValidationError("The file is not UTF-8 text (save it as CSV UTF-8).")

    def validate(self, attrs):
        given = [name for name in ("file", "rows", "pull") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError("Send exactly one of: file (CSV upload), rows (JSON), pull (source).")
        return attrs
