"""REST API of the sources app (fund admins): the aggregated book, analytics, status, sources."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.http import client_ip
from apps.core.health import health_report
from apps.core.wire import jsonable
from apps.sources import selectors
from apps.sources.registry import source_delete, source_save
from apps.sources.serializers import (
    OrderSerializer,
    PositionSerializer,
    SourceSerializer,
    SourceStatusSerializer,
    TradeSerializer,
)

BOOK_FILTERS = [
    OpenApiParameter("source", str, description="source name"),
    OpenApiParameter("strategy", str),
    OpenApiParameter("symbol", str),
]


def _book_filters(request) -> dict:
    return {key: request.query_params.get(key) or None for key in ("source", "strategy", "symbol")}


@extend_schema(parameters=BOOK_FILTERS)
class PositionListApi(generics.ListAPIView):
    """Every open position of every source, normalized."""

    serializer_class = PositionSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.positions_list(user=self.request.user, **_book_filters(self.request))


@extend_schema(parameters=BOOK_FILTERS)
class OrderListApi(generics.ListAPIView):
    """Every open order of every source, normalized."""

    serializer_class = OrderSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.orders_list(user=self.request.user, **_book_filters(self.request))


class TradePagination(CursorPagination):
    ordering = ("-closed_at", "-id")
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


@extend_schema(parameters=[*BOOK_FILTERS, OpenApiParameter("since", OpenApiTypes.DATETIME),
                           OpenApiParameter("limit", int, description="page size, at most 1000")])  # fmt: skip
class TradeListApi(generics.ListAPIView):
    """Closed trades, newest first, cursor-paginated."""

    serializer_class = TradeSerializer
    pagination_class = TradePagination

    def get_queryset(self):
        since_raw = self.request.query_params.get("since")
        since = parse_datetime(since_raw) if since_raw else None
        if since_raw and (since is None or since.tzinfo is None):
            raise serializers.ValidationError({"since": "Use ISO-8601 with a zone, e.g. 2026-11-01T00:00:00Z."})
        limit = self.request.query_params.get("limit")
        if limit is not None and (not limit.isdigit() or not 1 <= int(limit) <= 1000):
            raise serializers.ValidationError({"limit": "Must be a whole number from 1 to 1000."})
        return selectors.trades_list(user=self.request.user, since=since, **_book_filters(self.request))


class AnalyticsApi(APIView):
    """Combined and per-source equity, PnL windows, counts, win rate, R:R, best and worst trade."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(jsonable(selectors.analytics_summary(user=request.user)))


class StatusApi(APIView):
    """This service and every source: status, last good poll, last error."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        sources = SourceStatusSerializer(selectors.sources_list(user=request.user), many=True).data
        healthy, _ = health_report()
        return Response({"service": "pogfund", "healthy": healthy, "sources": sources})


class HealthApi(APIView):
    """The /healthz report through the API (token-authenticated monitoring)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        healthy, report = health_report()
        return Response(report, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)


class SourceViewSet(viewsets.ModelViewSet):
    """Register and edit sources; credentials are write-only and always masked on read."""

    serializer_class = SourceSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.sources_list(user=self.request.user)

    def perform_update(self, serializer):
        source = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(source, name, value)
        self._save(source)
        serializer.instance = source

    def _save(self, source):
        try:
            source_save(source=source, actor=self.request.user, ip=client_ip(self.request))
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = serializer.Meta.model(**serializer.validated_data)
        self._save(source)
        return Response(self.get_serializer(source).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        source_delete(source=instance, actor=self.request.user, ip=client_ip(self.request))
