"""Template filters of the Risk page: plain decimals, signed PnL."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone

from apps.strategies.trader_client import decimal_text

register = template.Library()

CENTS = Decimal("0.01")


@register.filter
def plain(value):
    """A Decimal without trailing zeros or exponent ("1.5", "100"); anything else unchanged."""
    return decimal_text(value) if isinstance(value, Decimal) else ("" if value is None else value)


@register.filter
def ago(moment):
    """How long ago, coarsely: "just now", "40 s ago", "3 min ago", "2 h ago"."""
    if moment is None:
        return "never"
    seconds = int((timezone.now() - moment).total_seconds())
    if seconds < 5:
        return "just now"
    if seconds < 90:
        return f"{seconds} s ago"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    return f"{round(seconds / 3600)} h ago"


@register.filter
def pnl(value):
    """Dollars with a sign, two decimals and thousands separators: +1,234.50 / -12.00."""
    if not isinstance(value, Decimal):
        return "—"
    rounded = value.quantize(CENTS, rounding=ROUND_HALF_UP)
    sign = "+" if rounded > 0 else ("-" if rounded < 0 else "")
    return f"{sign}{abs(rounded):,.2f}"


@register.filter
def pnl_class(value):
    """The colour class of a PnL."""
    if not isinstance(value, Decimal) or value == 0:
        return "muted"
    return "pos" if value > 0 else "neg"
