from django.apps import AppConfig


class EquityConfig(AppConfig):
    name = "apps.equity"
    label = "equity"
    verbose_name = "Equity history"

    def ready(self) -> None:
        from apps.equity import signals  # noqa: F401  (connects the cache invalidation)
