"""Raise and clear alerts idempotently; every change is broadcast to the live view."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.broadcast import broadcast_after_commit
from apps.core.models import Alert


@transaction.atomic
def alert_raise(*, kind: str, key: str, title: str, detail: dict, severity: str = Alert.Severity.WARNING) -> Alert:
    """Open an alert, or refresh the detail of the one already open for (kind, key)."""
    active = Alert.objects.select_for_update().filter(kind=kind, key=key, cleared_at__isnull=True).first()
    if active is not None:
        active.detail, active.title = detail, title
        active.save(update_fields=["detail", "title"])
        return active
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind, key=key, title=title, detail=detail, severity=severity, raised_at=timezone.now()
            )
    except IntegrityError:  # raised by a concurrent poll a moment ago
        return Alert.objects.get(kind=kind, key=key, cleared_at__isnull=True)
    broadcast_after_commit(event="alert", payload={"kind": kind, "key": key, "title": title, "active": True})
    return alert


@transaction.atomic
def alert_clear(*, kind: str, key: str) -> bool:
    """Close the open alert for (kind, key); False when none was open."""
    cleared = Alert.objects.filter(kind=kind, key=key, cleared_at__isnull=True).update(cleared_at=timezone.now())
    if cleared:
        broadcast_after_commit(event="alert", payload={"kind": kind, "key": key, "active": False})
    return bool(cleared)
