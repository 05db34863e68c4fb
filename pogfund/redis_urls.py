"""Turn one REDIS_URL into the forms Celery, Channels and the cache each expect.

The embedded runner serves Redis on a unix socket (``unix:///path/redis.sock``);
production uses ``redis://host:port/db``. Everything downstream derives from the
one URL so no code path differs between the two.
"""

from urllib.parse import urlsplit


def celery_broker_url(redis_url: str) -> str:
    """Kombu spells a unix-socket Redis as ``redis+socket://``."""
    if redis_url.startswith("unix://"):
        parts = urlsplit(redis_url)
        query = f"?virtual_host={_db_of(parts.query)}" if _db_of(parts.query) else ""
        return f"redis+socket://{parts.path}{query}"
    return redis_url


def with_db(redis_url: str, db: int) -> str:
    """Return the same server with another logical database (cache vs broker)."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}?db={db}"
    netloc = parts.netloc
    return f"{parts.scheme}://{netloc}/{db}"


def _db_of(query: str) -> str:
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        if key == "db" and value:
            return value
    return ""
