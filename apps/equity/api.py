"""REST API of the equity app (fund admins): snapshots, chart curves, analytics, snapshot now, history imports."""

import json
from decimal import Decimal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.http import client_ip
from apps.core.wire import jsonable
from apps.equity import selectors
from apps.equity.analytics import equity_analytics_json
from apps.equity.choices import ImportKind
from apps.equity.history import PULLABLE_KINDS
from apps.equity.serializers import (
    BackfillSerializer,
    EquityImportSerializer,
    EquitySnapshotSerializer,
    ListQuerySerializer,
    RangeQuerySerializer,
)
from apps.equity.services import equity_import_create, equity_import_start, equity_snapshot_take
from apps.sources.models import Source

SOURCE_PARAM = OpenApiParameter("source", str, description='source name, or "fund" for the combined fund')
RANGE_PARAMS = [
    OpenApiParameter("range", str, enum=list(RangeQuerySerializer().fields["range"].choices), default="All"),
    OpenApiParameter("max_points", int, description="at most this many points per series (5..10000)", default=1000),
    SOURCE_PARAM,
]


class SnapshotPagination(CursorPagination):
    ordering = ("bucket", "id")
    page_size = 500
    page_size_query_param = "limit"
    max_page_size = 5000


def _query(serializer_class, request) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


@extend_schema(parameters=[SOURCE_PARAM, OpenApiParameter("start", OpenApiTypes.DATETIME),
                           OpenApiParameter("end", OpenApiTypes.DATETIME),
                           OpenApiParameter("limit", int, description="page size, at most 5000")])  # fmt: skip
class SnapshotListApi(generics.ListAPIView):
    """Hourly snapshots oldest first, cursor-paginated; filter by source ("fund" = combined), start, end."""

    serializer_class = EquitySnapshotSerializer
    pagination_class = SnapshotPagination

    def get_queryset(self):
        query = _query(ListQuerySerializer, self.request)
        source = self.kwargs.get("source") or query.get("source") or None
        if source and source != selectors.FUND and not Source.objects.filter(name=source).exists():
            raise NotFound(f"No source named {source!r}.")
        return selectors.snapshots_list(user=self.request.user, source=source, start=query.get("start"),
                                        end=query.get("end"))  # fmt: skip


@extend_schema(operation_id="equity_source_list", parameters=[OpenApiParameter("start", OpenApiTypes.DATETIME),
               OpenApiParameter("end", OpenApiTypes.DATETIME), OpenApiParameter("limit", int)])  # fmt: skip
class SourceSnapshotListApi(SnapshotListApi):
    """One source's hourly snapshots (or the fund's, at /api/equity/fund), oldest first, cursor-paginated."""


class _CachedJsonApi(APIView):
    """Answers with JSON bytes a selector cached: a hit skips decoding and re-encoding hundreds of points."""

    selector = None

    @extend_schema(parameters=RANGE_PARAMS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = _query(RangeQuerySerializer, request)
        source = query.get("source") or None
        try:
            body = type(self).selector(user=request.user, range_name=query["range"], max_points=query["max_points"],
                                       source=source)  # fmt: skip
        except Source.DoesNotExist:
            raise NotFound(f"No source named {source!r}.")
        return HttpResponse(body, content_type="application/json")


class CurvesApi(_CachedJsonApi):
    """Chart-ready equity series of the fund and every source over a range, LTTB-downsampled to max_points.

    Each series: key, source, label, total_points, columns, and points [[t (epoch ms), equity,
    realized_equity, realized_pnl, unrealized_pnl, is_stale], ...] with money as decimal strings.
    """

    selector = selectors.equity_curves_json


class AnalyticsApi(_CachedJsonApi):
    """Total return, CAGR, volatility, Sharpe, Sortino, Calmar, drawdowns, daily/monthly/yearly returns."""

    selector = equity_analytics_json


class SnapshotApi(APIView):
    """Take this hour's snapshot now; a second call in the same hour updates it (audited)."""

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        result = equity_snapshot_take(actor=request.user, ip=client_ip(request))
        rows = EquitySnapshotSerializer(result.rows, many=True).data
        answer = {"bucket": result.bucket, "rows": rows, "stale_sources": result.stale_sources,
                  "missing_sources": result.missing_sources}  # fmt: skip
        return Response(jsonable(answer), status=status.HTTP_201_CREATED)


class BackfillApi(APIView):
    """Import history: a CSV upload (`file`), JSON `rows`, or `pull` a source's own history.

    Rows: timestamp (ISO-8601 with zone), source (empty = the fund), equity, realized, unrealized. A file with
    a bad row imports nothing unless commit_good_rows is set. Small imports answer 201 with the result, the
    rest 202 with the import to follow at progress_url.
    """

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=BackfillSerializer, responses={201: EquityImportSerializer, 202: EquityImportSerializer})
    def post(self, request):
        if request.content_type.startswith("application/json"):
            job = self._from_json(request)
        else:
            form = BackfillSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            job = self._create(request, form.validated_data)
        job = equity_import_start(job=job)
        code = status.HTTP_201_CREATED if job.is_finished else status.HTTP_202_ACCEPTED
        return Response(EquityImportSerializer(job).data, status=code)

    def _from_json(self, request):
        # Parsed here, not by DRF: its JSON parser turns 1.1 into a float, and money never goes through float.
        try:
            body = json.loads(request.body, parse_float=Decimal)
        except ValueError as error:
            raise serializers.ValidationError({"detail": f"Not JSON: {error}"})
        if not isinstance(body, dict):
            raise serializers.ValidationError({"detail": "Send a JSON object with rows or pull."})
        given = [name for name in ("rows", "pull") if name in body]
        if len(given) != 1:
            raise serializers.ValidationError({"detail": "Send exactly one of: rows (JSON array) or pull (source)."})
        if "rows" in body and not isinstance(body["rows"], list):
            raise serializers.ValidationError({"rows": "Must be a JSON array of row objects."})
        commit = body.get("commit_good_rows", False)
        if not isinstance(commit, bool):
            raise serializers.ValidationError({"commit_good_rows": "Must be true or false."})
        data = {"pull": body["pull"]} if "pull" in body else {"json": request.body.decode()}
        return self._create(request, {**data, "commit_good_rows": commit})

    def _create(self, request, data: dict):
        common = {"actor": request.user, "ip": client_ip(request), "commit_good_rows": data["commit_good_rows"]}
        if "pull" in data:
            source = Source.objects.filter(name=data["pull"], kind__in=PULLABLE_KINDS).first()
            if source is None:
                raise serializers.ValidationError({"pull": f"No trader or Hyperliquid source named {data['pull']!r}."})
            return equity_import_create(source=source, **common)
        if "json" in data:
            return equity_import_create(kind=ImportKind.JSON, payload=data["json"], **common)
        filename, text = data["file"]
        return equity_import_create(kind=ImportKind.CSV, payload=text, filename=filename, **common)


class BackfillDetailApi(APIView):
    """One import: status, percent, rows done, and once finished its summary (bad lines, gaps)."""

    @extend_schema(responses=EquityImportSerializer)
    def get(self, request, pk: int):
        job = get_object_or_404(selectors.equity_imports_list(user=request.user), pk=pk)
        return Response(EquityImportSerializer(job).data)
