"""The dashboard page, its partials and the live API: who may see them, what they show, what empty says."""

from decimal import Decimal

import pytest

from apps.live.templatetags.live_format import money, order_type, pct, pnl, price
from apps.sources.tests.factories import SourceFactory, TradeFactory

pytestmark = pytest.mark.django_db

PAGES = ["/office/", "/office/live/trades/", "/office/live/panel/"]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, f"/account/login/?next={path}")


@pytest.mark.parametrize("path", PAGES)
def test_clients_and_senders_are_refused(investor_client, sender_client, path):
    assert investor_client.get(path).status_code == 403
    assert sender_client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_an_admin_without_a_second_factor_in_this_session_must_sign_in_again(unverified_admin_client, path):
    response = unverified_admin_client.get(path)
    assert (response.status_code, response["Location"]) == (302, f"/account/login/?next={path}")


@pytest.mark.parametrize("path", ["/api/live/state", "/api/live/equity-history"])
def test_the_live_api_is_for_verified_admins_only(
    investor_client, unverified_admin_client, verified_admin_client, path
):
    assert investor_client.get(path).status_code == 403
    assert unverified_admin_client.get(path).status_code == 403
    assert verified_admin_client.get(path).status_code == 200


def test_the_admin_lands_on_the_dashboard_and_the_old_overview_moved(verified_admin_client):
    assert verified_admin_client.get("/").headers["Location"] == "/office/"
    body = verified_admin_client.get("/office/").content.decode()
    assert "Open positions" in body and "Last closed trades" in body and 'id="live-conn"' in body
    assert "/static/vendor/chart.umd.js" in body and "/static/js/live.js" in body
    assert verified_admin_client.get("/office/live/").headers["Location"] == "/office/"
    assert verified_admin_client.get("/office/overview/").status_code == 200


def test_an_empty_fund_says_why_every_table_is_empty(verified_admin_client):
    body = verified_admin_client.get("/office/").content.decode()
    assert "No trading sources are registered yet: add one in Django admin → Sources" in body
    assert body.count("No trading sources are registered yet, so there is nothing to show.") == 2  # positions, orders
    assert "No trades closed yet; each one appears here the moment it closes." in body
    assert "No closed trades recorded yet: they appear here as the sources report them." in body
    assert "No managed services." in body
    assert "No UCB training service registered." in body


def test_a_flat_fund_says_it_is_flat(verified_admin_client):
    SourceFactory(name="alpha")
    body = verified_admin_client.get("/office/").content.decode()
    assert "No open positions: every source reports flat." in body
    assert "No open orders: no source has an order resting." in body


def test_the_dashboard_shows_the_book_as_money(verified_admin_client, book):
    body = verified_admin_client.get("/office/").content.decode()
    assert "$35,000.00" in body  # total equity of the two counted traders
    assert "+$49.88" in body  # their open PnL
    assert "+$29.88" in body and "64,000.5" in body  # alpha's BTC position: PnL and entry
    assert "not in totals" in body  # the exchange account traded through a trader
    assert 'data-trade="alpha|t-24"' in body  # newest closed trade first in the last-trades window
    assert 'data-trade="alpha|t-04"' not in body  # only the last 20


def test_trade_history_filters_and_paginates(verified_admin_client, book):
    SourceFactory(name="gamma")
    TradeFactory(source=book["beta"], external_id="b-1", symbol="ETH", strategy="mom", realized_pnl=Decimal("-3"))
    page_two = verified_admin_client.get("/office/live/trades/?page=2").content.decode()
    assert "26 trades · page 2 of 2" in page_two
    filtered = verified_admin_client.get("/office/live/trades/?source=beta").content.decode()
    assert "-$3.00" in filtered and "+$14.00" not in filtered
    assert "data-pinned" in filtered  # live updates leave a filtered view alone
    nothing = verified_admin_client.get("/office/live/trades/?symbol=DOGE").content.decode()
    assert "No closed trades match these filters." in nothing


def test_equity_history_sums_counted_sources_with_and_without_open_pnl(verified_admin_client, book):
    body = verified_admin_client.get("/api/live/equity-history?hours=2").json()
    assert body["combined"][-1][1:] == ["35000.00", "34950.13"]  # 25000 + 10000; minus 29.875 + 20 open
    assert [(s["source"], s["counted"], len(s["points"])) for s in body["sources"]] == [
        ("account", False, 1), ("alpha", True, 1), ("beta", True, 1)]  # fmt: skip


def test_money_filters_sign_group_and_round():
    assert (money("25231.4"), money("-5"), money(None)) == ("$25,231.40", "-$5.00", "—")
    assert (pnl("129.1"), pnl("-1234.565"), pnl("0")) == ("+$129.10", "-$1,234.57", "$0.00")
    assert (pct("1.254"), pct("-0.5")) == ("+1.25%", "-0.50%")
    assert (price("64000.5"), price("0.25000"), price("63000")) == ("64,000.5", "0.25", "63,000")
    assert order_type("take_profit") == "Take profit"
