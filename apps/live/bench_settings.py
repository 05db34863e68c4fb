"""Settings for processes the live bench (and the browser test) start: the fund's own, on a channel prefix
given by POGFUND_LIVE_PREFIX, so a fund running on the same Redis neither feeds nor hears them."""

import copy
import os

from pogfund.settings import *  # noqa: F403
from pogfund.settings import CHANNEL_LAYERS as FUND_CHANNEL_LAYERS

CHANNEL_LAYERS = copy.deepcopy(FUND_CHANNEL_LAYERS)
CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = os.environ["POGFUND_LIVE_PREFIX"]
