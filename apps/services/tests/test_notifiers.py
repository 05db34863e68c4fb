"""The Telegram notifier against a local fake of the Bot API (real JSON shapes, real HTTP)."""

import pytest

from apps.services.notifiers import NotifierError, TelegramNotifier, alert_notify, channel_send
from apps.services.tests.factories import AlertChannelFactory, free_port


def test_a_message_reaches_the_chat(fake_telegram):
    TelegramNotifier(token=fake_telegram.token, chat_id="-1001", base_url=fake_telegram.base_url).send(text="hello")

    assert fake_telegram.messages == [{"chat_id": "-1001", "text": "hello", "disable_web_page_preview": True}]


def test_a_wrong_token_is_refused_for_good_and_the_error_does_not_leak_it(fake_telegram):
    notifier = TelegramNotifier(token="1:wrong-token", chat_id="-1001", base_url=fake_telegram.base_url)

    with pytest.raises(NotifierError) as refused:
        notifier.send(text="hello")

    assert (str(refused.value), refused.value.is_retryable) == ("Telegram refused the message: Unauthorized", False)
    assert fake_telegram.messages == []


def test_an_unreachable_api_can_be_retried():
    notifier = TelegramNotifier(token="1:secret", chat_id="-1", base_url=f"http://127.0.0.1:{free_port()}")

    with pytest.raises(NotifierError) as failed:
        notifier.send(text="hello")

    assert failed.value.is_retryable and "secret" not in str(failed.value)


@pytest.mark.django_db
def test_alert_notify_uses_every_enabled_channel_and_remembers_failures(fake_telegram):
    good = AlertChannelFactory(api_base_url=fake_telegram.base_url)
    bad = AlertChannelFactory(api_base_url=fake_telegram.base_url, token="1:revoked")
    AlertChannelFactory(api_base_url=fake_telegram.base_url, is_enabled=False)

    deliveries = alert_notify(text="Watchdog gave up on X")

    assert [(d.channel, d.ok) for d in deliveries] == [(good.name, True), (bad.name, False)]
    assert len(fake_telegram.messages) == 1
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.last_error == "Telegram refused the message: Unauthorized" and good.last_sent_at is not None


@pytest.mark.django_db
def test_a_channel_without_token_says_so(fake_telegram):
    channel = AlertChannelFactory(api_base_url=fake_telegram.base_url, token="")

    assert channel_send(channel=channel, text="hi").detail == "no bot token is set"
