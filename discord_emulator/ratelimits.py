"""Fixed-window rate limiting: the global per-bot limit, per-route buckets and the invalid-request ban."""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from .limits import Limits


@dataclass(frozen=True)
class BucketState:
    """What the X-RateLimit-* headers report for one bucket after a request."""

    bucket_hash: str
    limit: int
    remaining: int
    reset_after: float
    allowed: bool

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": f"{time.time() + self.reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{self.reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket_hash,
        }


class _Window:
    __slots__ = ("count", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.count = 0


class RateLimiter:
    """Counts requests in fixed windows; reads the limits at each call so live changes apply at once."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._global = _Window(clock())
        self._buckets: dict[tuple[str, str], _Window] = {}
        self._invalid: deque[float] = deque()

    def global_retry_after(self) -> float | None:
        """Seconds until the global window reopens, or None when a request may go through now."""
        limit = self.limits.global_limit
        if limit is None:
            return None
        now = self._clock()
        window = self.limits.global_window
        if now - self._global.started >= window:
            self._global = _Window(now)
        if self._global.count < limit:
            return None
        return max(0.001, self._global.started + window - now)

    def count_global(self) -> None:
        self._global.count += 1

    def take(self, route_key: str, major: str) -> BucketState | None:
        """Spend one request from the route's bucket; None when the route has no bucket."""
        bucket = self.limits.bucket_for(route_key)
        if bucket is None:
            return None
        now = self._clock()
        window = self._buckets.get((route_key, major))
        if window is None or now - window.started >= bucket.per:
            window = self._buckets[(route_key, major)] = _Window(now)
        reset_after = max(0.001, window.started + bucket.per - now)
        bucket_hash = hashlib.sha1(route_key.encode()).hexdigest()[:16]
        if window.count >= bucket.limit:
            return BucketState(bucket_hash, bucket.limit, 0, reset_after, allowed=False)
        window.count += 1
        return BucketState(bucket_hash, bucket.limit, bucket.limit - window.count, reset_after, allowed=True)

    def record_invalid(self) -> None:
        """Count a 401, 403 or 429 toward Discord's invalid-request (Cloudflare ban) limit."""
        self._invalid.append(self._clock())

    def banned_for(self) -> float | None:
        """Seconds left on a Cloudflare-style ban, or None when not banned."""
        limit = self.limits.invalid_request_limit
        if limit is None:
            return None
        now = self._clock()
        window = self.limits.invalid_request_window
        while self._invalid and now - self._invalid[0] >= window:
            self._invalid.popleft()
        if len(self._invalid) < limit:
            return None
        return self._invalid[0] + window - now
