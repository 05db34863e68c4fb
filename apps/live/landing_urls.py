"""The back office landing (/office/, "office:home"), included by the accounts URLconf by name, not import."""

from django.urls import path

from apps.live.views import LiveDashboardView

urlpatterns = [
    path("", LiveDashboardView.as_view(), name="home"),
]
