"""Who may read /metrics: a scraper on an allowed network, or one presenting the token."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

# A reverse proxy in front of the web processes connects from loopback for everyone; a request
# it forwarded is never let in for its address, only with the token.
_FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def address_allowed(address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


def token_presented(request: HttpRequest, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if not token or scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def metrics_access_allowed(request: HttpRequest) -> bool:
    token: str = settings.AFTERSALES_METRICS_TOKEN
    if token_presented(request, token):
        return True
    if any(header in request.META for header in _FORWARDING_HEADERS):
        return False
    networks = parse_networks(settings.AFTERSALES_METRICS_ALLOWED_NETWORKS)
    return address_allowed(request.META.get("REMOTE_ADDR", ""), networks)
