"""Read queries of the sources app; every one takes the user who asks and admits fund admins only."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.access import require_fund_admin
from apps.sources.models import AccountState, Order, Position, Source, Trade

ZERO = Decimal("0")


def _filtered(queryset: QuerySet, *, source=None, strategy=None, symbol=None) -> QuerySet:
    if source:
        queryset = queryset.filter(source__name=source)
    if strategy:
        queryset = queryset.filter(strategy=strategy)
    if symbol:
        queryset = queryset.filter(symbol=symbol)
    return queryset


def sources_list(*, user) -> QuerySet[Source]:
    require_fund_admin(user)
    return Source.objects.all()


def positions_list(*, user, source=None, strategy=None, symbol=None) -> QuerySet[Position]:
    require_fund_admin(user)
    return _filtered(Position.objects.select_related("source"), source=source, strategy=strategy, symbol=symbol)


def orders_list(*, user, source=None, strategy=None, symbol=None) -> QuerySet[Order]:
    require_fund_admin(user)
    return _filtered(Order.objects.select_related("source"), source=source, strategy=strategy, symbol=symbol)


def trades_list(*, user, source=None, strategy=None, symbol=None, since: datetime | None = None) -> QuerySet[Trade]:
    """Closed trades, newest first."""
    require_fund_admin(user)
    trades = _filtered(Trade.objects.select_related("source"), source=source, strategy=strategy, symbol=symbol)
    if since:
        trades = trades.filter(closed_at__gte=since)
    return trades.order_by("-closed_at", "-id")


def latest_account_states() -> dict[int, AccountState]:
    """The newest account state of each source, keyed by source id (one query)."""
    newest = AccountState.objects.filter(source_id__in=Source.objects.values("pk")).order_by("source_id", "-minute")
    states: dict[int, AccountState] = {}
    for state in newest.only("source_id", "equity", "realized_pnl", "unrealized_pnl", "margin_used", "as_of"):
        states.setdefault(state.source_id, state)
    return states


def _trade_stats(trades: QuerySet[Trade], now: datetime) -> dict:
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    stats = trades.aggregate(
        realized_all=Sum("realized_pnl"),
        realized_today=Sum("realized_pnl", filter=Q(closed_at__gte=day_start)),
        realized_7d=Sum("realized_pnl", filter=Q(closed_at__gte=now - timedelta(days=7))),
        realized_30d=Sum("realized_pnl", filter=Q(closed_at__gte=now - timedelta(days=30))),
        trades=Count("id"), wins=Count("id", filter=Q(realized_pnl__gt=0)),
        average_risk_reward=Avg("risk_reward"), best_trade=Max("realized_pnl"), worst_trade=Min("realized_pnl"),
    )  # fmt: skip
    for key in ("realized_all", "realized_today", "realized_7d", "realized_30d"):
        stats[key] = stats[key] or ZERO
    trades = stats["trades"]
    stats["win_rate"] = (Decimal(stats["wins"]) / trades).quantize(Decimal("0.0001")) if trades else None
    if stats["average_risk_reward"] is not None:
        stats["average_risk_reward"] = Decimal(stats["average_risk_reward"]).quantize(Decimal("0.01"))
    return stats


def analytics_summary(*, user, now: datetime | None = None) -> dict:
    """Combined and per-source equity, open PnL, realized PnL windows, counts and trade statistics."""
    require_fund_admin(user)
    now = now or timezone.now()
    states = latest_account_states()
    open_pnl = dict(Position.objects.values_list("source_id").annotate(pnl=Sum("unrealized_pnl")))
    position_counts = dict(Position.objects.values_list("source_id").annotate(n=Count("id")))
    order_counts = dict(Order.objects.values_list("source_id").annotate(n=Count("id")))
    per_source = []
    for source in Source.objects.all():
        state = states.get(source.pk)
        per_source.append({
            "source": source.name, "status": source.status, "is_counted_in_totals": source.is_counted_in_totals,
            "equity": state.equity if state else None, "equity_as_of": state.as_of if state else None,
            "open_pnl": open_pnl.get(source.pk, ZERO), "positions": position_counts.get(source.pk, 0),
            "orders": order_counts.get(source.pk, 0), **_trade_stats(Trade.objects.filter(source=source), now),
        })  # fmt: skip
    counted = set(Source.objects.filter(is_counted_in_totals=True).values_list("pk", flat=True))
    combined = {
        "equity": sum((state.equity for pk, state in states.items() if pk in counted), ZERO),
        "open_pnl": sum((pnl for pk, pnl in open_pnl.items() if pk in counted), ZERO),
        "positions": sum(n for pk, n in position_counts.items() if pk in counted),
        "orders": sum(n for pk, n in order_counts.items() if pk in counted),
        **_trade_stats(Trade.objects.filter(source_id__in=counted), now),
    }
    return {"as_of": now, "combined": combined, "sources": per_source}
