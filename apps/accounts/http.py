"""Request helpers shared by views, APIs, admin and signal handlers."""

import ipaddress

from axes.helpers import get_client_ip_address
from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's IP address, resolved exactly as the login lockout resolves it; None if unknown."""
    if request is None:
        return None
    # Same resolution as django-axes (AXES_IPWARE_* settings), so an audit line and a lockout agree on the IP.
    value = get_client_ip_address(request)
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None
