from django.http import JsonResponse
from django.views import View

from apps.core.health import health_report


class HealthView(View):
    """Liveness of database, Redis, Celery worker and beat; 200 only when all are ok."""

    def get(self, request):
        healthy, report = health_report()
        return JsonResponse(report, status=200 if healthy else 503)
