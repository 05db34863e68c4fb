"""REST API of the risk master controller (fund admins): list, change, enable, reset, bulk update, history."""

from __future__ import annotations

import json
from decimal import Decimal
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.http import client_ip
from apps.strategies import selectors
from apps.strategies.choices import Channel, SyncState
from apps.strategies.models import RiskSetting
from apps.strategies.serializers import (
    RiskBulkItemSerializer,
    RiskChangeSerializer,
    RiskResetSerializer,
    RiskSettingSerializer,
    RiskSettingVersionSerializer,
    RiskVersionSerializer,
)
from apps.strategies.services import (
    Actor,
    BulkItem,
    ChangeResult,
    KillSwitchResetFailed,
    StaleVersionError,
    risk_kill_switch_reset,
    risk_setting_change,
    risk_setting_enable,
    risk_setting_push_ours,
    risk_setting_take_trader,
    risk_settings_bulk_change,
)
from apps.strategies.validation import version_clean

MAX_BULK_ITEMS = 500
KEY_FIELDS = ("source", "strategy_id", "symbol")
RESULT_STATUS = {SyncState.IN_SYNC: HTTPStatus.OK, SyncState.DRIFT: HTTPStatus.OK,
                 SyncState.PENDING: HTTPStatus.ACCEPTED, SyncState.FAILED: HTTPStatus.BAD_GATEWAY}  # fmt: skip


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number")


class DecimalJSONParser(JSONParser):
    """JSON whose non-integer numbers become Decimals: money never passes through a float."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(stream.read().decode(encoding), parse_float=Decimal, parse_constant=_reject_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}")


def _object_body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ParseError("The body must be a JSON object.")
    return request.data


def _respond(action) -> Response:
    """Run a change and answer with the row and the trader's answer, or with what was wrong."""
    try:
        result: ChangeResult = action()
    except DjangoValidationError as error:
        return Response(error.message_dict, status=HTTPStatus.BAD_REQUEST)
    except StaleVersionError as error:
        return Response({"detail": str(error), "version": error.current}, status=HTTPStatus.CONFLICT)
    except KillSwitchResetFailed as error:
        status = HTTPStatus.SERVICE_UNAVAILABLE if error.retryable else HTTPStatus.BAD_GATEWAY
        return Response({"detail": str(error)}, status=status)
    body = {"result": result.sync_state, "changed": result.changed, "message": result.message,
            "setting": RiskSettingSerializer(result.setting).data}  # fmt: skip
    return Response(body, status=RESULT_STATUS[result.sync_state] if result.changed else HTTPStatus.OK)


@extend_schema(parameters=[OpenApiParameter("source", str, description="source name"), OpenApiParameter("symbol", str),
                           OpenApiParameter("sync_state", str, enum=SyncState.values)])  # fmt: skip
class RiskListApi(generics.ListAPIView):
    """Every strategy of every trader with its risk settings, ours and the trader's."""

    serializer_class = RiskSettingSerializer
    pagination_class = None

    def get_queryset(self):
        params = self.request.query_params
        return selectors.risk_settings_list(user=self.request.user, source=params.get("source") or None,
                                            symbol=params.get("symbol") or None,
                                            sync_state=params.get("sync_state") or None)  # fmt: skip


class _OneStrategyApi(APIView):
    """Base of the per-strategy endpoints: finds the row by trader name, strategy id and symbol."""

    parser_classes = [DecimalJSONParser]

    def row(self, request, source: str, strategy_id: str, symbol: str) -> RiskSetting:
        try:
            return selectors.risk_setting_for_key(user=request.user, source=source, strategy_id=strategy_id,
                                                  symbol=symbol)  # fmt: skip
        except RiskSetting.DoesNotExist:
            raise NotFound(f"No strategy {strategy_id}/{symbol} on {source}.")

    @staticmethod
    def actor(request) -> Actor:
        return Actor(user=request.user, channel=Channel.API, ip=client_ip(request))

    @staticmethod
    def version(body: dict) -> int | None:
        return version_clean(body.get("version"))


class RiskDetailApi(_OneStrategyApi):
    """One strategy's risk settings; PUT changes any of them and pushes them to the trader."""

    @extend_schema(responses=RiskSettingSerializer)
    def get(self, request, **key):
        return Response(RiskSettingSerializer(self.row(request, **key)).data)

    @extend_schema(request=RiskChangeSerializer, responses={200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT})
    def put(self, request, **key):
        row, body = self.row(request, **key), _object_body(request)
        values = {name: value for name, value in body.items() if name != "version"}
        return _respond(lambda: risk_setting_change(setting=row, values=values, expected_version=self.version(body),
                                                    actor=self.actor(request)))  # fmt: skip


class RiskEnableApi(_OneStrategyApi):
    """Enable (or, on the disable path, disable) the strategy at its trader."""

    enabled = True

    @extend_schema(request=RiskVersionSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, **key):
        row, body = self.row(request, **key), request.data if isinstance(request.data, dict) else {}
        return _respond(lambda: risk_setting_enable(setting=row, enabled=self.enabled, actor=self.actor(request),
                                                    expected_version=self.version(body)))  # fmt: skip


class RiskDisableApi(RiskEnableApi):
    enabled = False


class RiskResetApi(_OneStrategyApi):
    """Reset the strategy's kill switch at its trader, with a reason (never queued: 503 if the trader is down)."""

    @extend_schema(request=RiskResetSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, **key):
        row, body = self.row(request, **key), _object_body(request)
        return _respond(lambda: risk_kill_switch_reset(setting=row, reason=body.get("reason"),
                                                       actor=self.actor(request)))  # fmt: skip


class RiskTakeTraderApi(_OneStrategyApi):
    """Resolve drift by making the trader's values ours."""

    @extend_schema(request=RiskVersionSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, **key):
        row, body = self.row(request, **key), request.data if isinstance(request.data, dict) else {}
        return _respond(lambda: risk_setting_take_trader(setting=row, expected_version=self.version(body),
                                                         actor=self.actor(request)))  # fmt: skip


class RiskPushOursApi(_OneStrategyApi):
    """Resolve drift (or a failed push) by pushing our values again."""

    @extend_schema(request=RiskVersionSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, **key):
        row, body = self.row(request, **key), request.data if isinstance(request.data, dict) else {}
        return _respond(lambda: risk_setting_push_ours(setting=row, expected_version=self.version(body),
                                                       actor=self.actor(request)))  # fmt: skip


class RiskHistoryApi(_OneStrategyApi):
    """The strategy's confirmed versions, newest first (restore one with PUT and its values)."""

    @extend_schema(responses=RiskSettingVersionSerializer(many=True))
    def get(self, request, **key):
        history = selectors.risk_history(user=request.user, setting=self.row(request, **key))
        return Response(RiskSettingVersionSerializer(history["versions"], many=True).data)


class RiskBulkApi(APIView):
    """Apply many changes at once; each item succeeds or fails on its own, with its field errors."""

    parser_classes = [DecimalJSONParser]

    @extend_schema(request=RiskBulkItemSerializer(many=True), responses=OpenApiTypes.OBJECT)
    def post(self, request):
        raw = request.data.get("items") if isinstance(request.data, dict) else request.data
        if not isinstance(raw, list) or not raw:
            raise ParseError('Send a non-empty JSON array of items (or {"items": [...]}).')
        if len(raw) > MAX_BULK_ITEMS:
            raise ParseError(f"At most {MAX_BULK_ITEMS} items per request.")
        rows = {(r.strategy.source.name, r.strategy.strategy_id, r.strategy.symbol): r
                for r in selectors.risk_settings_list(user=request.user)}  # fmt: skip
        items = [self._item(entry, rows) for entry in raw]
        outcomes = risk_settings_bulk_change(items=items, actor=Actor(user=request.user, channel=Channel.API,
                                                                      ip=client_ip(request)))  # fmt: skip
        ids = [outcome.item.setting.pk for outcome in outcomes if outcome.item.setting is not None]
        versions = dict(RiskSetting.objects.filter(pk__in=ids).values_list("pk", "version"))
        results = [self._result(entry, outcome, versions) for entry, outcome in zip(raw, outcomes, strict=True)]
        return Response({"results": results})

    @staticmethod
    def _item(entry, rows: dict) -> BulkItem:
        if not isinstance(entry, dict):
            return BulkItem(setting=None, values={}, errors={"__all__": ["Each item must be a JSON object."]})
        missing = {name: ["This field is required."] for name in KEY_FIELDS if not isinstance(entry.get(name), str)}
        if missing:
            return BulkItem(setting=None, values={}, errors=missing)
        row = rows.get(tuple(entry[name] for name in KEY_FIELDS))
        if row is None:
            return BulkItem(setting=None, values={}, errors={"__all__": ["No such strategy on that source."]})
        values = {name: value for name, value in entry.items() if name not in (*KEY_FIELDS, "version")}
        try:
            return BulkItem(setting=row, values=values, version=version_clean(entry.get("version")))
        except DjangoValidationError as error:
            return BulkItem(setting=row, values=values, errors=error.message_dict)

    @staticmethod
    def _result(entry, outcome, versions: dict[int, int]) -> dict:
        """success: the change was accepted (sync_state says whether the trader has it yet)."""
        key = {name: entry.get(name) for name in KEY_FIELDS} if isinstance(entry, dict) else {}
        accepted = not outcome.errors and outcome.sync_state != SyncState.FAILED
        result = {**key, "success": accepted, "sync_state": outcome.sync_state, "message": outcome.message}
        if outcome.errors:
            result["errors"] = outcome.errors
        elif outcome.item.setting is not None:
            result["version"] = versions.get(outcome.item.setting.pk)
        return result
