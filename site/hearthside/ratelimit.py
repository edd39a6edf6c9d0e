"""Rate limits for public forms that are not DRF endpoints.

Each rule names the requests it counts (a path pattern and methods) and a
rate such as ``"10/m"``; each client IP gets that many per window, after which
it is answered 429 with a Retry-After header and nothing is processed. DRF
endpoints use DRF throttles (api/throttling.py) instead. Plugins with public
forms add their own rules to HEARTHSIDE_RATE_LIMITS.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.html import escape

logger = logging.getLogger(__name__)

WINDOWS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rule:
    name: str
    path: re.Pattern
    methods: frozenset[str]
    limit: int
    window: int


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` -> (10, 60). Raises ValueError with the accepted forms."""
    count, _, unit = rate.partition("/")
    if not count.isdigit() or unit[:1] not in WINDOWS:
        raise ValueError(f"Rate {rate!r} is not like '10/m' (units: s, m, h, d).")
    return int(count), WINDOWS[unit[:1]]


@lru_cache(maxsize=1)
def _rules(configured: tuple) -> tuple[Rule, ...]:
    rules = []
    for name, pattern, methods, rate in configured:
        limit, window = parse_rate(rate)
        rules.append(Rule(name, re.compile(pattern), frozenset(m.upper() for m in methods), limit, window))
    return tuple(rules)


def configured_rules() -> tuple[Rule, ...]:
    """HEARTHSIDE_RATE_LIMITS as Rules (ValueError for a malformed rate)."""
    return _rules(
        tuple((name, pattern, tuple(methods), rate) for name, pattern, methods, rate in settings.HEARTHSIDE_RATE_LIMITS)
    )


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or with NUM_PROXIES trusted proxies
    in front, the address they saw (as DRF's throttles do)."""
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")


def too_many_requests(retry_after: int, what: str) -> HttpResponse:
    minutes = max(1, round(retry_after / 60))
    response = HttpResponse(
        f"<!doctype html><title>Too many requests</title><h1>Too many requests</h1>"
        f"<p>You have sent {escape(what)} too often. Please try again in about "
        f"{minutes} minute{'s' if minutes != 1 else ''}; nothing was changed.</p>",
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def consume(bucket: str, key: str, limit: int, window: int) -> int | None:
    """Count one request by ``key`` (an IP, an email...) against ``limit`` per
    ``window`` seconds in ``bucket``. Returns None if allowed, else the seconds
    until the window ends (for Retry-After)."""
    window_start = int(time.time()) // window
    slug = re.sub(r"\W+", "-", bucket)
    cache_key = f"hearthside:ratelimit:{slug}:{key}:{window_start}"
    # One round trip for a key's first request in a window (most of them), two after.
    if cache.add(cache_key, 1, window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the key went (evicted, or expired a moment ago) before the incr
            count = None
    if count is None:
        # The cache cannot count (django-redis with IGNORE_EXCEPTIONS answers None
        # while Redis is down). Fail open: limits trim abuse at the margins, and
        # refusing every sign-in, search and unsubscribe during a cache outage
        # would be worse than letting a burst through; passwords still hold.
        logger.warning("Rate limit %r not applied: the cache did not count the request.", bucket)
        return None
    if count > limit:
        return window - int(time.time()) % window
    return None


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for rule in configured_rules():
            if request.method in rule.methods and rule.path.match(request.path):
                retry_after = consume(rule.name, client_ip(request), rule.limit, rule.window)
                if retry_after is not None:
                    return too_many_requests(retry_after, rule.name.replace("-", " "))
        return self.get_response(request)
