"""Fixtures every app's tests share: users of each role, signed-in browsers."""

from apps.accounts.tests.conftest import *  # noqa: F403
from apps.simulator.testing import simulator  # noqa: E402, F401
