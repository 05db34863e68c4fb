"""Template filters of the service pages."""

import shlex

from django import template

register = template.Library()

STATUS_TONES = {"running": "green", "starting": "accent", "unhealthy": "amber", "crashed": "red", "stopped": "muted"}


@register.filter
def duration(seconds) -> str:
    """'3 d 4 h', '2 h 5 min', '4 min 10 s', '12 s'; '—' when unknown."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


@register.filter
def status_tone(status: str) -> str:
    """The colour name of a service status (badge-<tone>, dot-<tone>)."""
    return STATUS_TONES.get(status, "muted")


@register.filter
def argv_display(argv) -> str:
    """An argument list shown for reading (quoted where needed); it is never run through a shell."""
    return shlex.join(argv or [])


@register.filter
def masked_items(keys_by_name, name):
    """The (key name, masked value) pairs stored for one source or service."""
    return list(((keys_by_name or {}).get(name) or {}).items())


@register.filter
def masked_token(keys_by_name, name) -> str:
    """The masked bot token of one alert channel, '' when none is stored."""
    return ((keys_by_name or {}).get(name) or {}).get("token", "")
