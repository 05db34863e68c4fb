"""REST API of the services app, under /api/."""

from django.urls import path

from apps.services import api

urlpatterns = [
    path("services", api.ServiceListApi.as_view(), name="api-services"),
    path("services/start-all", api.ServicesAllApi.as_view(service_action="start"), name="api-services-start-all"),
    path("services/stop-all", api.ServicesAllApi.as_view(service_action="stop"), name="api-services-stop-all"),
    path("services/<int:pk>/start", api.ServiceActionApi.as_view(service_action="start"), name="api-service-start"),
    path("services/<int:pk>/stop", api.ServiceActionApi.as_view(service_action="stop"), name="api-service-stop"),
    path(
        "services/<int:pk>/restart", api.ServiceActionApi.as_view(service_action="restart"), name="api-service-restart"
    ),  # fmt: skip
    path("settings", api.SettingsApi.as_view(), name="api-settings"),
    path("settings/keys", api.SettingsKeysApi.as_view(), name="api-settings-keys"),
]
