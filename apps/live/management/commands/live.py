"""`python manage.py live`: the 1 Hz live-PnL producer (one leads; any other started stands by)."""

import asyncio
import signal

import redis.asyncio as aioredis
from django.core.management.base import BaseCommand

from apps.live import keys
from apps.live.producer import LiveProducer


class Command(BaseCommand):
    help = "Publish realtime_pnl every second to the web processes; stands by while another producer leads."

    def add_arguments(self, parser):
        parser.add_argument("--no-push", action="store_true", help="do not listen to the traders' WS /ws")
        parser.add_argument("--no-fast-path", action="store_true", help="take marks from the database only")

    def handle(self, *args, no_push=False, no_fast_path=False, **options):
        asyncio.run(self._run(use_push=not no_push, use_fast_path=not no_fast_path))

    async def _run(self, *, use_push: bool, use_fast_path: bool) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        client = aioredis.from_url(keys.live_redis_url())
        try:
            await LiveProducer(redis=client, use_push=use_push, use_fast_path=use_fast_path).run(stop)
        finally:
            await client.aclose()
