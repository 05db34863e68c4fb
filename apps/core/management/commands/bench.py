"""`python manage.py bench <name>`: run a benchmark, print its figures, keep them under var/bench/."""

import importlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

# name -> "module:function"; each function takes keyword options and returns a dict of figures.
BENCHMARKS = {
    "poll": "apps.sources.bench.poll:run",
    "equity": "apps.equity.bench:run",
    "live": "apps.live.bench:run",
}


class Command(BaseCommand):
    help = f"Run a benchmark ({', '.join(BENCHMARKS)}) and write its figures to var/bench/<name>.json."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("--repeats", type=int, default=15, help="cycles per measured case (median reported)")
        parser.add_argument("--latency-ms", type=float, default=10.0, help="answer latency of each fake service")

    def handle(self, *args, name, repeats, latency_ms, **options):
        if repeats < 3:
            raise CommandError("--repeats must be at least 3 for a median to mean anything.")
        module_name, function = BENCHMARKS[name].split(":")
        figures = getattr(importlib.import_module(module_name), function)(repeats=repeats, latency_ms=latency_ms)
        figures["measured_at"] = timezone.now().isoformat()
        out_dir = Path(settings.VAR_DIR) / "bench"
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / f"{name}.json").write_text(json.dumps(figures, indent=2))
        self.stdout.write(json.dumps(figures, indent=2))
        self.stdout.write(f"written to {out_dir / f'{name}.json'}")
