"""create_app(): the Flask factory, wiring the index, blueprints, headers and error pages."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexMissing
from indexer.store import default_index_dir, read_meta
from webui.api import api
from webui.index_handle import IndexHandle
from webui.pages import pages
from webui.research import research
from webui.security import add_security_headers

MAX_REQUEST_BYTES = 1 * 1024 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(default_index_dir()),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        ARCHIVE_NAME=os.environ.get("LOUPE_ARCHIVE_NAME", "Loupe"),
    )
    app.config.from_prefixed_env("LOUPE")
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["loupe_index"] = IndexHandle(Path(app.config["INDEX_DIR"]))

    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(research)
    app.after_request(add_security_headers)

    @app.get("/healthz")
    def healthz():
        handle: IndexHandle = app.extensions["loupe_index"]
        try:
            searcher = handle.searcher()
        except IndexMissing as error:
            return jsonify({"status": "no_index", "message": str(error)}), 503
        meta = read_meta(handle.build)
        return jsonify({"status": "ok", "documents": searcher.doc_count(), "last_update": meta.get("built_at")})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            code = (error.name or "error").lower().replace(" ", "_")
            return jsonify({"error": {"code": code, "message": error.description}}), error.code
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Never a traceback for a user; the log keeps it for us.
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            message = "the server failed to answer this request; it has been logged"
            return jsonify({"error": {"code": "internal", "message": message}}), 500
        return "Internal error: it has been logged.", 500

    return app
