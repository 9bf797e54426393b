"""DRF throttles keyed on the real client address (laborbridge.security.client_address).

DRF's own ``get_ident`` believes ``X-Forwarded-For`` from anyone unless ``NUM_PROXIES`` is
set; these read the one ``TRUSTED_PROXIES`` setting instead, like the login lockout.
"""

from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from laborbridge.security import client_address


class AnonymousClientThrottle(AnonRateThrottle):
    """Anonymous API requests per client address (rate ``anon``)."""

    def get_ident(self, request):
        return client_address(request)


class SignInThrottle(ScopedRateThrottle):
    """Token requests per client address (rate ``auth``), whoever they name."""

    scope_attr = "throttle_scope"

    def get_ident(self, request):
        return client_address(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
