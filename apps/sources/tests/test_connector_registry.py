"""The registry builds the right connector from a Source or plain arguments, and refuses bad configuration."""

import pytest

from apps.sources.choices import SourceKind
from apps.sources.connectors import (
    DEFAULT_TIMEOUT_S,
    BookSnapshot,
    Connector,
    ConnectorConfig,
    ConnectorConfigError,
    build_connector,
    connector_for,
    register,
    unregister,
)
from apps.sources.connectors.ccxt_exchange import CcxtConnector
from apps.sources.connectors.hyperliquid import MAINNET_URL, HyperliquidConnector
from apps.sources.connectors.lighter import LighterConnector
from apps.sources.connectors.trader_service import TraderServiceConnector
from apps.sources.models import Source

ADDRESS = "0x1111111111111111111111111111111111111111"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": SourceKind.TRADER_SERVICE, "base_url": "http://127.0.0.1:9002"}, TraderServiceConnector),
        ({"kind": SourceKind.HYPERLIQUID, "base_url": "http://127.0.0.1:9003", "account_address": ADDRESS},
         HyperliquidConnector),
        ({"kind": SourceKind.LIGHTER, "base_url": "http://127.0.0.1:9004", "account_address": "1077",
          "credentials": '{"auth_token": "tok"}'}, LighterConnector),
        ({"kind": SourceKind.CCXT, "base_url": "http://127.0.0.1:9003", "exchange_id": "hyperliquid",
          "account_address": ADDRESS, "credentials": '{"apiKey": "k", "secret": "s"}'}, CcxtConnector),
    ],
)  # fmt: skip
def test_a_source_gets_the_connector_of_its_kind_built_from_its_fields(fields, expected):
    source = Source(name="s", **fields)

    connector = connector_for(source, timeout_s=1.25)

    assert type(connector) is expected and isinstance(connector, Connector)
    assert connector.config.timeout_s == 1.25
    assert connector.config.base_url == fields["base_url"]
    connector.close()


def test_the_default_timeout_is_two_seconds_and_hyperliquid_defaults_to_mainnet():
    connector = build_connector(kind="hyperliquid", account_address=ADDRESS)

    assert DEFAULT_TIMEOUT_S == 2.0 and connector.config.timeout_s == 2.0
    assert connector.info.base_url == MAINNET_URL and connector.info.timeout == 2.0
    connector.close()


def test_credentials_that_are_not_json_are_refused_without_repeating_them():
    source = Source(name="s", kind=SourceKind.LIGHTER, account_address="1", credentials='{"auth_token": s3cr3t')

    with pytest.raises(ConnectorConfigError) as raised:
        connector_for(source)

    assert "not valid JSON" in raised.value.message and "s3cr3t" not in raised.value.message
    assert not raised.value.retryable


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"kind": "ucb", "base_url": "http://127.0.0.1:9001"}, "no connector for source kind 'ucb'"),
        ({"kind": "telepathy"}, "no connector for source kind 'telepathy'"),
        ({"kind": "trader_service"}, "needs an http(s) base_url"),
        ({"kind": "trader_service", "base_url": "127.0.0.1:9002"}, "needs an http(s) base_url"),
        ({"kind": "trader_service", "base_url": "http://x", "timeout_s": 0}, "timeout_s must be positive"),
        ({"kind": "hyperliquid", "base_url": "http://127.0.0.1:1"}, "needs account_address"),
    ],
)
def test_bad_configuration_is_refused_as_not_retryable(arguments, fragment):
    with pytest.raises(ConnectorConfigError) as raised:
        build_connector(**arguments)

    assert fragment in raised.value.message and not raised.value.retryable


def test_credentials_never_show_in_a_config_repr():
    config = ConnectorConfig(kind="lighter", credentials={"auth_token": "s3cr3t"})

    assert "s3cr3t" not in repr(config)


class StubConnector:
    """A connector registered by a test."""

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config

    def fetch_book(self, *, trades_since) -> BookSnapshot:
        raise NotImplementedError

    def close(self) -> None:
        pass


def test_a_registered_factory_replaces_the_built_in_one_until_unregistered():
    register(SourceKind.TRADER_SERVICE, StubConnector)
    try:
        replaced = build_connector(kind="trader_service", base_url="http://127.0.0.1:1")
    finally:
        unregister(SourceKind.TRADER_SERVICE)
    restored = build_connector(kind="trader_service", base_url="http://127.0.0.1:1")

    assert type(replaced) is StubConnector and type(restored) is TraderServiceConnector
    restored.close()
