"""Managed processes (trader services, UCB), their event log, alert channels and the panel's settings."""

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from apps.core.fields import EncryptedTextField
from apps.services.choices import ChannelKind, EventKind, ServiceKind, ServiceStatus
from apps.sources.models import Source

DEFAULT_HEALTH_PATH = "/api/status"  # shared/contracts/trader-api.md: every trader and UCB answers it
TELEGRAM_API = "https://api.telegram.org"


class ManagedService(models.Model):
    """A process the fund starts, stops and watches: its definition, then its last observed state."""

    name = models.SlugField(max_length=64, unique=True, help_text="Short slug; also names its log and PID files.")
    display_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=ServiceKind.choices, default=ServiceKind.TRADER)
    source = models.OneToOneField(
        Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_service",
        help_text="The source whose data this service serves: it turns stale while the service is down.",
    )  # fmt: skip
    host = models.CharField(max_length=255, default="127.0.0.1")
    port = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    health_url = models.URLField(blank=True, help_text=f"Empty: http://host:port{DEFAULT_HEALTH_PATH}.")
    start_command = models.JSONField(default=list, help_text="Argument list, never a shell string.")
    stop_command = models.JSONField(
        default=list, blank=True, help_text="Argument list; empty: SIGTERM the process group, then SIGKILL."
    )
    is_detached = models.BooleanField(
        default=False,
        help_text="The start command hands the service to another manager (systemd, Docker) and returns; "
        "status then comes from the port, the health answer and the PID file the service writes.",
    )
    working_directory = models.CharField(max_length=500, blank=True, help_text="Empty: the fund's base directory.")
    environment = models.JSONField(default=dict, blank=True, help_text="Variables added to the fund's environment.")
    secret_environment = EncryptedTextField(
        blank=True, help_text="JSON object of secret variables (keys, tokens); encrypted, never shown again."
    )
    pid_file = models.CharField(max_length=500, blank=True, help_text="Empty: var/services/<name>.pid.")
    is_watchdog_enabled = models.BooleanField(default=True)
    health_interval_s = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(3600)]
    )
    failures_before_restart = models.PositiveIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_restarts_per_hour = models.PositiveIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    start_timeout_s = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="How long a start waits for the health answer before it reports a failure.",
    )  # fmt: skip
    stop_timeout_s = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(300)],
        help_text="How long a stop waits after SIGTERM (or the stop command) before SIGKILL.",
    )  # fmt: skip
    start_with_fund = models.BooleanField(
        default=False, help_text="Started by `runfund` when the fund starts and stopped when it stops (demo)."
    )

    # Observed state, written only by the services module (update() on these fields, never save()).
    status = models.CharField(max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.STOPPED)
    status_detail = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    should_run = models.BooleanField(default=False, help_text="Desired state: the watchdog only revives these.")
    pid = models.PositiveIntegerField(null=True, blank=True)
    pid_create_time = models.FloatField(null=True, blank=True)  # tells our process from a reused PID
    log_offset = models.BigIntegerField(default=0)  # where the current run's output starts in the log
    started_at = models.DateTimeField(null=True, blank=True)
    starting_until = models.DateTimeField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_health_check_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    restart_count = models.PositiveIntegerField(default=0)
    last_restart_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    busy_until = models.DateTimeField(null=True, blank=True)  # claimed by a start/stop/restart in progress
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(health_interval_s__gte=1), name="service_health_interval_min"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.name

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def effective_health_url(self) -> str:
        if self.health_url:
            return self.health_url
        if not self.port:
            return ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{DEFAULT_HEALTH_PATH}"

    @property
    def is_gave_up(self) -> bool:
        return self.gave_up_at is not None

    def uptime_s(self, now: datetime | None = None) -> int | None:
        """Seconds since it started, while it runs."""
        if self.status != ServiceStatus.RUNNING or self.started_at is None:
            return None
        return max(0, int(((now or timezone.now()) - self.started_at).total_seconds()))


class ServiceEvent(models.Model):
    """One line of a service's history: started, stopped, health failed, restarted by watchdog, gave up."""

    service = models.ForeignKey(ManagedService, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="User name, or watchdog / runfund.")
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["service", "kind", "at"], name="service_event_kind_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.service_id} {self.kind}"

    @property
    def summary(self) -> str:
        """The one line of detail worth showing in a list."""
        detail = self.detail or {}
        return str(detail.get("detail") or detail.get("reason") or "")


class AlertChannel(models.Model):
    """Where alerts are sent (a Telegram chat today); the notifier is found by kind."""

    name = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices, default=ChannelKind.TELEGRAM)
    is_enabled = models.BooleanField(default=True)
    chat_id = models.CharField(max_length=64, help_text="Telegram chat id (a number, or @channelname).")
    api_base_url = models.URLField(default=TELEGRAM_API, help_text="Telegram Bot API base URL.")
    token = EncryptedTextField(blank=True, help_text="Bot token; encrypted, never shown again.")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PanelSettings(models.Model):
    """The fund-wide knobs of the service panel (one row)."""

    refresh_s = models.PositiveIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How often the service cards refresh their status, in seconds.",
    )  # fmt: skip

    def __str__(self) -> str:
        return "Service panel settings"

    @classmethod
    def load(cls) -> "PanelSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row
