"""The pure engine: determinism, risk settings that govern trading, kill switch, netting."""

from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from apps.simulator.engine import LEVERAGE, Simulation
from apps.simulator.engine.ledger import NettingLedger
from apps.simulator.engine.records import floor_hour

HL = "hyperliquid"
SOL = ("breakout", "SOL")


def snapshot(sim: Simulation) -> dict:
    """Everything a client could observe of a simulation."""
    state = {"marks": sim.market.marks(), "now": sim.now}
    for name, trader in sim.traders.items():
        state[name] = (
            trader.positions(),
            trader.open_orders(),
            trader.trades(limit=100_000),
            list(trader.ledger.fills),
            trader.equity_history(),
            trader.all_settings(),
        )
    return state


def step_until(sim: Simulation, condition, limit: int = 2000) -> None:
    """Step until `condition()` holds, failing after `limit` steps."""
    for _ in range(limit):
        if condition():
            return
        sim.step()
    raise AssertionError("condition never held")


def slot_trades(sim: Simulation, key: tuple[str, str], trader: str = HL) -> list:
    return [t for t in sim.trader(trader).trades(limit=100_000) if (t.strategy_id, t.symbol) == key]


def test_same_seed_and_steps_give_identical_state():
    first, second = Simulation(seed=11, step_seconds=600), Simulation(seed=11, step_seconds=600)

    first.step(300)
    second.step(300)

    assert snapshot(first) == snapshot(second)
    assert len(first.trader(HL).trades(limit=1000)) > 10


def test_a_different_seed_gives_a_different_run():
    first, second = Simulation(seed=11, step_seconds=600), Simulation(seed=12, step_seconds=600)

    first.step(300)
    second.step(300)

    assert first.market.marks() != second.market.marks()
    assert first.trader(HL).trades(limit=1000) != second.trader(HL).trades(limit=1000)


def test_a_disabled_strategy_opens_nothing_while_enabled_ones_trade():
    sim = Simulation(seed=5, step_seconds=900)
    trader = sim.trader(HL)
    trader.set_enabled(SOL, False)

    sim.step(400)

    assert slot_trades(sim, SOL) == []
    assert all(p.symbol != "SOL" for p in trader.positions())
    assert all(fill.coin != "SOL" for fill in trader.ledger.fills)
    for spec in trader.strategies():
        if spec.key != SOL:
            assert slot_trades(sim, spec.key), f"{spec.key} never traded"


def test_the_kill_switch_trips_past_max_loss_and_reset_lets_the_strategy_trade_again():
    sim = Simulation(seed=5, step_seconds=900)
    trader = sim.trader(HL)
    events = []
    trader.subscribe(events.append)
    trader.update_risk(SOL, {"max_strategy_loss": Decimal("0.01")})

    step_until(sim, lambda: trader.settings(SOL).kill_switch_active)
    tripped_with = slot_trades(sim, SOL)
    sim.step(200)

    assert tripped_with[0].net_pnl <= Decimal("-0.01")  # newest first: the trade that tripped it
    assert trader.settings(SOL).drawdown >= Decimal("0.01")
    assert slot_trades(sim, SOL) == tripped_with
    assert all(p.symbol != "SOL" for p in trader.positions())
    assert [(e.payload.active) for e in events if e.type == "kill_switch"] == [True]

    settings = trader.reset_kill_switch(SOL)
    step_until(sim, lambda: any(p.symbol == "SOL" for p in trader.positions()))

    assert settings.kill_switch_active is False
    assert [(e.payload.active) for e in events if e.type == "kill_switch"] == [True, False]


def _first_positions(sim: Simulation) -> list:
    step_until(sim, lambda: bool(sim.trader(HL).positions()))
    return sim.trader(HL).positions()


def _configure(sim: Simulation, **values: str) -> None:
    trader = sim.trader(HL)
    for spec in trader.strategies():
        trader.update_risk(spec.key, {field: Decimal(value) for field, value in values.items()})


def test_risk_per_trade_sizes_trades_when_the_margin_cap_binds():
    small, large = Simulation(seed=5, step_seconds=900), Simulation(seed=5, step_seconds=900)
    _configure(small, risk_per_trade="1", stop_loss_dollars="1000000")
    _configure(large, risk_per_trade="2", stop_loss_dollars="1000000")

    small_positions, large_positions = _first_positions(small), _first_positions(large)

    capital = small.trader(HL).config.starting_capital  # nothing has closed yet: equity is the capital
    for positions, percent in ((small_positions, 1), (large_positions, 2)):
        for position in positions:
            step = small.market.specs[position.symbol].size_step
            expected = capital * percent / 100 * LEVERAGE / position.entry_price
            assert position.size == expected.quantize(step, rounding=ROUND_DOWN)
    assert [p.size for p in small_positions] != [p.size for p in large_positions]


def test_stop_loss_dollars_sizes_trades_so_a_stop_out_loses_that_much():
    sim = Simulation(seed=5, step_seconds=900)
    _configure(sim, risk_per_trade="100", stop_loss_dollars="50")
    trader = sim.trader(HL)

    sim.step(300)

    for position in trader.positions():
        step = sim.market.specs[position.symbol].size_step
        expected = Decimal(50) / abs(position.entry_price - position.stop_loss)
        assert position.size == expected.quantize(step, rounding=ROUND_DOWN)
    stops = [t for t in trader.trades(limit=1000) if t.exit_reason == "stop"]
    assert stops
    for trade in stops:
        one_step_of_loss = sim.market.specs[trade.symbol].size_step * abs(trade.entry_price - trade.stop_loss)
        assert Decimal(-50) <= trade.realized_pnl <= Decimal(-50) + one_step_of_loss


def test_equity_is_capital_plus_realized_plus_unrealized_with_hourly_history():
    sim = Simulation(seed=3, step_seconds=700)
    trader = sim.trader(HL)

    sim.step(200)

    assert trader.equity() == trader.config.starting_capital + trader.realized_pnl() + trader.unrealized_pnl()
    assert trader.realized_pnl() == sum((t.realized_pnl - t.fees for t in trader.trades(limit=10_000)), Decimal(0))
    hours = [point.timestamp for point in trader.equity_history()]
    assert hours[0] == floor_hour(sim.start)
    assert hours == sorted(set(hours))
    assert all(hour == floor_hour(hour) for hour in hours)
    assert hours[-1] == floor_hour(sim.now)


def test_trade_and_order_ids_are_unique_and_never_reused():
    sim = Simulation(seed=3, step_seconds=900)
    trader = sim.trader(HL)

    sim.step(400)

    trades = trader.trades(limit=10_000)
    assert [t.trade_id for t in reversed(trades)] == [f"t-{n}" for n in range(1, len(trades) + 1)]
    fill_oids = [fill.oid for fill in trader.ledger.fills]
    resting = [int(order.order_id) for order in trader.open_orders()]
    # Each oid fills at most once; resting orders have not filled yet.
    assert len(fill_oids) == len(set(fill_oids))
    assert not set(resting) & set(fill_oids)


def test_stops_guard_every_open_position():
    sim = Simulation(seed=3, step_seconds=900)
    trader = sim.trader(HL)

    sim.step(150)

    orders = {order.order_id: order for order in trader.open_orders()}
    for position in trader.positions():
        stop = orders[position.stop_order_id]
        assert (stop.type, stop.price, stop.size, stop.reduce_only) == ("stop", position.stop_loss, position.size, True)
        assert stop.side == ("sell" if position.side == "long" else "buy")
        if position.take_profit is not None:
            assert orders[position.take_profit_order_id].price == position.take_profit
    assert len(orders) == sum(2 if p.take_profit is not None else 1 for p in trader.positions())


def test_the_ledger_nets_fills_like_the_exchange():
    ledger = NettingLedger()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    fills = [
        ledger.apply(coin="BTC", is_buy=True, sz=Decimal("1"), px=Decimal("100"), time=moment, oid=1, fee=Decimal(0)),
        ledger.apply(
            coin="BTC", is_buy=False, sz=Decimal("0.4"), px=Decimal("110"), time=moment, oid=2, fee=Decimal(0)
        ),
        ledger.apply(coin="BTC", is_buy=False, sz=Decimal("1"), px=Decimal("120"), time=moment, oid=3, fee=Decimal(0)),
        ledger.apply(coin="BTC", is_buy=True, sz=Decimal("0.4"), px=Decimal("100"), time=moment, oid=4, fee=Decimal(0)),
    ]

    assert [(f.dir, f.start_position, f.closed_pnl) for f in fills] == [
        ("Open Long", Decimal("0"), Decimal("0")),
        ("Close Long", Decimal("1"), Decimal("4")),
        ("Long > Short", Decimal("0.6"), Decimal("12")),
        ("Close Short", Decimal("-0.4"), Decimal("8")),
    ]
    assert ledger.position("BTC").szi == 0
    assert [f.tid for f in fills] == [1, 2, 3, 4]


def test_the_clock_advances_by_step_seconds():
    start = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    sim = Simulation(seed=1, start=start, step_seconds=90)

    sim.step(40)

    assert sim.now == start + timedelta(seconds=3600)
    assert sim.steps_taken == 40
