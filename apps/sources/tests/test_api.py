"""The sources REST API: filters, pagination, roles, masked secrets."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.accounts.models import AuditEvent
from apps.sources.models import Source
from apps.sources.tests.factories import (
    AccountStateFactory,
    OrderFactory,
    PositionFactory,
    SourceFactory,
    TradeFactory,
)

pytestmark = pytest.mark.django_db

BOOK_ENDPOINTS = ["/api/positions", "/api/orders", "/api/trades", "/api/analytics", "/api/status",
                  "/api/sources/", "/api/ucb/gpu"]  # fmt: skip


@pytest.mark.parametrize("path", BOOK_ENDPOINTS)
def test_clients_and_senders_are_refused_every_book_endpoint(path, investor_client, sender_client, client):
    SourceFactory(name="hl")

    assert investor_client.get(path).status_code == 403
    assert sender_client.get(path).status_code == 403
    assert client.get(path).status_code == 403  # anonymous


def test_a_client_token_does_not_open_the_book(investor):
    token = Token.objects.create(user=investor)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api.get("/api/positions").status_code == 403


def test_positions_filter_by_source_strategy_and_symbol(verified_admin_client):
    hl, lighter = SourceFactory(name="hl"), SourceFactory(name="lighter")
    PositionFactory(source=hl, strategy="ema_cross", symbol="BTC")
    PositionFactory(source=hl, strategy="breakout", symbol="ETH")
    PositionFactory(source=lighter, strategy="ema_cross", symbol="BTC")

    by_source = verified_admin_client.get("/api/positions", {"source": "hl"}).json()
    by_both = verified_admin_client.get("/api/positions", {"strategy": "ema_cross", "symbol": "BTC"}).json()

    assert sorted((p["source"], p["symbol"]) for p in by_source) == [("hl", "BTC"), ("hl", "ETH")]
    assert sorted(p["source"] for p in by_both) == ["hl", "lighter"]
    assert by_both[0]["size"] == "0.2500000000" and by_both[0]["entry_price"] == "64000.5000000000"


def test_trades_are_newest_first_cursor_paginated_and_filtered(verified_admin_client, django_assert_num_queries):
    hl = SourceFactory(name="hl")
    start = datetime(2026, 11, 20, tzinfo=UTC)
    for i in range(5):
        TradeFactory(source=hl, external_id=f"t-{i}", closed_at=start + timedelta(hours=i))
    TradeFactory(source=SourceFactory(name="other"), external_id="x", closed_at=start + timedelta(hours=9))

    with django_assert_num_queries(4):  # session, user, OTP device, one page of trades: flat in rows
        first = verified_admin_client.get("/api/trades", {"limit": 2, "source": "hl"}).json()
    second = verified_admin_client.get(first["next"]).json()
    since = verified_admin_client.get("/api/trades", {"source": "hl", "since": "2026-11-20T03:00:00Z"}).json()

    assert [t["external_id"] for t in first["results"]] == ["t-4", "t-3"]
    assert [t["external_id"] for t in second["results"]] == ["t-2", "t-1"]
    assert [t["external_id"] for t in since["results"]] == ["t-4", "t-3"]


@pytest.mark.parametrize(("params", "field"), [({"limit": "0"}, "limit"), ({"limit": "1001"}, "limit"),
                                                ({"since": "yesterday"}, "since")])  # fmt: skip
def test_bad_trade_filters_get_a_400_naming_the_field(verified_admin_client, params, field):
    response = verified_admin_client.get("/api/trades", params)

    assert response.status_code == 400
    assert field in response.json()


def test_analytics_counts_each_account_once_and_sums_exactly(verified_admin_client):
    trader = SourceFactory(name="hl-trader")
    account = SourceFactory(name="hl-account", is_counted_in_totals=False)
    AccountStateFactory(source=trader, equity=Decimal("1000.10"))
    AccountStateFactory(source=account, equity=Decimal("999.00"))
    PositionFactory(source=trader, unrealized_pnl=Decimal("0.1"))
    PositionFactory(source=trader, unrealized_pnl=Decimal("0.2"))
    TradeFactory(source=trader, realized_pnl=Decimal("10"), closed_at=datetime.now(UTC))
    TradeFactory(source=trader, realized_pnl=Decimal("-4"), closed_at=datetime.now(UTC))

    combined = verified_admin_client.get("/api/analytics").json()["combined"]

    assert Decimal(combined["equity"]) == Decimal("1000.10")
    assert Decimal(combined["open_pnl"]) == Decimal("0.3")
    assert Decimal(combined["realized_today"]) == Decimal("6")
    assert combined["positions"] == 2 and combined["trades"] == 2
    assert Decimal(combined["win_rate"]) == Decimal("0.5")


def test_registering_a_source_masks_and_encrypts_its_secret_and_audits_it(verified_admin_client, fund_admin):
    payload = {"name": "binance-ro", "kind": "ccxt", "exchange_id": "binance",
               "credentials": {"apiKey": "AKIA-readonly-1234", "secret": "s3cr3t-value-9876"}}  # fmt: skip

    response = verified_admin_client.post("/api/sources/", payload, content_type="application/json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert "credentials" not in body
    assert body["credentials_masked"] == {"apiKey": "••••1234", "secret": "••••9876"}
    stored = Source.objects.get(name="binance-ro")
    assert json.loads(stored.credentials)["secret"] == "s3cr3t-value-9876"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM sources_source WHERE name = %s", ["binance-ro"])
        assert "s3cr3t" not in cursor.fetchone()[0]
    event = AuditEvent.objects.get(action="source.create")
    assert event.actor == fund_admin and "s3cr3t" not in json.dumps(event.after)


@pytest.mark.parametrize(("payload", "field"), [
    ({"name": "t", "kind": "trader_service"}, "base_url"),
    ({"name": "h", "kind": "hyperliquid", "account_address": "0x123"}, "account_address"),
    ({"name": "c", "kind": "ccxt", "exchange_id": "nosuchexchange"}, "exchange_id"),
    ({"name": "c2", "kind": "ccxt", "exchange_id": "binance", "credentials": ["not", "an", "object"]}, "credentials"),
    ({"name": "bad name!", "kind": "trader_service", "base_url": "http://127.0.0.1:1"}, "name"),
])  # fmt: skip
def test_a_bad_source_is_refused_naming_the_field_and_nothing_is_saved(verified_admin_client, payload, field):
    response = verified_admin_client.post("/api/sources/", payload, content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Source.objects.exists()
    assert not AuditEvent.objects.filter(action="source.create").exists()


def test_patch_keeps_the_secret_when_none_is_sent(verified_admin_client):
    source = SourceFactory(name="lt", credentials=json.dumps({"token": "tok-abcdefgh"}))

    response = verified_admin_client.patch(f"/api/sources/{source.pk}/", {"poll_interval_s": 9},
                                           content_type="application/json")  # fmt: skip

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.poll_interval_s == 9
    assert json.loads(source.credentials) == {"token": "tok-abcdefgh"}
    assert response.json()["credentials_masked"] == {"token": "••••efgh"}


def test_order_list_footer_counts(verified_admin_client):
    OrderFactory.create_batch(3)

    assert len(verified_admin_client.get("/api/orders").json()) == 3
