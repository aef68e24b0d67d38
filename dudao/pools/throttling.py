from rest_framework.throttling import SimpleRateThrottle


class VerifyThrottle(SimpleRateThrottle):
    """Per client address, signed in or not: the public verification page and
    API together. Codes cannot be guessed anyway (about 80 bits); this keeps a
    scraper from hammering the lookup. The rate lives here, not in settings."""

    scope = "pool_verify"
    rate = "60/minute"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def allowed(request) -> tuple[bool, float | None]:
    """For plain Django views: (allowed, seconds to wait)."""
    throttle = VerifyThrottle()
    if throttle.allow_request(request, None):
        return True, None
    return False, throttle.wait()
