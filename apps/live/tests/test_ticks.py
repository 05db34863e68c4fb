"""The tick as plain functions: totals, per-source figures, throttled per-position updates, composing books."""

from datetime import UTC, datetime
from decimal import Decimal

from apps.live.book_state import DbBook, SourceRow, books_compose
from apps.live.ticks import PositionMark, SourceBook, snapshot_build, tick_build

NOW = datetime(2026, 11, 21, 22, 0, 1, tzinfo=UTC)


def mark(source="alpha", symbol="BTC", pnl="10", size="1", side="long", entry="100", price="110"):
    return PositionMark(source=source, strategy="ema", symbol=symbol, side=side, size=Decimal(size),
                        entry_price=Decimal(entry), mark_price=Decimal(price), unrealized_pnl=Decimal(pnl))  # fmt: skip


def book(name="alpha", positions=(), equity="1000", unrealized="0", counted=True, stale=False):
    return SourceBook(name=name, is_counted=counted, positions=tuple(positions),
                      equity=Decimal(equity) if equity is not None else None,
                      unrealized_at_poll=Decimal(unrealized), is_stale=stale)  # fmt: skip


def test_totals_count_only_counted_sources_and_move_equity_by_the_open_pnl_since_the_poll():
    # given a trader polled at equity 1000 with 4 open, now at 10, and an uncounted account
    books = [book(positions=[mark(pnl="10")], equity="1000", unrealized="4"),
             book(name="acct", positions=[mark(source="acct", pnl="7")], equity="500", counted=False)]  # fmt: skip
    # when the tick is built
    message, _ = tick_build(books=books, sent={}, seq=7, now=NOW)
    # then totals hold the counted trader only, its equity moved by 10 - 4
    assert message["type"] == "realtime_pnl"
    assert (message["seq"], message["ts"], message["ts_ms"]) == (7, "2026-11-21T22:00:01Z", 1795298401000)
    assert message["total"] == {"equity": "1006.00", "open_pnl": "10.00", "positions": 1}
    assert message["sources"] == [
        {"source": "alpha", "equity": "1006.00", "open_pnl": "10.00", "positions": 1, "stale": False, "counted": True},
        {"source": "acct", "equity": "507.00", "open_pnl": "7.00", "positions": 1, "stale": False, "counted": False},
    ]


def test_a_position_is_resent_only_when_its_pnl_moved_by_more_than_a_cent():
    # given clients that were sent BTC at 10.00 and ETH at 5.00
    first, sent = tick_build(books=[book(positions=[mark(pnl="10"), mark(symbol="ETH", pnl="5")])], sent={}, seq=1,
                             now=NOW)  # fmt: skip
    assert [p["symbol"] for p in first["positions"]] == ["BTC", "ETH"]
    # when BTC moves by exactly one cent and ETH by a cent and a tenth
    second, sent = tick_build(books=[book(positions=[mark(pnl="10.01"), mark(symbol="ETH", pnl="5.011")])], sent=sent,
                              seq=2, now=NOW)  # fmt: skip
    # then only ETH goes out
    assert [(p["symbol"], p["unrealized_pnl"]) for p in second["positions"]] == [("ETH", "5.01")]
    # and BTC's drift is measured from what was sent (10.00), so two more tenths of a cent send it
    third, _ = tick_build(books=[book(positions=[mark(pnl="10.0111"), mark(symbol="ETH", pnl="5.011")])], sent=sent,
                          seq=3, now=NOW)  # fmt: skip
    assert [p["symbol"] for p in third["positions"]] == ["BTC"]


def test_resized_or_flipped_positions_are_resent_and_gone_ones_listed_as_closed():
    _, sent = tick_build(books=[book(positions=[mark(), mark(symbol="ETH")])], sent={}, seq=1, now=NOW)
    message, sent = tick_build(books=[book(positions=[mark(size="2")])], sent=sent, seq=2, now=NOW)
    assert [p["size"] for p in message["positions"]] == ["2"]
    assert message["closed"] == ["alpha|ema|ETH"]
    assert set(sent) == {"alpha|ema|BTC"}


def test_position_wire_format_is_decimal_strings_with_pnl_in_cents():
    message, _ = tick_build(books=[book(positions=[mark(pnl="29.875", size="0.25", entry="64000.5", price="64120")])],
                            sent={}, seq=1, now=NOW)  # fmt: skip
    assert message["positions"] == [{
        "key": "alpha|ema|BTC", "source": "alpha", "strategy": "ema", "symbol": "BTC", "side": "long",
        "size": "0.25", "entry_price": "64000.5", "mark_price": "64120", "unrealized_pnl": "29.88",
        "unrealized_pnl_pct": "0.19",
    }]  # fmt: skip


def test_snapshot_carries_the_pnl_clients_hold_not_the_newest():
    _, sent = tick_build(books=[book(positions=[mark(pnl="10")])], sent={}, seq=1, now=NOW)
    newer = [book(positions=[mark(pnl="10.005")])]
    _, sent = tick_build(books=newer, sent=sent, seq=2, now=NOW)
    snapshot = snapshot_build(books=newer, sent=sent, seq=2, now=NOW)
    assert snapshot["seq"] == 2
    assert snapshot["positions"][0]["unrealized_pnl"] == "10.00"


def test_unknown_equity_stays_unknown():
    message, _ = tick_build(books=[book(equity=None)], sent={}, seq=1, now=NOW)
    assert message["total"]["equity"] is None


def row(name, kind="trader_service", status="ok"):
    return SourceRow(pk=1, name=name, kind=kind, is_counted=True, status=status, base_url="http://x")


def test_books_use_fresh_fast_marks_and_flag_a_silent_trader_stale_with_its_last_marks():
    db = DbBook(sources=(row("fresh"), row("silent"), row("never"), row("hl", kind="hyperliquid", status="stale")),
                positions={"fresh": (mark(source="fresh", pnl="1"),), "silent": (), "never": (mark(source="never"),),
                           "hl": (mark(source="hl"),)},
                accounts={"fresh": (Decimal("100"), Decimal("1"))})  # fmt: skip
    fast = {"fresh": (99.0, (mark(source="fresh", pnl="3"),)), "silent": (90.0, (mark(source="silent", pnl="8"),))}
    books = {b.name: b for b in books_compose(db=db, fast=fast, now_monotonic=100.0)}
    assert (books["fresh"].positions[0].unrealized_pnl, books["fresh"].is_stale) == (Decimal("3"), False)
    assert books["fresh"].live_equity == Decimal("102")
    assert (books["silent"].positions[0].unrealized_pnl, books["silent"].is_stale) == (Decimal("8"), True)
    assert (len(books["never"].positions), books["never"].is_stale) == (1, True)  # stored book, flagged
    assert (len(books["hl"].positions), books["hl"].is_stale) == (1, True)  # no fast path: its poll status
