"""`python manage.py poll_sources [--once] [--source NAME]`: the polling loop in the foreground."""

import time

from django.core.management.base import BaseCommand

from apps.sources.polling import sources_poll_due


class Command(BaseCommand):
    help = "Poll the enabled sources (the same code the Celery task runs), once or in a loop."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="poll every selected source once and exit")
        parser.add_argument("--source", action="append", dest="sources", help="source name (repeatable)")

    def handle(self, *args, once=False, sources=None, **options):
        while True:
            for outcome in sources_poll_due(names=sources, force=once):
                style = self.style.SUCCESS if outcome.ok else self.style.ERROR
                self.stdout.write(style(f"{outcome.source}: {outcome.detail} ({outcome.new_trades} new trades)"))
            if once:
                return
            time.sleep(1)
