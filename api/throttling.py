"""Throttles for plugins' public write endpoints.

A plugin whose API accepts writes from the public (a comment form, a poll
vote, a newsletter signup) adds :class:`PublicWriteThrottle` to the view::

    from api.throttling import PublicWriteThrottle

    class VoteView(APIView):
        permission_classes = [AllowAny]
        throttle_classes = [PublicWriteThrottle]

The rate is ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public_write"]``
(environment variable ``API_THROTTLE_PUBLIC_WRITE``, default ``10/min``). A
request over the rate answers 429 with a ``Retry-After`` header.
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class PublicWriteThrottle(SimpleRateThrottle):
    """Limit unsafe requests (POST, PUT, PATCH, DELETE) to the ``public_write`` rate.

    - Anonymous visitors are counted per IP address, signed-in users (session
      or token) per user id, so people behind one office NAT who sign in do not
      share a budget.
    - Reads (GET, HEAD, OPTIONS) are never counted: a view that lists comments
      and accepts new ones throttles only the posting.
    - The client IP is ``REMOTE_ADDR``. ``X-Forwarded-For`` is trusted only
      when ``REST_FRAMEWORK["NUM_PROXIES"]`` says how many proxies sit in
      front of the site; without it anyone could send a new made-up address
      with each request and never be throttled.

    Subclass and set ``scope`` to give an endpoint its own rate.
    """

    scope = "public_write"

    def get_rate(self):
        # Read the rates now rather than at import time, so settings changes
        # (environment, tests) are honoured.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"No throttle rate is set for the {self.scope!r} scope: add it to "
                "REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']."
            ) from None

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_ident(self, request):
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR")
        return super().get_ident(request)

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
