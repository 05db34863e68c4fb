"""Money and prices as the dashboard writes them: signs, thousands separators, cents (same rules as live.js)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _grouped(amount: Decimal, places: int) -> str:
    return f"{amount:,.{places}f}"


@register.filter
def money(value) -> str:
    """25231.4 -> "$25,231.40"; -5 -> "-$5.00"; None -> "—"."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{'-' if amount < 0 else ''}${_grouped(abs(amount), 2)}"


@register.filter
def pnl(value) -> str:
    """Money with its sign always shown: "+$129.10", "-$40.00", "$0.00"."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}${_grouped(abs(amount), 2)}"


@register.filter
def pct(value) -> str:
    """A signed percent with two decimals: "+1.25%"."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{'+' if amount > 0 else ''}{_grouped(amount, 2)}%"


@register.filter
def price(value) -> str:
    """A price or size with thousands separators and only the decimals it has (up to 8)."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    places = min(max(-amount.normalize().as_tuple().exponent, 0), 8)
    return _grouped(amount, places)


@register.filter
def pnl_class(value) -> str:
    """ "pos", "neg" or "" for colouring a figure."""
    amount = _decimal(value)
    if amount is None or amount == 0:
        return ""
    return "pos" if amount > 0 else "neg"


@register.filter
def order_type(value) -> str:
    """ "take_profit" -> "Take profit"."""
    return str(value or "").replace("_", " ").capitalize()
