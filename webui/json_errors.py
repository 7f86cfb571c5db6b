"""The JSON error answer every machine-facing route gives: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

from flask import jsonify


def error_response(code: str, message: str, status: int):
    """A Flask (response, status) pair with the error envelope; `message` says what to do."""
    return jsonify({"error": {"code": code, "message": message}}), status


def is_machine_route(path: str) -> bool:
    """Routes read by programs (the API, CSV and Atom exports): they answer errors in JSON and are rate-limited."""
    return path.startswith("/api/") or path.endswith((".csv", ".atom"))
