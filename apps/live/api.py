"""REST API of the live app: the dashboard state and equity history, for scripts and the charts."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.live.selectors import equity_history
from apps.live.views import live_state

MAX_HOURS = 24 * 31


class LiveStateApi(APIView):
    """What the live socket sends as initial_state: summary, positions, orders, last trades, sources."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response(live_state(request.user))


class EquityHistoryApi(APIView):
    """Equity with and without open PnL, per source and combined, from account states (downsampled)."""

    @extend_schema(
        parameters=[OpenApiParameter("hours", int, description=f"window, 1 to {MAX_HOURS} (default 24)")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        try:
            hours = min(max(int(request.query_params.get("hours", 24)), 1), MAX_HOURS)
        except ValueError:
            hours = 24
        return Response(equity_history(user=request.user, hours=hours))
