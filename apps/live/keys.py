"""Where the live stream lives in Redis: the channel layer's server and prefix, so tests can isolate it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

TICK_HISTORY_LENGTH = 900  # 15 minutes of 1 Hz ticks, for the real-time chart after a reload


def live_redis_url() -> str:
    """The Redis the channel layer uses: the tick's pub/sub and the producer's keys live beside it."""
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    return host["address"] if isinstance(host, dict) else host


def _prefix() -> str:
    return settings.CHANNEL_LAYERS["default"]["CONFIG"].get("prefix", "asgi")


def _db_number() -> str:
    """The logical database of the live Redis URL ("/2" or "?db=2"), "0" when the URL names none."""
    url = urlsplit(live_redis_url())
    for pair in url.query.split("&"):
        name, _, value = pair.partition("=")
        if name == "db" and value:
            return value
    return url.path.strip("/") or "0"


def tick_channel() -> str:
    """The pub/sub channel the producer publishes each realtime_pnl tick on.

    Pub/sub ignores logical databases: the database is in the name, so two funds (or a fund and a test run)
    sharing one Redis server never hear each other's ticks.
    """
    return f"{_prefix()}:live:ticks:db{_db_number()}"


def snapshot_key() -> str:
    """The producer's latest full state (every position's mark and PnL), read by initial_state."""
    return f"{_prefix()}:live:snapshot"


def history_key() -> str:
    """The last 15 minutes of total open PnL, one entry per tick."""
    return f"{_prefix()}:live:pnl_history"


def leader_key() -> str:
    """The lock that makes exactly one producer publish."""
    return f"{_prefix()}:live:leader"


def sequence_key() -> str:
    """The last sequence number published, so a new leader continues the count."""
    return f"{_prefix()}:live:seq"
