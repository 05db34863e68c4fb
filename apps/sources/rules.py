"""Pure trading rules of the sources app (no Django): R:R, netting."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal


def risk_reward(
    *, entry: Decimal | None, exit_price: Decimal, stop_loss: Decimal | None, realized_pnl: Decimal
) -> Decimal | None:
    """R:R of a closed trade = |exit - entry| / |entry - stop|, signed by its outcome; None when unknowable."""
    if entry is None or stop_loss is None or stop_loss == entry:
        return None
    ratio = abs(exit_price - entry) / abs(entry - stop_loss)
    return -ratio if realized_pnl < 0 else ratio


def net_by_symbol(positions: Iterable[tuple[str, str, Decimal]]) -> dict[str, Decimal]:
    """Signed net size per symbol from (symbol, side, size): longs add, shorts subtract; flat symbols drop out."""
    net: dict[str, Decimal] = defaultdict(Decimal)
    for symbol, side, size in positions:
        net[symbol] += size if side == "long" else -size
    return {symbol: size for symbol, size in net.items() if size != 0}
