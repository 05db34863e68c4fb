"""Pages of the live app, under /office/live/ (namespace "live"); the dashboard itself is /office/."""

from django.urls import path
from django.views.generic import RedirectView

from apps.live import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="office:home"), name="dashboard"),
    path("trades/", views.TradeHistoryPartialView.as_view(), name="trades"),
    path("panel/", views.SidePanelPartialView.as_view(), name="panel"),
]
