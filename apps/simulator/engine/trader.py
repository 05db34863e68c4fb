"""A simulated trader service: strategies that open, guard and close positions."""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from apps.simulator.engine.book import EquityHistory, TradeBook
from apps.simulator.engine.catalog import TraderConfig
from apps.simulator.engine.ledger import NettingLedger
from apps.simulator.engine.market import Market
from apps.simulator.engine.records import (
    ZERO,
    Analytics,
    EquityPoint,
    Event,
    KillSwitchChange,
    Order,
    Position,
    RiskSettings,
    SlotKey,
    StrategySpec,
    Trade,
)
from apps.simulator.engine.sizing import fill_fee, margin_for, position_size
from apps.simulator.engine.strategy import StrategySlot

logger = logging.getLogger(__name__)

RISK_FIELDS = ("risk_per_trade", "stop_loss_dollars", "max_strategy_loss")
Listener = Callable[[Event], None]


class UnknownStrategyError(KeyError):
    """No strategy runs on that (strategy_id, symbol)."""


class InvalidSettingError(ValueError):
    """A risk value outside its allowed range (the message is the contract's)."""


def validate_risk_values(values: dict[str, Decimal]) -> None:
    """Raise InvalidSettingError for the first value the contract forbids."""
    for field, value in values.items():
        if field not in RISK_FIELDS:
            raise InvalidSettingError(f"unknown field: {field}")
        if field == "risk_per_trade" and not (0 < value <= 100):
            raise InvalidSettingError("risk_per_trade must be in (0, 100]")
        if field != "risk_per_trade" and not value > 0:
            raise InvalidSettingError(f"{field} must be > 0")


class TraderEngine:
    """One trader: its strategy slots, orders, trades, equity and exchange ledger."""

    def __init__(self, config: TraderConfig, market: Market, *, seed: int, start: datetime) -> None:
        self.config = config
        self.market = market
        self.now = start
        self.ledger = NettingLedger()
        self.book = TradeBook()
        self.history = EquityHistory()
        self._slots = {
            spec.key: StrategySlot(spec, config.defaults.settings(), _slot_rng(seed, config.name, spec))
            for spec in config.strategies
        }
        self._orders: dict[str, Order] = {}
        self._next_order_id = config.first_order_id
        self._next_trade_id = 1
        self._listeners: list[Listener] = []
        self.history.record(start, self.equity())

    # Reads

    def strategies(self) -> list[StrategySpec]:
        """Every (strategy, symbol) the trader runs, in a stable order."""
        return [slot.spec for slot in self._slots.values()]

    def settings(self, key: SlotKey) -> RiskSettings:
        """Risk settings of one slot."""
        return self._slot(key).settings

    def all_settings(self) -> list[tuple[StrategySpec, RiskSettings]]:
        """(spec, settings) of every slot."""
        return [(slot.spec, slot.settings) for slot in self._slots.values()]

    def positions(self) -> list[Position]:
        """Open positions, one at most per slot."""
        return [slot.position for slot in self._slots.values() if slot.position is not None]

    def open_orders(self) -> list[Order]:
        """Resting stop and take-profit orders."""
        return list(self._orders.values())

    def trades(self, *, limit: int, since: datetime | None = None) -> list[Trade]:
        """Closed trades, newest first."""
        return self.book.newest(limit=limit, since=since)

    def analytics(self) -> Analytics:
        """Totals over closed trades."""
        return self.book.analytics()

    def equity_history(self) -> list[EquityPoint]:
        """Hourly equity, oldest first."""
        return self.history.points()

    def unrealized_pnl(self) -> Decimal:
        """PnL of open positions at the current marks."""
        return sum((p.pnl_at(self.market.mark(p.symbol)) for p in self.positions()), ZERO)

    def realized_pnl(self) -> Decimal:
        """Realized PnL after fees."""
        return self.book.realized_net

    def equity(self) -> Decimal:
        """Starting capital + realized (after fees) + unrealized."""
        return self.config.starting_capital + self.realized_pnl() + self.unrealized_pnl()

    def margin_used(self) -> Decimal:
        """Margin of open positions at the current marks and the fixed leverage."""
        notional = sum((p.size * self.market.mark(p.symbol) for p in self.positions()), ZERO)
        return margin_for(notional=notional)

    # Commands

    def update_risk(self, key: SlotKey, values: dict[str, Decimal]) -> RiskSettings:
        """Change any of risk_per_trade, stop_loss_dollars, max_strategy_loss (all or nothing)."""
        settings = self._slot(key).settings
        validate_risk_values(values)
        for field, value in values.items():
            setattr(settings, field, value)
        return settings

    def set_enabled(self, key: SlotKey, enabled: bool) -> RiskSettings:
        """Enable or disable a strategy; an open position keeps its stop either way."""
        settings = self._slot(key).settings
        settings.enabled = enabled
        return settings

    def reset_kill_switch(self, key: SlotKey) -> RiskSettings:
        """Clear the kill switch and measure the strategy's drawdown afresh from here."""
        slot = self._slot(key)
        was_active = slot.settings.kill_switch_active
        slot.settings.kill_switch_active = False
        slot.settings.peak_pnl = slot.settings.total_pnl
        if was_active:
            self._emit(Event("kill_switch", KillSwitchChange(*key, active=False)))
        return slot.settings

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with every event from now on."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling `listener`."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    # Stepping

    def step(self, now: datetime, seconds: float) -> None:
        """Advance to `now`: exits first, then entries, then the equity history."""
        self.now = now
        for slot in self._slots.values():
            if slot.position is not None:
                self._manage(slot, seconds)
            elif slot.settings.may_open and slot.wants_to_open(seconds):
                self._open(slot)
        self.history.record(now, self.equity())

    def _manage(self, slot: StrategySlot, seconds: float) -> None:
        """Close the slot's position on its stop, its target or a signal."""
        position = slot.position
        assert position is not None
        exit_at = _triggered_exit(position, self.market.mark(position.symbol))
        if exit_at is None and slot.wants_to_exit(seconds):
            exit_at = (self.market.mark(position.symbol), "signal")
        if exit_at is not None:
            self._close(slot, *exit_at)

    def _open(self, slot: StrategySlot) -> None:
        """Enter a position sized from the slot's risk settings, with its stop (and maybe target)."""
        plan = slot.plan_entry()
        symbol = slot.spec.symbol
        entry = self.market.mark(symbol)
        direction = 1 if plan.side == "long" else -1
        distance = max(self.market.specs[symbol].tick, self.market.round_price(symbol, entry * plan.stop_fraction))
        size = position_size(
            equity=self.equity(),
            price=entry,
            stop_distance=distance,
            risk_per_trade=slot.settings.risk_per_trade,
            stop_loss_dollars=slot.settings.stop_loss_dollars,
            size_step=self.market.specs[symbol].size_step,
        )
        stop = entry - distance * direction
        if size <= 0 or stop <= 0:
            return
        target = self._target(symbol, entry, distance * direction, plan.take_profit_multiple)
        slot.position = self._book_entry(slot.spec, plan.side, size, entry, stop, target)
        self._emit(Event("position_update", slot.position, mark_price=entry))

    def _target(
        self, symbol: str, entry: Decimal, signed_distance: Decimal, multiple: Decimal | None
    ) -> Decimal | None:
        """The take-profit price `multiple` stop distances away, if the plan wants one."""
        if multiple is None:
            return None
        target = self.market.round_price(symbol, entry + signed_distance * multiple)
        return target if target > 0 else None

    def _book_entry(
        self, spec: StrategySpec, side: str, size: Decimal, entry: Decimal, stop: Decimal, target: Decimal | None
    ) -> Position:
        """Fill the entry on the exchange and rest the protective orders."""
        fee = fill_fee(price=entry, size=size, fee_rate=self.config.fee_rate)
        entry_order_id = self._new_order_id()
        self.ledger.apply(
            coin=spec.symbol, is_buy=side == "long", sz=size, px=entry, time=self.now, oid=int(entry_order_id), fee=fee
        )
        closing_side = "sell" if side == "long" else "buy"
        stop_order = self._rest_order(spec, "stop", closing_side, size, stop)
        target_order = self._rest_order(spec, "take_profit", closing_side, size, target) if target else None
        return Position(
            strategy_id=spec.strategy_id,
            symbol=spec.symbol,
            side=side,
            size=size,
            entry_price=entry,
            stop_loss=stop,
            take_profit=target,
            opened_at=self.now,
            entry_fee=fee,
            stop_order_id=stop_order.order_id,
            take_profit_order_id=target_order.order_id if target_order else None,
        )

    def _rest_order(self, spec: StrategySpec, kind: str, side: str, size: Decimal, price: Decimal) -> Order:
        """Place a reduce-only stop or take-profit order."""
        order = Order(
            order_id=self._new_order_id(),
            strategy_id=spec.strategy_id,
            symbol=spec.symbol,
            type=kind,
            side=side,
            size=size,
            price=price,
            reduce_only=True,
            created_at=self.now,
        )
        self._orders[order.order_id] = order
        return order

    def _close(self, slot: StrategySlot, price: Decimal, reason: str) -> None:
        """Fill the exit, cancel the position's orders and book the trade."""
        position = slot.position
        assert position is not None
        order_ids = {"stop": position.stop_order_id, "take_profit": position.take_profit_order_id}
        exit_order_id = order_ids.get(reason) or self._new_order_id()
        fee = fill_fee(price=price, size=position.size, fee_rate=self.config.fee_rate)
        self.ledger.apply(
            coin=position.symbol,
            is_buy=position.side == "short",
            sz=position.size,
            px=price,
            time=self.now,
            oid=int(exit_order_id),
            fee=fee,
        )
        for order_id in (position.stop_order_id, position.take_profit_order_id):
            self._orders.pop(order_id or "", None)
        trade = self._trade_from(position, price, fee, reason)
        self.book.add(trade)
        slot.settings.total_pnl += trade.net_pnl
        slot.settings.peak_pnl = max(slot.settings.peak_pnl, slot.settings.total_pnl)
        slot.position = None
        self._emit(Event("trade_closed", trade))
        self._emit(Event("position_update", dataclasses.replace(position, size=ZERO), mark_price=price))
        self._check_kill_switch(slot)

    def _trade_from(self, position: Position, price: Decimal, exit_fee: Decimal, reason: str) -> Trade:
        """The trade record of a closed position."""
        trade_id = f"t-{self._next_trade_id}"
        self._next_trade_id += 1
        return Trade(
            trade_id=trade_id,
            strategy_id=position.strategy_id,
            symbol=position.symbol,
            side=position.side,
            size=position.size,
            entry_price=position.entry_price,
            exit_price=price,
            stop_loss=position.stop_loss,
            realized_pnl=position.pnl_at(price),
            fees=position.entry_fee + exit_fee,
            opened_at=position.opened_at,
            closed_at=self.now,
            exit_reason=reason,
        )

    def _check_kill_switch(self, slot: StrategySlot) -> None:
        """Trip the kill switch once the realized drawdown since the last reset reaches max_strategy_loss.

        Checked as each trade closes, so a tripped strategy is always flat: it
        has nothing left to close and opens nothing until reset.
        """
        settings = slot.settings
        if not settings.kill_switch_active and settings.drawdown >= settings.max_strategy_loss:
            settings.kill_switch_active = True
            self._emit(Event("kill_switch", KillSwitchChange(*slot.spec.key, active=True)))

    def _slot(self, key: SlotKey) -> StrategySlot:
        """The slot for a key, or UnknownStrategyError."""
        try:
            return self._slots[key]
        except KeyError:
            raise UnknownStrategyError(f"unknown strategy/symbol: {key[0]}/{key[1]}") from None

    def _new_order_id(self) -> str:
        """A fresh order id, never reused."""
        order_id = str(self._next_order_id)
        self._next_order_id += 1
        return order_id

    def _emit(self, event: Event) -> None:
        """Tell every listener; a failing listener never breaks the engine."""
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("simulator event listener failed")


def _triggered_exit(position: Position, mark: Decimal) -> tuple[Decimal, str] | None:
    """(fill price, reason) when the mark crossed the stop or the target."""
    direction = position.direction
    if (mark - position.stop_loss) * direction <= 0:
        return position.stop_loss, "stop"
    if position.take_profit is not None and (mark - position.take_profit) * direction >= 0:
        return position.take_profit, "take_profit"
    return None


def _slot_rng(seed: int, trader: str, spec: StrategySpec) -> random.Random:
    """A random stream of its own for each slot (string seeds are stable across runs)."""
    return random.Random(f"{seed}:{trader}:{spec.strategy_id}:{spec.symbol}")
