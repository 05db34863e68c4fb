"""Alerts shared by every area (reconciliation, watchdog): raised once, cleared when resolved."""

from django.db import models


class Alert(models.Model):
    """Something an admin must look at; one active alert per (kind, key)."""

    class Severity(models.TextChoices):
        WARNING = "warning", "Warning"
        CRITICAL = "critical", "Critical"

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, help_text="What the alert is about, e.g. trader:hl/BTC.")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    title = models.CharField(max_length=200)
    detail = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"], condition=models.Q(cleared_at__isnull=True), name="alert_one_active_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None
