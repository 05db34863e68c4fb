"""REST API of the equity app, under /api/; the fixed paths come before the {source} catch-all."""

from django.urls import path

from apps.equity import api

urlpatterns = [
    path("equity", api.SnapshotListApi.as_view(), name="api-equity"),
    path("equity/curves", api.CurvesApi.as_view(), name="api-equity-curves"),
    path("equity/analytics", api.AnalyticsApi.as_view(), name="api-equity-analytics"),
    path("equity/snapshot", api.SnapshotApi.as_view(), name="api-equity-snapshot"),
    path("equity/backfill", api.BackfillApi.as_view(), name="api-equity-backfill"),
    path("equity/backfill/<int:pk>", api.BackfillDetailApi.as_view(), name="api-equity-backfill-detail"),
    path("equity/<slug:source>", api.SourceSnapshotListApi.as_view(), name="api-equity-source"),
]
