"""Read queries of the services app; each takes the user who asks and admits fund admins only."""

from __future__ import annotations

from django.db.models import QuerySet

from apps.accounts.access import require_fund_admin
from apps.core.masking import mask_secret
from apps.core.models import Alert
from apps.services.configuration import CHANNEL_SETTINGS, GENERAL_SETTINGS, SOURCE_SETTINGS
from apps.services.definitions import definition_state, secret_environment_masked
from apps.services.models import AlertChannel, ManagedService, PanelSettings, ServiceEvent
from apps.services.services import ALERT_KIND
from apps.sources.models import Source
from apps.sources.registry import credentials_masked


def services_list(*, user) -> QuerySet[ManagedService]:
    require_fund_admin(user)
    return ManagedService.objects.select_related("source")


def service_get(*, user, pk: int) -> ManagedService:
    return services_list(user=user).get(pk=pk)


def service_events_list(*, user, service: ManagedService | None = None, limit: int = 12) -> list[ServiceEvent]:
    """Newest events first, of one service or of all."""
    require_fund_admin(user)
    events = ServiceEvent.objects.select_related("service")
    if service is not None:
        events = events.filter(service=service)
    return list(events[:limit])


def service_alerts_active(*, user) -> list[Alert]:
    """Open 'watchdog gave up' alerts, for the banner."""
    require_fund_admin(user)
    return list(Alert.objects.filter(kind=ALERT_KIND, cleared_at__isnull=True))


def sources_list(*, user) -> QuerySet[Source]:
    """Sources, for their poll settings and keys on the Settings tab."""
    require_fund_admin(user)
    return Source.objects.all()


def alert_channels_list(*, user) -> QuerySet[AlertChannel]:
    require_fund_admin(user)
    return AlertChannel.objects.all()


def panel_refresh_s(*, user) -> int:
    require_fund_admin(user)
    return PanelSettings.load().refresh_s


def settings_state(*, user) -> dict:
    """Every setting the Settings tab edits (GET /api/settings); credentials are not in it."""
    require_fund_admin(user)
    services = []
    for service in ManagedService.objects.select_related("source"):
        state = definition_state(service)
        state.pop("secret_environment")
        services.append(state)
    sources = [{"name": s.name, "kind": s.kind, **{f: getattr(s, f) for f in SOURCE_SETTINGS}}
               for s in Source.objects.all()]  # fmt: skip
    channels = [
        {"name": c.name, **{f: getattr(c, f) for f in CHANNEL_SETTINGS}, "has_token": bool(c.token),
         "last_sent_at": c.last_sent_at, "last_error": c.last_error}
        for c in AlertChannel.objects.all()
    ]  # fmt: skip
    panel = PanelSettings.load()
    return {"services": services, "sources": sources, "alert_channels": channels,
            "general": {name: getattr(panel, name) for name in GENERAL_SETTINGS}}  # fmt: skip


def settings_keys_masked(*, user) -> dict:
    """Every credential the fund holds, masked (GET /api/settings/keys)."""
    require_fund_admin(user)
    return {
        "services": {s.name: secret_environment_masked(s) for s in ManagedService.objects.all()},
        "sources": {s.name: credentials_masked(s.credentials) for s in Source.objects.all()},
        "alert_channels": {c.name: {"token": mask_secret(c.token)} for c in AlertChannel.objects.all()},
    }
