from django.db import models


class SyncState(models.TextChoices):
    """How a strategy's desired risk settings stand against what its trader reports."""

    IN_SYNC = "in_sync", "In sync"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"
    DRIFT = "drift", "Drift"


class Channel(models.TextChoices):
    """Where a risk change came from, for the audit log and the version history."""

    PAGE = "page", "Risk page"
    ADMIN = "admin", "Django admin"
    API = "api", "REST API"
    SYSTEM = "system", "System"


class RiskAction:
    """Audit action names of the strategies app."""

    UPDATE = "risk.update"
    ENABLE = "risk.enable"
    DISABLE = "risk.disable"
    KILL_SWITCH_RESET = "risk.kill_switch_reset"
    TAKE_TRADER = "risk.take_trader"
    PUSH_OURS = "risk.push_ours"
    RESTORE = "risk.restore"
    RETRY_LANDED = "risk.push_retry"
    KILL_SWITCH_TRIP = "risk.kill_switch_trip"
    KILL_SWITCH_CLEARED = "risk.kill_switch_cleared"
