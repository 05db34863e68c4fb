"""Alert notifiers, one per channel kind behind one small interface (Telegram today)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx
from django.utils import timezone

from apps.services.choices import ChannelKind
from apps.services.models import AlertChannel

logger = logging.getLogger(__name__)

TIMEOUT_S = 5.0
MAX_TEXT = 4096  # Telegram's limit on a message's text


class NotifierError(Exception):
    """A message was not delivered; `is_retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, is_retryable: bool):
        super().__init__(message)
        self.is_retryable = is_retryable


class Notifier(Protocol):
    def send(self, *, text: str) -> None: ...


class TelegramNotifier:
    """Sends a text to one chat through the Telegram Bot API (sendMessage)."""

    def __init__(self, *, token: str, chat_id: str, base_url: str, timeout_s: float = TIMEOUT_S):
        self.token, self.chat_id, self.base_url, self.timeout_s = token, chat_id, base_url.rstrip("/"), timeout_s

    def send(self, *, text: str) -> None:
        if not self.token:
            raise NotifierError("no bot token is set", is_retryable=False)
        url = f"{self.base_url}/bot{self.token}/sendMessage"
        body = {"chat_id": self.chat_id, "text": text[:MAX_TEXT], "disable_web_page_preview": True}
        try:
            response = httpx.post(url, json=body, timeout=self.timeout_s)
        except httpx.HTTPError as error:
            # The URL holds the token: say what failed without it.
            raise NotifierError(f"Telegram unreachable: {type(error).__name__}", is_retryable=True) from None
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code == 200 and answer.get("ok") is True:
            return
        description = answer.get("description") or f"HTTP {response.status_code}"
        retryable = response.status_code == 429 or response.status_code >= 500
        raise NotifierError(f"Telegram refused the message: {description}", is_retryable=retryable)


NOTIFIERS: dict[str, Callable[[AlertChannel], Notifier]] = {
    ChannelKind.TELEGRAM: lambda channel: TelegramNotifier(
        token=channel.token, chat_id=channel.chat_id, base_url=channel.api_base_url
    ),
}


def notifier_for(channel: AlertChannel) -> Notifier:
    """The notifier of a channel's kind."""
    return NOTIFIERS[channel.kind](channel)


@dataclass(frozen=True)
class Delivery:
    """What became of a message on one channel."""

    channel: str
    ok: bool
    detail: str


def channel_send(*, channel: AlertChannel, text: str) -> Delivery:
    """Send one message on one channel and remember how it went on the channel."""
    try:
        notifier_for(channel).send(text=text)
    except NotifierError as error:
        logger.warning("alert channel %s: %s", channel.name, error)
        AlertChannel.objects.filter(pk=channel.pk).update(last_error=str(error)[:500])
        return Delivery(channel.name, False, str(error))
    AlertChannel.objects.filter(pk=channel.pk).update(last_sent_at=timezone.now(), last_error="")
    return Delivery(channel.name, True, "sent")


def alert_notify(*, text: str) -> list[Delivery]:
    """Send an alert on every enabled channel; one failing channel does not stop the others."""
    return [channel_send(channel=channel, text=text) for channel in AlertChannel.objects.filter(is_enabled=True)]
