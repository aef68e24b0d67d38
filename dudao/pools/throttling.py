from rest_framework.throttling import SimpleRateThrottle

from dudao.core.clientip import client_ip


class VerifyThrottle(SimpleRateThrottle):
    """Per client address, signed in or not: the public verification page and
    API together. Codes cannot be guessed anyway (about 80 bits); this keeps a
    scraper from hammering the lookup. The rate lives here, not in settings.

    The address is the deployment's (dudao.core.clientip), never a header the
    client wrote; the count lives in Django's default cache, which a deployment
    points at Redis so that all worker processes share it."""

    scope = "pool_verify"
    rate = "60/minute"

    def get_ident(self, request):
        return client_ip(request) or "unknown"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def allowed(request) -> tuple[bool, float | None]:
    """For plain Django views: (allowed, seconds to wait)."""
    throttle = VerifyThrottle()
    if throttle.allow_request(request, None):
        return True, None
    return False, throttle.wait()
