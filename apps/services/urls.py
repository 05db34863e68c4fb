"""Pages of the services app, under /office/services/ (namespace "services")."""

from django.urls import path

from apps.services import views

urlpatterns = [
    path("", views.ServicesView.as_view(), name="index"),
    path("status/", views.ServicesStatusView.as_view(), name="status"),
    path("all/<str:action>/", views.ServicesAllActionView.as_view(), name="all-action"),
    path("<int:pk>/<str:action>/", views.ServiceActionView.as_view(), name="action"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/channels/<int:pk>/test/", views.AlertChannelTestView.as_view(), name="channel-test"),
    path("settings/channels/<int:pk>/delete/", views.AlertChannelDeleteView.as_view(), name="channel-delete"),
]
