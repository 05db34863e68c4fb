"""Root URLs: back office pages, the REST API under /api/, health, admin."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.accounts.admin_site import admin_site
from apps.core.views import HealthView

urlpatterns = [
    path("healthz", HealthView.as_view(), name="healthz"),
    path("admin/", admin_site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("apps.accounts.api_urls")),
    path("api/", include("apps.sources.api_urls")),
    path("api/", include("apps.services.api_urls")),
    path("api/", include("apps.strategies.api_urls")),
    path("api/", include("apps.equity.api_urls")),
    path("api/", include("apps.live.api_urls")),
    path("office/services/", include(("apps.services.urls", "services"))),
    path("office/risk/", include(("apps.strategies.urls", "strategies"))),
    path("office/equity/", include(("apps.equity.urls", "equity"))),
    path("office/live/", include(("apps.live.urls", "live"))),
    path("", include("apps.accounts.urls")),
]
