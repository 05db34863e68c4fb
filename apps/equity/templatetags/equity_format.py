"""Filters the equity pages format figures with: percents, ratios, money, durations, heatmap colours."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()
DASH = "—"
HEAT_FULL_AT = Decimal("0.10")  # a month of +/-10 % or more gets the strongest colour


def _number(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def pct(value, places: int = 2) -> str:
    """A fraction as a signed percent: "0.1234" -> "+12.34 %"; what rounds to zero shows no sign."""
    number = _number(value)
    if number is None:
        return DASH
    text = f"{number * 100:+,.{int(places)}f}"
    return f"{text.lstrip('+-') if Decimal(text.replace(',', '')) == 0 else text} %"


@register.filter
def pct_plain(value, places: int = 2) -> str:
    """A fraction as an unsigned percent, for sizes such as volatility: "0.3012" -> "30.12 %"."""
    number = _number(value)
    return DASH if number is None else f"{number * 100:,.{int(places)}f} %"


@register.filter
def ratio(value) -> str:
    """A ratio (Sharpe, Sortino, Calmar) with two decimals."""
    number = _number(value)
    return DASH if number is None else f"{number:,.2f}"


@register.filter
def money(value) -> str:
    """Dollars with thousands separators and cents."""
    number = _number(value)
    return DASH if number is None else f"{number:,.2f}"


@register.filter
def duration_hours(value) -> str:
    """Hours as days and hours: 53 -> "2 d 5 h"."""
    number = _number(value)
    if number is None:
        return DASH
    days, hours = divmod(int(number), 24)
    if not days:
        return f"{hours} h"
    return f"{days} d {hours} h" if hours else f"{days} d"


@register.filter
def heat(value) -> str:
    """An inline background for a monthly-return cell: green up, red down, stronger the bigger the move."""
    number = _number(value)
    if number is None:
        return ""
    strength = min(abs(number) / HEAT_FULL_AT, Decimal(1))
    alpha = f"{Decimal('0.12') + strength * Decimal('0.58'):.2f}"
    colour = "63, 185, 80" if number >= 0 else "248, 81, 73"
    return f"background: rgba({colour}, {alpha})"


@register.filter
def sign_class(value) -> str:
    """ "pos" or "neg" for colouring a figure by its sign."""
    number = _number(value)
    return "" if number is None or number == 0 else ("pos" if number > 0 else "neg")


@register.filter
def iso_minute(value) -> str:
    """An ISO-8601 UTC string as "2026-11-21 21:00"."""
    return DASH if not value else str(value).replace("T", " ")[:16]
