from django.db import models


class SnapshotOrigin(models.TextChoices):
    LIVE = "live", "Hourly snapshot"
    FILE = "file", "Imported file"
    TRADER = "trader", "Trader history"
    HYPERLIQUID = "hyperliquid", "Hyperliquid history"
    DERIVED = "derived", "Sum of imported sources"


class ImportKind(models.TextChoices):
    CSV = "csv", "CSV file"
    JSON = "json", "JSON rows"
    TRADER = "trader", "Trader history"
    HYPERLIQUID = "hyperliquid", "Hyperliquid history"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a worker"
    VALIDATING = "validating", "Validating"
    IMPORTING = "importing", "Importing"
    SUCCEEDED = "succeeded", "Imported"
    REJECTED = "rejected", "Rejected: nothing imported"
    FAILED = "failed", "Failed"


FINISHED_IMPORT_STATUSES = frozenset({ImportStatus.SUCCEEDED, ImportStatus.REJECTED, ImportStatus.FAILED})
