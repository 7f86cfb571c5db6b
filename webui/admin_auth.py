"""The admin console's session: login by token, CSRF tokens, and the failed-login throttle."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque

from flask import current_app, request, session

from webui.ratelimit import client_address

SESSION_SECONDS = 12 * 3600
FAILED_LOGIN_DELAY_SECONDS = 0.5
FAILED_LOGIN_LIMIT = 10  # per client address, per process, within the window
FAILED_LOGIN_WINDOW_SECONDS = 600

_failed_logins_lock = threading.Lock()


def _token_fingerprint() -> str:
    """Stored in the session, so changing ADMIN_TOKEN logs every session out."""
    return hashlib.sha256(b"loupe-admin\0" + str(current_app.config["ADMIN_TOKEN"]).encode()).hexdigest()


def logged_in() -> bool:
    fingerprint = session.get("admin", "")
    since = session.get("admin_since", 0)
    return (
        isinstance(fingerprint, str)
        and hmac.compare_digest(fingerprint, _token_fingerprint())
        and isinstance(since, (int, float))
        and time.time() - since < SESSION_SECONDS
    )


def token_matches(sent: str) -> bool:
    return hmac.compare_digest(sent.encode(), str(current_app.config["ADMIN_TOKEN"]).encode())


def start_session() -> None:
    session.clear()  # a fresh session (and CSRF token) after login: no fixation
    session["admin"] = _token_fingerprint()
    session["admin_since"] = time.time()


def end_session() -> None:
    session.clear()


def csrf_token() -> str:
    if not isinstance(session.get("csrf"), str):
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    return bool(sent) and isinstance(expected, str) and hmac.compare_digest(sent.encode(), expected.encode())


def request_client() -> str:
    return client_address(bool(current_app.config.get("TRUST_PROXY", False)))


def _recent_failures(client: str) -> deque:
    per_client = current_app.extensions.setdefault("loupe_admin_failed_logins", {})
    failures = per_client.setdefault(client, deque())
    while failures and time.monotonic() - failures[0] > FAILED_LOGIN_WINDOW_SECONDS:
        failures.popleft()
    return failures


def too_many_failures(client: str) -> bool:
    with _failed_logins_lock:
        return len(_recent_failures(client)) >= FAILED_LOGIN_LIMIT


def record_failure(client: str) -> None:
    with _failed_logins_lock:
        _recent_failures(client).append(time.monotonic())
    # Slows guessing down a little; the counter above stops it after a few tries.
    time.sleep(FAILED_LOGIN_DELAY_SECONDS)


def forget_failures(client: str) -> None:
    with _failed_logins_lock:
        _recent_failures(client).clear()
