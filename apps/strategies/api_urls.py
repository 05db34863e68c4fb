"""REST API of the strategies app, under /api/."""

from django.urls import path

from apps.strategies import api

ONE = "risk/<str:source>/<str:strategy_id>/<str:symbol>"

urlpatterns = [
    path("risk/strategies", api.RiskListApi.as_view(), name="api-risk-strategies"),
    path("risk/bulk-update", api.RiskBulkApi.as_view(), name="api-risk-bulk-update"),
    path(ONE, api.RiskDetailApi.as_view(), name="api-risk-detail"),
    path(f"{ONE}/enable", api.RiskEnableApi.as_view(), name="api-risk-enable"),
    path(f"{ONE}/disable", api.RiskDisableApi.as_view(), name="api-risk-disable"),
    path(f"{ONE}/reset-kill-switch", api.RiskResetApi.as_view(), name="api-risk-reset-kill-switch"),
    path(f"{ONE}/take-trader", api.RiskTakeTraderApi.as_view(), name="api-risk-take-trader"),
    path(f"{ONE}/push-ours", api.RiskPushOursApi.as_view(), name="api-risk-push-ours"),
    path(f"{ONE}/history", api.RiskHistoryApi.as_view(), name="api-risk-history"),
]
