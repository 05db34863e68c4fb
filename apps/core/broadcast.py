"""The one way services tell the live view about a change: a Channels group send after commit."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core.wire import jsonable

logger = logging.getLogger(__name__)

LIVE_GROUP = "live"


def broadcast_after_commit(*, event: str, payload: dict, group: str = LIVE_GROUP) -> None:
    """Send `{"event": ..., "payload": ...}` to a group once the current transaction commits."""
    message = {"type": "live.event", "event": event, "payload": jsonable(payload)}

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # the live view is best effort; the data is already committed
            logger.exception("could not broadcast %s", event)

    transaction.on_commit(send)
