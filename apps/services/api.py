"""REST API of the services app (verified fund admins): service state and control, the fund's settings.

No request parameter ever reaches a command line: an action's body is ignored, commands come only from
the stored definition, which only /api/settings (validated, audited) changes.
"""

from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.choices import AuditOutcome
from apps.accounts.http import client_ip
from apps.accounts.services import audit_event_record
from apps.core.wire import jsonable
from apps.services import selectors
from apps.services.configuration import SettingsInvalid, settings_keys_update, settings_update
from apps.services.serializers import ActionManySerializer, ActionResultSerializer, ServiceSerializer
from apps.services.services import service_restart, service_start, service_stop, services_start, services_stop

ACTIONS = {"start": service_start, "stop": service_stop, "restart": service_restart}
MANY_ACTIONS = {"start": services_start, "stop": services_stop}


class _DeniedAttemptsAudited:
    """Refused attempts to change something are audited too: who tried what, from where."""

    audit_action = ""

    def permission_denied(self, request, message=None, code=None):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            user = request.user if request.user.is_authenticated else None
            target = f"service:{self.kwargs['pk']}" if "pk" in self.kwargs else self.audit_action.split(".")[0]
            audit_event_record(actor=user, actor_label="" if user else "anonymous", action=self.audit_action,
                               target=target, outcome=AuditOutcome.DENIED, ip=client_ip(request))  # fmt: skip
        super().permission_denied(request, message=message, code=code)


class ServiceListApi(generics.ListAPIView):
    """Every managed service with its status, uptime, restarts, last heartbeat and error count."""

    serializer_class = ServiceSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.services_list(user=self.request.user)


class ServiceActionApi(_DeniedAttemptsAudited, APIView):
    """Start, stop or restart one service; start waits for the health answer or the start timeout."""

    service_action = "start"

    @property
    def audit_action(self) -> str:
        return f"service.{self.service_action}"

    @extend_schema(request=None, responses={200: ActionResultSerializer, 409: ActionResultSerializer})
    def post(self, request, pk: int):
        service = get_object_or_404(selectors.services_list(user=request.user), pk=pk)
        result = ACTIONS[self.service_action](service=service, actor=request.user, ip=client_ip(request))
        service.refresh_from_db()
        body = {**asdict(result), "service_state": ServiceSerializer(service).data}
        return Response(body, status=status.HTTP_409_CONFLICT if result.is_conflict else status.HTTP_200_OK)


class ServicesAllApi(_DeniedAttemptsAudited, APIView):
    """Start or stop every service at once; starts run side by side and are awaited together."""

    service_action = "start"

    @property
    def audit_action(self) -> str:
        return f"service.{self.service_action}_all"

    @extend_schema(request=None, responses=ActionManySerializer)
    def post(self, request):
        services = list(selectors.services_list(user=request.user))
        results = MANY_ACTIONS[self.service_action](services=services, actor=request.user, ip=client_ip(request))
        return Response({"ok": all(r.ok for r in results), "results": [asdict(r) for r in results]})


SETTINGS_EXAMPLE = {
    "services": {"hyperliquid-trader": {"health_interval_s": 15, "start_command": ["python", "manage.py", "simulate"]}},
    "sources": {"lighter-trader": {"poll_interval_s": 10}},
    "alert_channels": {"telegram": {"kind": "telegram", "chat_id": "-100123", "is_enabled": True}},
    "general": {"refresh_s": 2},
}
KEYS_EXAMPLE = {
    "sources": {"binance": {"apiKey": "...", "secret": "..."}},
    "services": {"hyperliquid-trader": {"HL_PRIVATE_KEY": "0x..."}},
    "alert_channels": {"telegram": {"token": "123456:ABC..."}},
}


class SettingsApi(_DeniedAttemptsAudited, APIView):
    """The fund's settings: service commands, paths and intervals, source polling, alert channels, panel."""

    audit_action = "settings.update"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(jsonable(selectors.settings_state(user=request.user)))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT,
                   examples=[OpenApiExample("some settings", value=SETTINGS_EXAMPLE, request_only=True)])  # fmt: skip
    def put(self, request):
        """Change any subset; all or nothing: a 400 names each refused field (section -> name -> field)."""
        try:
            settings_update(changes=request.data, actor=request.user, ip=client_ip(request))
        except SettingsInvalid as refused:
            return Response(refused.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(jsonable(selectors.settings_state(user=request.user)))


class SettingsKeysApi(_DeniedAttemptsAudited, APIView):
    """Credentials: write-only, read back masked (source keys, services' secret variables, bot tokens)."""

    audit_action = "settings.keys_update"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(selectors.settings_keys_masked(user=request.user))

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT,
                   examples=[OpenApiExample("replace keys", value=KEYS_EXAMPLE, request_only=True)])  # fmt: skip
    def put(self, request):
        """Replace the named credentials as a whole (null removes them); answers them masked."""
        try:
            settings_keys_update(changes=request.data, actor=request.user, ip=client_ip(request))
        except SettingsInvalid as refused:
            return Response(refused.errors, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.settings_keys_masked(user=request.user))
