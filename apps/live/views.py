"""Pages of the live app: the dashboard and the htmx partials it refreshes."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from urllib.parse import urlencode

import redis
from django.core.paginator import Paginator
from django.views.generic import TemplateView

from apps.accounts.mixins import AdminRequiredMixin
from apps.live import keys
from apps.live.selectors import (
    live_state_from_db,
    live_state_overlay,
    parse_snapshot,
    trade_filter_choices,
    trade_history_page,
)
from apps.services.models import ManagedService
from apps.services.selectors import services_list
from apps.sources.choices import SourceKind
from apps.sources.ucb import ucb_section

logger = logging.getLogger(__name__)

TRADES_PER_PAGE = 25
TOP_MODELS = 5


def live_state(user) -> dict:
    """The dashboard's state, with the producer's figures when it runs (a Redis outage only loses those)."""
    state = live_state_from_db(user=user)
    try:
        client = redis.Redis.from_url(keys.live_redis_url(), socket_timeout=1)
        snapshot, history = client.get(keys.snapshot_key()), client.lrange(keys.history_key(), 0, -1)
    except (redis.RedisError, OSError):
        logger.warning("live state: Redis unreachable; showing stored figures only")
        return {**state, "producer": "missing"}
    return live_state_overlay(state, parse_snapshot(snapshot), [json.loads(item) for item in history])


def ucb_cards(user) -> list[dict]:
    """One card per UCB source: GPU, active trainings, best models, and how old that data is."""
    gpu, training, models = (ucb_section(user=user, section=name)["sources"] for name in ("gpu", "training", "models"))
    cards = []
    for gpu_row, training_row, models_row in zip(gpu, training, models, strict=True):
        best = sorted(models_row["data"] or [], key=lambda model: Decimal(model["score"]), reverse=True)
        cards.append({**gpu_row, "gpu": gpu_row["data"], "trainings": training_row["data"] or [],
                      "models": best[:TOP_MODELS]})  # fmt: skip
    return cards


def service_cards(user) -> list[ManagedService]:
    """The managed services (traders, UCB) as the left panel and the header dots show them."""
    return list(services_list(user=user))


def trades_context(request) -> dict:
    filters = {name: request.GET.get(name, "") for name in ("source", "strategy", "symbol")}
    trades = trade_history_page(user=request.user, **filters)
    page = Paginator(trades, TRADES_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({name: value for name, value in filters.items() if value})
    return {"trade_page": page, "trade_filters": filters, "trade_query": query,
            "trade_choices": trade_filter_choices(user=request.user), "is_filtered": any(filters.values())}  # fmt: skip


class LiveDashboardView(AdminRequiredMixin, TemplateView):
    """The back office landing: the whole fund, live."""

    template_name = "live/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        state = live_state(user)
        exchanges = [s for s in state["sources"] if s["kind"] not in (SourceKind.TRADER_SERVICE, SourceKind.UCB)]
        traders = [s for s in state["sources"] if s["kind"] == SourceKind.TRADER_SERVICE]
        uncounted = {s["source"] for s in state["sources"] if not s["is_counted"]}
        return super().get_context_data(
            state=state, summary=state["summary"], services=service_cards(user), exchanges=exchanges, traders=traders,
            uncounted=uncounted,
            ucb_cards=ucb_cards(user), **trades_context(self.request), **kwargs,
        )  # fmt: skip


class TradeHistoryPartialView(AdminRequiredMixin, TemplateView):
    """The trade history card's body, filtered and paginated (htmx swaps it in place)."""

    template_name = "live/_trade_history.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**trades_context(self.request), **kwargs)


class SidePanelPartialView(AdminRequiredMixin, TemplateView):
    """The left panel: trader service cards and the UCB card (htmx refreshes it)."""

    template_name = "live/_side_panel.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(services=service_cards(user), ucb_cards=ucb_cards(user), **kwargs)
