"""How a simulated trader sizes a new position from its risk settings."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

LEVERAGE = 10  # fixed cross leverage of every simulated position
FEE_QUANTUM = Decimal("0.000001")


def position_size(
    *,
    equity: Decimal,
    price: Decimal,
    stop_distance: Decimal,
    risk_per_trade: Decimal,
    stop_loss_dollars: Decimal,
    size_step: Decimal,
    leverage: int = LEVERAGE,
) -> Decimal:
    """Size of a new position: min(risk size, margin cap), rounded down to the size step.

    The strategy chooses where its stop goes (`stop_distance` from the entry, in
    price). Then:
      risk size  = stop_loss_dollars / stop_distance   (a stop-out loses exactly
                   stop_loss_dollars before fees)
      margin cap = equity * risk_per_trade / 100 * leverage / price   (the trade
                   may use risk_per_trade percent of equity as margin at the fixed
                   leverage)
    Raising stop_loss_dollars grows trades until the margin cap binds; raising
    risk_per_trade grows the cap. A result of zero means "do not trade".
    """
    if equity <= 0 or price <= 0 or stop_distance <= 0:
        return Decimal(0)
    by_risk = stop_loss_dollars / stop_distance
    by_margin = equity * risk_per_trade / 100 * leverage / price
    size = min(by_risk, by_margin).quantize(size_step, rounding=ROUND_DOWN)
    return max(size, Decimal(0))


def fill_fee(*, price: Decimal, size: Decimal, fee_rate: Decimal) -> Decimal:
    """Taker fee of one fill, in dollars."""
    return (price * size * fee_rate).quantize(FEE_QUANTUM, rounding=ROUND_HALF_UP)


def margin_for(*, notional: Decimal, leverage: int = LEVERAGE) -> Decimal:
    """Margin a cross position of this notional uses."""
    return notional / leverage
