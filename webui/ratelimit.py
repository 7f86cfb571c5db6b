"""Per-client rate limit of every route that searches: a token bucket per address, 429 with Retry-After.

The API, exports and feeds answer JSON; the pages (search, concordance, trends,
articles, the embedded frame) answer the error page. Static files, /healthz and
the admin console (which has its own login backoff) are not counted.

Each worker process keeps its own buckets, so with N workers a client may get
up to N times the limit in the worst case; that bounds abuse without shared state.
"""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, Response, request
from flask_babel import gettext

from webui.errors import error_page, error_response, is_machine_route

UNCOUNTED_PREFIXES = ("/static/", "/healthz", "/admin", "/favicon", "/robots.txt", "/widget.js")

MAX_TRACKED_CLIENTS = 50_000


class RateLimiter:
    """`per_minute` requests per client, with bursts up to `burst`."""

    def __init__(self, per_minute: int, burst: int | None = None) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst or max(1, per_minute // 4))
        self._buckets: dict[str, tuple[float, float]] = {}  # client → (tokens, last time)
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 if the request may go, else the seconds to wait before the next one."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[client] = (tokens - 1, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1 - tokens) / self.rate
            if len(self._buckets) > MAX_TRACKED_CLIENTS:
                self._buckets.clear()  # under a flood of addresses, forget rather than grow
        return wait


def client_address(trust_proxy: bool) -> str:
    if trust_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.remote_addr or "unknown"


def install_rate_limit(app: Flask) -> None:
    """Limit every route that searches to RATE_LIMIT_PER_MINUTE per client (0 turns it off)."""
    per_minute = int(app.config.get("RATE_LIMIT_PER_MINUTE", 0) or 0)
    if per_minute <= 0:
        return
    limiter = RateLimiter(per_minute, app.config.get("RATE_LIMIT_BURST"))
    trust_proxy = bool(app.config.get("TRUST_PROXY", False))

    @app.before_request
    def _limit() -> Response | None:
        if request.path.startswith(UNCOUNTED_PREFIXES):
            return None
        wait = limiter.take(client_address(trust_proxy))
        if not wait:
            return None
        seconds = math.ceil(wait)
        if is_machine_route(request.path):
            response, _status = error_response(
                "rate_limited", f"too many requests from this address; try again in {seconds} s", 429)
        else:
            html, _status = error_page(
                gettext("Too many searches from this address: try again in %(seconds)s s.", seconds=seconds), 429)
            response = Response(html, 429, mimetype="text/html")
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
        return response
