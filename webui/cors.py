"""CORS for /api/v1: answer only the origins listed in CORS_ORIGINS, so other sites' browsers block the call."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from flask import Flask, Response, current_app, request

API_PREFIX = "/api/v1/"
WILDCARD = "*"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Content-Type"
EXPOSED_HEADERS = "Retry-After"  # so a page can say when to try again after a 429
PREFLIGHT_MAX_AGE_SECONDS = 600
# scheme://host[:port] as a browser serialises it in the Origin header; nothing else gets through,
# so a config value can never smuggle a header or a CSP directive.
_ORIGIN = re.compile(r"^https?://[a-z0-9.\-\[\]:]+$", re.IGNORECASE)


def parse_origins(value: object) -> list[str]:
    """An origin list from config: a list, a JSON list, or a comma-separated string; invalid entries dropped.

    `LOUPE_CORS_ORIGINS=https://a.example,https://b.example` arrives as a plain string
    (from_prefixed_env only decodes valid JSON), a TOML file gives a list.
    """
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = text.strip("[]").split(",")
        else:
            value = text.split(",")
    if not isinstance(value, Iterable):
        return []
    origins: list[str] = []
    for item in value:
        origin = str(item).strip().strip("'\"").rstrip("/").lower()
        if (origin == WILDCARD or _ORIGIN.match(origin)) and origin not in origins:
            origins.append(origin)
    return origins


def allowed_origin(origin: str, allowed: list[str]) -> str | None:
    """The Access-Control-Allow-Origin value for `origin`, or None when it is not allowed."""
    if not origin:
        return None
    if WILDCARD in allowed:
        return WILDCARD
    return origin if origin.lower().rstrip("/") in allowed else None


def _is_preflight() -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def _answer_preflight() -> Response | None:
    # Before the rate limit and the routes: a preflight costs nothing and never reaches a view.
    if request.path.startswith(API_PREFIX) and _is_preflight():
        return Response(status=204)
    return None


def _add_cors_headers(response: Response) -> Response:
    if not request.path.startswith(API_PREFIX):
        return response
    response.vary.add("Origin")
    allow = allowed_origin(request.headers.get("Origin", ""), parse_origins(current_app.config.get("CORS_ORIGINS")))
    if allow is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = allow
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if _is_preflight():
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response


def install_cors(app: Flask) -> None:
    """Answer preflights and add CORS headers on /api/v1/*; call it before install_rate_limit."""
    app.before_request(_answer_preflight)
    app.after_request(_add_cors_headers)
