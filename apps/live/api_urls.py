"""REST API of the live app, under /api/."""

from django.urls import path

from apps.live import api

urlpatterns = [
    path("live/state", api.LiveStateApi.as_view(), name="live-state"),
    path("live/equity-history", api.EquityHistoryApi.as_view(), name="live-equity-history"),
]
