"""Settings for the processes the browser test starts: the bench's (own channel prefix), plus the tests'
password hasher (apps/accounts/tests/conftest.py hashes with MD5, so these processes must check MD5)."""

from apps.live.bench_settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
