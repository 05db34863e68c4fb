"""REST API of the sources app, under /api/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.sources import api, ucb_api

router = SimpleRouter()
router.register("sources", api.SourceViewSet, basename="source")

urlpatterns = [
    path("positions", api.PositionListApi.as_view(), name="api-positions"),
    path("orders", api.OrderListApi.as_view(), name="api-orders"),
    path("trades", api.TradeListApi.as_view(), name="api-trades"),
    path("analytics", api.AnalyticsApi.as_view(), name="api-analytics"),
    path("status", api.StatusApi.as_view(), name="api-status"),
    path("health", api.HealthApi.as_view(), name="api-health"),
    path("ucb/<str:section>", ucb_api.UcbApi.as_view(), name="api-ucb"),
    *router.urls,
]
