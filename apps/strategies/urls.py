"""Pages of the strategies app, under /office/risk/ (namespace "strategies")."""

from django.urls import path

from apps.strategies import views

urlpatterns = [
    path("", views.RiskPageView.as_view(), name="risk"),
    path("rows/", views.RiskRowsView.as_view(), name="rows"),
    path("bulk/", views.RiskBulkView.as_view(), name="bulk"),
    path("<int:pk>/row/", views.RiskRowView.as_view(), name="row"),
    path("<int:pk>/save/", views.RiskRowSaveView.as_view(), name="save"),
    path("<int:pk>/toggle/", views.RiskRowToggleView.as_view(), name="toggle"),
    path("<int:pk>/reset-kill-switch/", views.RiskRowResetView.as_view(), name="reset"),
    path("<int:pk>/take-trader/", views.RiskRowTakeTraderView.as_view(), name="take_trader"),
    path("<int:pk>/push-ours/", views.RiskRowPushOursView.as_view(), name="push_ours"),
    path("<int:pk>/history/", views.RiskHistoryView.as_view(), name="history"),
    path("<int:pk>/restore/<int:version>/", views.RiskRestoreView.as_view(), name="restore"),
]
