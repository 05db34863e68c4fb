"""Factories and helpers of the services app's tests."""

import socket
import sys
from pathlib import Path

import factory

from apps.services.choices import ChannelKind, ServiceKind
from apps.services.models import AlertChannel, ManagedService

SCRIPT = str(Path(__file__).with_name("service_script.py"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def script_argv(port: int, *flags: str) -> list[str]:
    """The argument list that runs the test service script on `port`."""
    return [sys.executable, SCRIPT, "--port", str(port), *flags]


class ManagedServiceFactory(factory.django.DjangoModelFactory):
    """A service running the test script on a free port, with short timeouts and a 1 s health interval."""

    class Meta:
        model = ManagedService
        django_get_or_create = ("name",)

    class Params:
        flags: tuple = ()  # extra flags of the test script, e.g. ("--crash",)

    name = factory.Sequence(lambda n: f"svc-{n}")
    kind = ServiceKind.TRADER
    host = "127.0.0.1"
    port = factory.LazyFunction(free_port)
    start_command = factory.LazyAttribute(lambda service: script_argv(service.port, *service.flags))
    health_interval_s = 1
    failures_before_restart = 2
    max_restarts_per_hour = 5
    start_timeout_s = 10
    stop_timeout_s = 3


class AlertChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertChannel

    name = factory.Sequence(lambda n: f"telegram-{n}")
    kind = ChannelKind.TELEGRAM
    chat_id = "-1001234567890"
    token = "123456:TEST-token-abcdef"
