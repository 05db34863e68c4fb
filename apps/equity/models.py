"""Hourly equity snapshots per source and for the whole fund, and the history imports that fill them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from apps.equity.choices import FINISHED_IMPORT_STATUSES, ImportKind, ImportStatus, SnapshotOrigin

MONEY = {"max_digits": 28, "decimal_places": 10}


class EquitySnapshot(models.Model):
    """A source's (or, with no source, the whole fund's) equity in one floored UTC hour."""

    source = models.ForeignKey(
        "sources.Source", null=True, blank=True, on_delete=models.CASCADE, related_name="equity_snapshots",
        help_text="Empty for the combined fund: the sum of the sources counted in totals.",
    )  # fmt: skip
    bucket = models.DateTimeField(help_text="The floored UTC hour this snapshot stands for.")
    equity = models.DecimalField(**MONEY)
    realized_pnl = models.DecimalField(**MONEY, null=True, blank=True, help_text="Unknown for some imports.")
    unrealized_pnl = models.DecimalField(**MONEY, null=True, blank=True, help_text="Unknown for some imports.")
    position_count = models.PositiveIntegerField(null=True, blank=True)
    is_stale = models.BooleanField(default=False, help_text="The source had no fresh account state at the time.")
    stale_reason = models.CharField(max_length=300, blank=True)
    origin = models.CharField(max_length=12, choices=SnapshotOrigin.choices, default=SnapshotOrigin.LIVE)
    as_of = models.DateTimeField(help_text="When the values were observed.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source_id", "bucket"]
        constraints = [
            # NULLs are distinct in a plain unique constraint, so the combined fund (source NULL) gets its own
            # partial one; both work on Postgres and SQLite alike, unlike nulls_distinct=False.
            models.UniqueConstraint(fields=["source", "bucket"], name="equity_snapshot_unique_source_bucket"),
            models.UniqueConstraint(
                fields=["bucket"], condition=models.Q(source__isnull=True), name="equity_snapshot_unique_fund_bucket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source or 'fund'} {self.bucket:%Y-%m-%d %H:00} {self.equity}"

    def clean(self) -> None:
        if self.bucket and (self.bucket.minute or self.bucket.second or self.bucket.microsecond):
            raise ValidationError({"bucket": "A bucket is a whole UTC hour."})

    @property
    def realized_equity(self):
        """Equity without the open positions' PnL (closed-trade equity); None when that PnL is unknown."""
        return None if self.unrealized_pnl is None else self.equity - self.unrealized_pnl


class EquityImport(models.Model):
    """One history import (file, JSON rows or a pull from a source), its progress and its result summary."""

    kind = models.CharField(max_length=12, choices=ImportKind.choices)
    source = models.ForeignKey(
        "sources.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The source whose history is pulled (pull imports only).",
    )  # fmt: skip
    filename = models.CharField(max_length=255, blank=True)
    payload = models.TextField(blank=True, help_text="The uploaded CSV or JSON, kept so a retried task can rerun.")
    commit_good_rows = models.BooleanField(
        default=False, help_text="Import the good rows of a file that has bad ones (they are listed, not imported)."
    )
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import #{self.pk} ({self.get_kind_display()}, {self.get_status_display()})"

    @property
    def percent(self) -> int:
        """Rows done as a whole percent; 100 once finished."""
        if self.is_finished:
            return 100
        return min(99, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_IMPORT_STATUSES
