"""The fund's own start and stop of its managed services (`runfund`): started in the background, stopped last."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import connection

from apps.services.demo import DEMO_SERVICES, demo_services_ensure
from apps.services.models import ManagedService
from apps.services.services import ActionResult, services_start, services_stop_for_fund_exit

logger = logging.getLogger(__name__)

DEMO_NAMES = [name for name, *_ in DEMO_SERVICES]
BOOT_JOIN_S = 15.0  # a cancelled start gives up within one health poll; this is only a safety net


class FundServices:
    """Starts the start-with-fund services beside the supervisor, and stops what the fund started when it stops."""

    def __init__(self, *, say: Callable[[str], None], with_demo: bool, speed: str | None, cancel: threading.Event):
        self.say, self.with_demo, self.speed, self.cancel = say, with_demo, speed, cancel
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Register the demo services if asked, then start every start-with-fund service in a thread."""
        self.thread = threading.Thread(target=self._boot, name="fund-services", daemon=True)
        self.thread.start()

    def _boot(self) -> None:
        try:
            if self.with_demo and (created := demo_services_ensure(speed=self.speed)):
                self.say(f"registered the demo services {', '.join(created)}")
            services = ManagedService.objects.filter(start_with_fund=True)
            if not self.with_demo:
                services = services.exclude(name__in=DEMO_NAMES)
            services = list(services)
            if services:
                self.say(f"starting {', '.join(s.name for s in services)} (output in var/services/<name>.log)")
            self._report(services_start(services=services, actor=None, actor_label="runfund", cancel=self.cancel))
        except Exception:  # the rest of the fund runs on; the page shows the services as stopped
            logger.exception("could not start the fund's services")
        finally:
            connection.close()

    def stop(self) -> None:
        """Wait for the boot to notice the cancel, then stop every service the fund started on this host."""
        if self.thread is not None:
            self.thread.join(timeout=BOOT_JOIN_S)
        try:
            self._report(services_stop_for_fund_exit())
        finally:
            connection.close()

    def _report(self, results: list[ActionResult]) -> None:
        for result in results:
            self.say(f"{result.service}: {result.action} {'ok' if result.ok else 'FAILED'}: {result.detail}")
            if result.output_tail:
                for line in result.output_tail.splitlines()[-5:]:
                    self.say(f"  | {line}")
