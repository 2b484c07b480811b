"""A small per-client rate limit for public endpoints (typing suggestions, code requests).

Counted in Django's cache per client address and minute: LocMem per process by default, shared
across processes when the cache is Redis (settings ``CACHES``, ``LINLI_CACHE=redis``). It keeps
a public endpoint from being hammered; the limits that protect personal data (whole-number
search, one-time codes) are counted in the database instead.
"""

import time

from django.core.cache import cache


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, name: str, *, per_minute: int) -> bool:
    key = f"throttle:{name}:{client_address(request)}:{int(time.time() // 60)}"
    try:
        count = cache.incr(key)
    except ValueError:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    return count <= per_minute
