"""The client's address as this deployment defines it. Used by everything that
counts or records per address (login lock-outs, the access log, throttles), so
they agree on who the client is."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, unless DUDAO_TRUSTED_PROXY_COUNT proxies stand in front of
    the application: then each of them appended the address it received the
    request from to X-Forwarded-For, and the client is the Nth entry from the
    right. Everything further left was written by the client and is ignored."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "DUDAO_TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        # The request did not come through every proxy (a direct hit on the
        # application): the connection's own address is all that is known.
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
