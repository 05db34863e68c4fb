from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """Simulated trader services and a fake Hyperliquid API (demo and tests); no models."""

    name = "apps.simulator"
    label = "simulator"
    verbose_name = "Simulator"
