"""The admin console's session: login by token, CSRF tokens, the session list and the failed-login backoff.

- Sessions are signed with a random secret kept beside the index (`admin-secret`,
  mode 0600, made on first start; or LOUPE_SECRET_KEY), never derived from the token.
- Each login starts a new session with a random id, listed in `admin-sessions.json`;
  logging out strikes it off, so a copied cookie dies with the session.
- Failed logins are counted per client address in `admin-login-failures.json`, shared
  by every worker. After FREE_FAILURES of them each attempt from that address waits
  1, 2, 4… up to MAX_WAIT_SECONDS before the token is even compared: a guesser gets
  about one try a minute, a librarian who mistyped waits at most a minute, and the
  right token clears the count. Nobody can lock the right token out for longer.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, request, session

from webui.ratelimit import client_address

SESSION_SECONDS = 12 * 3600
FREE_FAILURES = 5
MAX_WAIT_SECONDS = 60
FAILURES_FORGOTTEN_SECONDS = 3600  # an address quiet for an hour starts again from zero
SECRET_FILE = "admin-secret"
SESSIONS_FILE = "admin-sessions.json"
FAILURES_FILE = "admin-login-failures.json"


def session_secret(index_dir: Path) -> str:
    """The key that signs console sessions: read from `index_dir`, or made there (0600) on first start."""
    path = Path(index_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as file:  # another worker may read it in between: it waits
        file.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def _state_path(name: str) -> Path:
    return Path(current_app.config["INDEX_DIR"]) / name


@contextmanager
def _shared_state(name: str) -> Iterator[dict]:
    """A small JSON file beside the index, read and written under a lock: state every worker sees."""
    path = _state_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):
            state = {}  # a damaged file costs sessions or counts, never the console
        before = json.dumps(state, sort_keys=True)
        yield state
        if json.dumps(state, sort_keys=True) != before:
            temporary = path.with_suffix(".tmp")
            temporary.write_text(json.dumps(state), encoding="utf-8")
            os.chmod(temporary, 0o600)
            temporary.replace(path)


def _token_fingerprint() -> str:
    """Stored in the session, so changing ADMIN_TOKEN logs every session out."""
    return hashlib.sha256(b"loupe-admin\0" + str(current_app.config["ADMIN_TOKEN"]).encode()).hexdigest()


def logged_in() -> bool:
    fingerprint = session.get("admin", "")
    since = session.get("admin_since", 0)
    session_id = session.get("admin_session", "")
    if not (isinstance(fingerprint, str) and hmac.compare_digest(fingerprint, _token_fingerprint())
            and isinstance(since, (int, float)) and time.time() - since < SESSION_SECONDS
            and isinstance(session_id, str) and session_id):
        return False
    with _shared_state(SESSIONS_FILE) as sessions:
        return sessions.get(session_id, 0) > time.time()


def token_matches(sent: str) -> bool:
    return hmac.compare_digest(sent.encode(), str(current_app.config["ADMIN_TOKEN"]).encode())


def start_session() -> None:
    """A new session with a new id (and CSRF token) at each login: no fixation, and each can be ended alone."""
    session.clear()
    session_id = secrets.token_urlsafe(24)
    now = time.time()
    with _shared_state(SESSIONS_FILE) as sessions:
        for stale in [sid for sid, expires in sessions.items() if expires <= now]:
            del sessions[stale]
        sessions[session_id] = now + SESSION_SECONDS
    session["admin"] = _token_fingerprint()
    session["admin_since"] = now
    session["admin_session"] = session_id


def end_session() -> None:
    """Log out: the session id is struck off, so the cookie (or a copy of it) no longer opens the console."""
    session_id = session.get("admin_session")
    if isinstance(session_id, str):
        with _shared_state(SESSIONS_FILE) as sessions:
            sessions.pop(session_id, None)
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


def seconds_to_wait(client: str) -> int:
    """How long `client` must wait before its next login attempt is even checked (0: go ahead)."""
    with _shared_state(FAILURES_FILE) as failures:
        record = failures.get(client)
        if not record:
            return 0
        return max(0, int(record["next"] - time.time() + 0.999))


def record_failure(client: str) -> None:
    now = time.time()
    with _shared_state(FAILURES_FILE) as failures:
        for stale in [c for c, r in failures.items() if now - r["last"] > FAILURES_FORGOTTEN_SECONDS]:
            del failures[stale]
        count = failures.get(client, {}).get("count", 0) + 1
        wait = 0 if count < FREE_FAILURES else min(2 ** (count - FREE_FAILURES), MAX_WAIT_SECONDS)
        failures[client] = {"count": count, "last": now, "next": now + wait}


def forget_failures(client: str) -> None:
    with _shared_state(FAILURES_FILE) as failures:
        failures.pop(client, None)
