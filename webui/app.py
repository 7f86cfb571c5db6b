"""create_app(): the Flask factory, wiring the index, blueprints, headers and error pages."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from indexer.errors import IndexCorrupt, IndexMissing
from indexer.registry import REGISTRY_FILE
from indexer.store import default_index_dir, read_meta
from webui.admin import admin
from webui.api import api
from webui.json_errors import error_response
from webui.cors import install_cors
from webui.embed import embed
from webui.index_handle import IndexHandle
from webui.pages import pages
from webui.research import research
from webui.ratelimit import install_rate_limit
from webui.security import add_security_headers

MAX_REQUEST_BYTES = 1 * 1024 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # the admin upload route alone raises its request limit to this
REPO = Path(__file__).resolve().parent.parent
DEFAULT_RATE_LIMIT_PER_MINUTE = 600  # per client address and worker process
DEFAULT_RATE_LIMIT_BURST = 120


def load_config_file(app: Flask, path: Path) -> None:
    """Settings from a TOML file (`index_dir = "/srv/loupe/index"`); keys are case-insensitive."""
    try:
        with open(path, "rb") as config:
            settings = tomllib.load(config)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise SystemExit(f"loupe: cannot read the configuration file {path}: {error}") from None
    app.config.from_mapping({key.upper(): value for key, value in settings.items()})


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(default_index_dir()),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        ARCHIVE_NAME=os.environ.get("LOUPE_ARCHIVE_NAME", "Loupe"),
        ADMIN_TOKEN="",  # no default credential: /admin is off (404) until one is set
        REGISTRY_PATH=str(REPO / "corpus" / REGISTRY_FILE),
        UPLOAD_MAX_BYTES=UPLOAD_MAX_BYTES,
        RATE_LIMIT_PER_MINUTE=DEFAULT_RATE_LIMIT_PER_MINUTE,
        RATE_LIMIT_BURST=DEFAULT_RATE_LIMIT_BURST,
        TRUST_PROXY=False,  # read the client address from X-Forwarded-For (behind a proxy only)
        HSTS_SECONDS=0,  # set when served over TLS
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        CORS_ORIGINS=[],  # sites whose pages may call /api/v1 (LOUPE_CORS_ORIGINS="https://a.example,https://b.example"); "*" for any
        EMBED_FRAME_ANCESTORS=None,  # sites that may frame /embed; None means the same as CORS_ORIGINS
    )
    config_file = os.environ.get("LOUPE_CONFIG")
    if config_file:
        load_config_file(app, Path(config_file))
    app.config.from_prefixed_env("LOUPE")
    # from_prefixed_env parses values as JSON, so a token of digits would become a number.
    for secret in ("ADMIN_TOKEN", "SECRET_KEY"):
        if f"LOUPE_{secret}" in os.environ:
            app.config[secret] = os.environ[f"LOUPE_{secret}"]
    if test_config:
        # A test hammers one app from one address: no rate limit unless it asks for one.
        app.config.from_mapping({"RATE_LIMIT_PER_MINUTE": 0, **test_config})
    if app.config["ADMIN_TOKEN"] and not app.config.get("SECRET_KEY"):
        # Every gunicorn worker derives the same key, so a session works whichever worker answers.
        app.config["SECRET_KEY"] = hashlib.sha256(b"loupe-admin-session\0" + str(app.config["ADMIN_TOKEN"]).encode()).hexdigest()
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["loupe_index"] = IndexHandle(Path(app.config["INDEX_DIR"]))

    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(research)
    app.register_blueprint(admin, url_prefix="/admin")
    app.register_blueprint(embed)
    app.after_request(add_security_headers)
    install_cors(app)  # before the rate limit, so a preflight costs nothing
    install_rate_limit(app)

    @app.get("/healthz")
    def healthz():
        handle: IndexHandle = app.extensions["loupe_index"]
        try:
            searcher = handle.searcher()
        except (IndexMissing, IndexCorrupt) as error:
            status = "no_index" if isinstance(error, IndexMissing) else error.code
            return jsonify({"status": status, "message": str(error)}), error.http_status
        meta = read_meta(handle.build)
        return jsonify({"status": "ok", "documents": searcher.doc_count(), "last_update": meta.get("built_at")})

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if request.path.startswith("/api/"):
            code = (error.name or "error").lower().replace(" ", "_")
            return error_response(code, error.description, error.code)
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Never a traceback for a user; the log keeps it for us.
        app.logger.exception("unexpected error on %s", request.path)
        if request.path.startswith("/api/"):
            return error_response("internal", "the server failed to answer this request; it has been logged", 500)
        return "Internal error: it has been logged.", 500

    return app
