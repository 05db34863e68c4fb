"""Template filters of the accounts pages."""

import json
from datetime import timedelta

from django import template
from django.core.serializers.json import DjangoJSONEncoder

register = template.Library()


@register.filter
def as_json(value) -> str:
    """Compact JSON of an audit before/after value; empty for None."""
    if value is None:
        return ""
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)


@register.filter
def minutes(value: timedelta | None) -> int:
    """Whole minutes in a timedelta, rounded up (a lockout of 14m30s reads '15 minutes')."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)
