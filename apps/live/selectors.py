"""Read queries of the live view: the initial state a socket starts from, trade history, equity history.

Each takes the user who asks and admits fund admins only (the sources selectors check it again).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from apps.accounts.access import require_fund_admin
from apps.core.wire import jsonable
from apps.live.ticks import PositionMark, cents, plain
from apps.services.runtime import status_payload
from apps.services.selectors import services_list
from apps.sources.choices import SourceKind
from apps.sources.models import AccountState, Order, Position, Source, Trade
from apps.sources.selectors import orders_list, positions_list, trades_list

LAST_TRADES = 20
SNAPSHOT_MAX_AGE_S = 5  # an older producer snapshot means the producer is not running: use the database
ZERO = Decimal("0")


def source_status_row(source: Source) -> dict:
    return {
        "source": source.name, "display_name": str(source), "kind": source.kind, "status": source.status,
        "last_ok_at": source.last_ok_at, "last_error": source.last_error,
        "consecutive_failures": source.consecutive_failures, "is_counted": source.is_counted_in_totals,
    }  # fmt: skip


def trade_row(trade: Trade) -> dict:
    return {
        "source": trade.source.name, "external_id": trade.external_id, "strategy": trade.strategy,
        "symbol": trade.symbol, "side": trade.side, "size": plain(trade.size), "entry_price": plain(trade.entry_price),
        "exit_price": plain(trade.exit_price), "realized_pnl": cents(trade.realized_pnl),
        "risk_reward": str(trade.risk_reward.quantize(Decimal("0.01"))) if trade.risk_reward is not None else None,
        "closed_at": trade.closed_at,
    }  # fmt: skip


def order_row(order: Order) -> dict:
    return {
        "source": order.source.name, "external_id": order.external_id, "strategy": order.strategy,
        "symbol": order.symbol, "type": order.type, "side": order.side, "size": plain(order.size),
        "price": plain(order.price),
    }  # fmt: skip


def _position_wire(position: Position) -> dict:
    return PositionMark(
        source=position.source.name, strategy=position.strategy, symbol=position.symbol, side=position.side,
        size=position.size, entry_price=position.entry_price, mark_price=position.mark_price,
        unrealized_pnl=position.unrealized_pnl,
    ).as_wire()  # fmt: skip


def _newest_accounts(source_ids) -> dict[int, AccountState]:
    newest = AccountState.objects.filter(source=OuterRef("source")).order_by("-minute").values("minute")[:1]
    states = AccountState.objects.filter(source_id__in=source_ids, minute=Subquery(newest))
    return {state.source_id: state for state in states}


def _source_breakdown(sources: list[Source], now: datetime) -> list[dict]:
    """Per source: equity as polled, open PnL, counts, realized today (a few grouped queries)."""
    ids = [source.pk for source in sources]
    accounts = _newest_accounts(ids)
    by_position = Position.objects.filter(source_id__in=ids).values_list("source_id")
    open_pnl = dict(by_position.annotate(s=Sum("unrealized_pnl")))
    positions = dict(by_position.annotate(n=Count("id")))
    orders = dict(Order.objects.filter(source_id__in=ids).values_list("source_id").annotate(n=Count("id")))
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = dict(
        Trade.objects.filter(source_id__in=ids).values_list("source_id")
        .annotate(s=Sum("realized_pnl", filter=Q(closed_at__gte=day_start)))
    )  # fmt: skip
    rows = []
    for source in sources:
        state = accounts.get(source.pk)
        rows.append({
            "source": source.name, "display_name": str(source), "status": source.status,
            "counted": source.is_counted_in_totals, "equity": cents(state.equity) if state else None,
            "equity_as_of": state.as_of if state else None, "open_pnl": cents(open_pnl.get(source.pk) or ZERO),
            "positions": positions.get(source.pk, 0), "orders": orders.get(source.pk, 0),
            "realized_today": cents(today.get(source.pk) or ZERO), "stale": source.status != "ok",
        })  # fmt: skip
    return rows


def _totals(rows: list[dict]) -> dict:
    counted = [row for row in rows if row["counted"]]
    equities = [Decimal(row["equity"]) for row in counted if row["equity"] is not None]
    return {
        "equity": cents(sum(equities, ZERO)) if equities else None,
        "open_pnl": cents(sum((Decimal(row["open_pnl"]) for row in counted), ZERO)),
        "positions": sum(row["positions"] for row in counted),
        "orders": sum(row["orders"] for row in counted),
        "realized_today": cents(sum((Decimal(row["realized_today"]) for row in counted), ZERO)),
    }


def live_state_from_db(*, user, now: datetime | None = None) -> dict:
    """Everything the dashboard shows, as the database holds it (seq 0: no producer figures in it)."""
    require_fund_admin(user)
    now = now or timezone.now()
    sources = list(Source.objects.order_by("name"))
    book_sources = [source for source in sources if source.kind != SourceKind.UCB]
    breakdown = _source_breakdown(book_sources, now)
    return jsonable({
        "type": "initial_state", "seq": 0, "ts": now, "summary": {**_totals(breakdown), "sources": breakdown},
        "positions": [_position_wire(p) for p in positions_list(user=user)],
        "orders": [order_row(o) for o in orders_list(user=user)],
        "trades": [trade_row(t) for t in trades_list(user=user)[:LAST_TRADES]],
        "sources": [source_status_row(source) for source in sources],
        "services": [status_payload(service, now=now) for service in services_list(user=user)], "pnl_history": [],
    })  # fmt: skip


def orders_state(*, user) -> dict:
    """Every open order and the count in counted sources: what an orders_update message carries."""
    orders = list(orders_list(user=user))
    counted = sum(1 for order in orders if order.source.is_counted_in_totals)
    return {"type": "orders_update", "orders": [jsonable(order_row(order)) for order in orders], "counted": counted}


def live_state_overlay(state: dict, snapshot: dict | None, history: list[list]) -> dict:
    """The database state with the producer's newest figures on top, and the tick it was taken at."""
    if snapshot is None or timezone.now().timestamp() * 1000 - snapshot["ts_ms"] > SNAPSHOT_MAX_AGE_S * 1000:
        return {**state, "producer": "missing"}
    live_sources = {row["source"]: row for row in snapshot["sources"]}
    breakdown = []
    for row in state["summary"]["sources"]:
        live = live_sources.get(row["source"])
        fresh = {k: live[k] for k in ("equity", "open_pnl", "positions", "stale")} if live else {}
        breakdown.append({**row, **fresh})
    summary = {**state["summary"], **{k: snapshot["total"][k] for k in ("equity", "open_pnl", "positions")},
               "sources": breakdown}  # fmt: skip
    return {**state, "seq": snapshot["seq"], "ts": snapshot["ts"], "summary": summary,
            "positions": snapshot["positions"], "pnl_history": history, "producer": "running"}  # fmt: skip


def parse_snapshot(raw: bytes | str | None) -> dict | None:
    return json.loads(raw) if raw else None


def trade_history_page(*, user, source=None, strategy=None, symbol=None):
    """Closed trades, newest first, with the filters applied (paginated by the caller)."""
    return trades_list(user=user, source=source or None, strategy=strategy or None, symbol=symbol or None)


def trade_filter_choices(*, user) -> dict[str, list[str]]:
    """The values the trade history can be filtered by."""
    require_fund_admin(user)
    trades = Trade.objects.all()
    return {
        "sources": list(trades.order_by("source__name").values_list("source__name", flat=True).distinct()),
        "strategies": list(
            trades.exclude(strategy="").order_by("strategy").values_list("strategy", flat=True).distinct()
        ),
        "symbols": list(trades.order_by("symbol").values_list("symbol", flat=True).distinct()),
    }  # fmt: skip


def equity_history(*, user, hours: int = 24, max_points: int = 360, now: datetime | None = None) -> dict:
    """Per-source and combined equity (with and without open PnL) from account states, downsampled."""
    require_fund_admin(user)
    now = now or timezone.now()
    sources = list(Source.objects.exclude(kind=SourceKind.UCB).order_by("name"))
    rows = (
        AccountState.objects.filter(source__in=sources, minute__gte=now - timedelta(hours=hours))
        .order_by("minute").values_list("source_id", "minute", "equity", "unrealized_pnl")
    )  # fmt: skip
    per_source: dict[int, list[tuple[int, Decimal, Decimal]]] = {source.pk: [] for source in sources}
    for source_id, minute, equity, unrealized in rows:
        per_source[source_id].append((int(minute.timestamp() * 1000), equity, equity - unrealized))
    counted = {source.pk for source in sources if source.is_counted_in_totals}
    return {
        "hours": hours,
        "combined": _downsample(_combined({pk: pts for pk, pts in per_source.items() if pk in counted}), max_points),
        "sources": [
            {"source": s.name, "display_name": str(s), "counted": s.is_counted_in_totals,
             "points": _downsample([[t, cents(e), cents(b)] for t, e, b in per_source[s.pk]], max_points)}
            for s in sources
        ],
    }  # fmt: skip


def _combined(series: dict[int, list[tuple[int, Decimal, Decimal]]]) -> list[list]:
    """Sum the sources minute by minute, each carrying its last value forward where it has no row."""
    series = {pk: points for pk, points in series.items() if points}
    last: dict[int, tuple[Decimal, Decimal]] = {}
    by_time: dict[int, list[tuple[int, Decimal, Decimal]]] = {}
    for pk, points in series.items():
        for t, equity, balance in points:
            by_time.setdefault(t, []).append((pk, equity, balance))
    combined = []
    for t in sorted(by_time):
        for pk, equity, balance in by_time[t]:
            last[pk] = (equity, balance)
        if len(last) == len(series):  # start once every source has reported, or the sum would jump
            combined.append([t, cents(sum(v[0] for v in last.values())), cents(sum(v[1] for v in last.values()))])
    return combined


def _downsample(points: list, max_points: int) -> list:
    """Every k-th point, always keeping the newest, so a long window stays a light payload."""
    if len(points) <= max_points:
        return points
    step = -(-len(points) // max_points)
    kept = points[::step]
    return kept if kept[-1] is points[-1] else [*kept, points[-1]]
