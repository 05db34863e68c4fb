"""Pages of the equity app, under /office/equity/ (namespace "equity")."""

from django.urls import path

from apps.equity import views

urlpatterns = [
    path("", views.EquityView.as_view(), name="index"),
    path("metrics/", views.MetricsPartView.as_view(), name="metrics"),
    path("heatmap/", views.HeatmapPartView.as_view(), name="heatmap"),
    path("snapshot/", views.SnapshotNowView.as_view(), name="snapshot"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/pull/", views.ImportPullView.as_view(), name="import-pull"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("import/<int:pk>/progress/", views.ImportProgressView.as_view(), name="import-progress"),
]
