from django.db import models


class ServiceKind(models.TextChoices):
    TRADER = "trader", "Trader"
    UCB = "ucb", "UCB training"
    OTHER = "other", "Other"


class ServiceStatus(models.TextChoices):
    RUNNING = "running", "Running"
    STARTING = "starting", "Starting"
    UNHEALTHY = "unhealthy", "Unhealthy"
    CRASHED = "crashed", "Crashed"
    STOPPED = "stopped", "Stopped"


class EventKind(models.TextChoices):
    STARTED = "started", "Started"
    START_FAILED = "start_failed", "Start failed"
    STOPPED = "stopped", "Stopped"
    HEALTH_FAILED = "health_failed", "Health check failed"
    CRASHED = "crashed", "Crashed"
    RESTARTED = "restarted", "Restarted by watchdog"
    GAVE_UP = "gave_up", "Watchdog gave up"
    RECOVERED = "recovered", "Recovered"


class ChannelKind(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
