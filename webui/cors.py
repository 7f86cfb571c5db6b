"""CORS for /api/v1: answer only the origins listed in CORS_ORIGINS, so other sites' browsers block the call."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from settings import WILDCARD, split_origins

API_PREFIX = "/api/v1/"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ALLOWED_HEADERS = "Accept, Content-Type"
EXPOSED_HEADERS = "Retry-After"  # so a page can say when to try again after a 429
PREFLIGHT_MAX_AGE_SECONDS = 600


def parse_origins(value: object) -> list[str]:
    """An origin list from config: a list, a JSON list, or a comma-separated string; invalid entries dropped.

    Settings (settings.py) refuse a bad origin at start; a test's Flask config may still hold anything.
    """
    try:
        return split_origins(value)[0]
    except ValueError:  # not a list at all
        return []


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
