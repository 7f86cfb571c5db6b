"""The one place errors become HTTP answers: JSON for the API and machine routes, an HTML page for the rest.

Our own errors (LoupeError) carry a message for a human and their status (400
bad input, 404, 409, 503 index trouble); werkzeug's (404, 405, 413…) keep theirs;
anything else is a 500 that shows no internals and is logged. A message meant for
operators (a search engine that does not answer names its nodes) is logged, and
visitors read a generic one.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from indexer.errors import IndexMissing, LoupeError
from webui.i18n import N_

INTERNAL_MESSAGE = "the server failed to answer this request; it has been logged"
ENGINE_TROUBLE_MESSAGE = N_("The search engine is not answering; try again in a minute.")


def error_response(code: str, message: str, status: int):
    """A Flask (response, status) pair with the error envelope; `message` says what to do."""
    return jsonify({"error": {"code": code, "message": message}}), status


def is_machine_route(path: str) -> bool:
    """Routes read by programs (the API, CSV and Atom exports): they answer errors in JSON and are rate-limited."""
    return path.startswith("/api/") or path.endswith((".csv", ".atom"))


def is_input_error(error: LoupeError) -> bool:
    """A bad query or parameter, which a page shows beside its form rather than as an error page."""
    return error.http_status == 400


def public_message(error: LoupeError, translated: bool = True) -> str:
    """What a visitor reads: the error's own message, or a generic one for an operator's (logged with its details)."""
    if not error.for_operators:
        return str(error)
    current_app.logger.warning("%s on %s: %s", error.code, request.path, error)
    return gettext(ENGINE_TROUBLE_MESSAGE) if translated else ENGINE_TROUBLE_MESSAGE


def health_status(error: LoupeError) -> str:
    """The /healthz status word for an index that cannot answer."""
    return "no_index" if isinstance(error, IndexMissing) else error.code


def error_page(message: str, status: int):
    """The HTML error page, in the visitor's language, with `message`."""
    from webui.pages import page_context  # the page machinery imports this module

    return render_template("error.html", message=message, **page_context()), status


def install_error_handlers(app: Flask) -> None:
    @app.errorhandler(LoupeError)
    def loupe_error(error: LoupeError):
        if is_machine_route(request.path):  # programs read English, as every other API message
            return error_response(error.code, public_message(error, translated=False), error.http_status)
        return error_page(public_message(error), error.http_status)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if not is_machine_route(request.path):
            return error
        code = (error.name or "error").lower().replace(" ", "_")
        response, status = error_response(code, error.description, error.code)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Never a traceback for a user; the log keeps it for us.
        app.logger.exception("unexpected error on %s", request.path)
        if is_machine_route(request.path):
            return error_response("internal", INTERNAL_MESSAGE, 500)
        return "Internal error: it has been logged.", 500
