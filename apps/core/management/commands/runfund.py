"""`python manage.py runfund`: the whole fund in the foreground (web, worker, beat, live, simulator)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.core.embedded_redis import embedded_redis_argv, embedded_redis_url, wait_for_redis
from apps.core.runner import ChildSpec, Supervisor, _signal_group
from apps.services.fund import FundServices


class Command(BaseCommand):
    help = "Run web (Daphne), Celery worker, Celery beat, the live producer and the simulator under one supervisor."

    def add_arguments(self, parser):
        parser.add_argument("--no-simulator", action="store_true", help="do not register or start the demo traders")
        parser.add_argument("--host", default="127.0.0.1", help="address Daphne binds (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=settings.WEB_PORT, help="web port (default 9004)")
        parser.add_argument("--prepare", action="store_true",
                            help="migrate and seed the demo first, once Redis is up (what make run does)")
        parser.add_argument("--sim-speed", default=None, help="simulated time speed of the demo traders (saved)")

    def handle(self, *args, **options):
        Path(settings.STATIC_ROOT).mkdir(exist_ok=True)  # WhiteNoise warns on every start without it
        env = os.environ.copy()
        env.setdefault("PYTHONUNBUFFERED", "1")
        redis_process = None
        if "REDIS_URL" not in os.environ:
            redis_process, env["REDIS_URL"] = self._start_embedded_redis()
        if options["prepare"] and not self._prepare(env):
            self._stop_redis(redis_process)
            raise SystemExit(1)
        supervisor = Supervisor(self._specs(options), env=env, cwd=Path(settings.BASE_DIR), out=self.stdout)
        signal.signal(signal.SIGINT, supervisor.stop)
        signal.signal(signal.SIGTERM, supervisor.stop)
        self._banner(options, env)
        # Managed services (the demo's simulated traders) run in their own sessions, started through the
        # services app like the Services page does; they are stopped after the supervisor's children.
        services = FundServices(say=lambda line: supervisor.log("services", line), cancel=supervisor.stopping,
                                with_demo=not options["no_simulator"], speed=options["sim_speed"])  # fmt: skip
        services.start()
        try:
            supervisor.run()
        finally:
            services.stop()
            self._stop_redis(redis_process)
        self.stdout.write("All processes stopped.")

    def _prepare(self, env: dict[str, str]) -> bool:
        """Migrate and seed with Redis already up, so signals that touch the cache or the socket work."""
        for step in (["migrate", "--noinput"], ["seed_demo"]):
            self.stdout.write(f"[    setup] manage.py {' '.join(step)}")
            done = subprocess.run([sys.executable, "manage.py", *step], cwd=settings.BASE_DIR, env=env)
            if done.returncode != 0:
                self.stderr.write(f"manage.py {step[0]} failed with {done.returncode}; not starting the fund.")
                return False
        return True

    def _stop_redis(self, redis_process: subprocess.Popen | None) -> None:
        if redis_process is None:
            return
        _signal_group(redis_process.pid, signal.SIGTERM)
        redis_process.wait(timeout=10)
        self.stdout.write("[    redis] stopped")

    def _start_embedded_redis(self) -> tuple[subprocess.Popen, str]:
        directory = Path(settings.VAR_DIR) / "redis"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "redis.sock").unlink(missing_ok=True)  # left behind by a killed run
        process = subprocess.Popen(
            embedded_redis_argv(directory=directory),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = embedded_redis_url(directory=directory)
        wait_for_redis(url, process=process)
        self.stdout.write(f"[    redis] embedded Redis on {url} (pid {process.pid})")
        return process, url

    def _specs(self, options) -> list[ChildSpec]:
        python = sys.executable
        specs = [
            ChildSpec("web", [python, "-m", "daphne", "-b", options["host"], "-p", str(options["port"]),
                              "pogfund.asgi:application"]),
            ChildSpec("worker", [python, "-m", "celery", "-A", "pogfund", "worker", "-l", "INFO",
                                 "--concurrency", "2", "-n", "worker@%h"]),
            ChildSpec("beat", [python, "-m", "celery", "-A", "pogfund", "beat", "-l", "INFO",
                               "--schedule", str(Path(settings.VAR_DIR) / "celerybeat-schedule")]),
            ChildSpec("live", [python, "manage.py", "live"]),
        ]  # fmt: skip
        return specs

    def _banner(self, options, env) -> None:
        url = f"http://{options['host']}:{options['port']}"
        database = settings.DATABASES["default"]
        lines = [
            "",
            f"PoG Fund is starting at {url}   (Ctrl-C stops everything)",
            f"  database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}",
            f"  redis:    {env['REDIS_URL']}",
            "  demo logins (password for all: pogfund-demo):",
            "    demo-admin   fund admin, needs a TOTP code",
            "    demo-client  client (investor portal)",
            "    demo-sender  signal sender (payout portal)",
            "  admin TOTP code: .venv/bin/python manage.py totp demo-admin",
            "    (it also prints the otpauth:// URI to add to an authenticator app)",
            f"  health: {url}/healthz   API docs: {url}/api/docs/   services: {url}/office/services/",
            "",
        ]
        self.stdout.write("\n".join(lines))
