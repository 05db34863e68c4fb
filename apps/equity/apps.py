from django.apps import AppConfig


class EquityConfig(AppConfig):
    name = "apps.equity"
    label = "equity"
    verbose_name = "Equity history"
