"""Per-client-IP token bucket, kept in memory.

A bucket holds up to ``per_minute`` tokens and refills at ``per_minute / 60`` per
second, so a person clicking around never notices (a whole minute's allowance is
available as a burst) while a script looping on the API settles at the set rate.
Each worker process has its own buckets, so with N workers a client may get up to
N times the rate; put a proxy limit in front if that matters.

Example::

    >>> limiter = TokenBucketLimiter(per_minute=2)
    >>> limiter.acquire("1.2.3.4", now=0.0), limiter.acquire("1.2.3.4", now=0.0)
    (0.0, 0.0)
    >>> limiter.acquire("1.2.3.4", now=0.0)   # seconds until the next token
    30.0
"""

from __future__ import annotations

import math
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response

# Cheap endpoints that monitors and browsers hit on their own.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz", "/", "/widget.js", "/favicon.ico"})
EXEMPT_PREFIXES = ("/static/",)


class TokenBucketLimiter:
    def __init__(self, per_minute: int, max_clients: int = 100_000):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last update)
        self._last_prune = 0.0

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one token: 0.0 if allowed, else the seconds to wait for the next one.

        Only called from the event loop, so no lock is needed.
        """
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            self._maybe_prune(now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _maybe_prune(self, now: float) -> None:
        # A bucket that has had time to refill completely is the same as no bucket.
        if now - self._last_prune < 60 and len(self._buckets) < self.max_clients:
            return
        self._last_prune = now
        full_after = self.capacity / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full_after}
        if len(self._buckets) >= self.max_clients:  # flood of distinct IPs: forget all
            self._buckets.clear()


class RateLimitMiddleware:
    """429 with ``Retry-After`` once a client IP has used up its bucket.

    The IP is the connection's peer as uvicorn reports it; behind a reverse proxy,
    run uvicorn with ``--forwarded-allow-ips`` for the proxy so this is the real client.
    """

    def __init__(self, app: ASGIApp, per_minute: int):
        self.app = app
        self.limiter = TokenBucketLimiter(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.limiter is None or scope["type"] != "http" or _exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.limiter.acquire(client[0] if client else "unknown")
        if wait > 0:
            retry = max(1, math.ceil(wait))
            response = error_response(
                429,
                "rate_limited",
                f"请求过于频繁，请 {retry} 秒后再试",
                {"Retry-After": str(retry)},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES)
