"""create_app(): the Flask factory, wiring the engine, blueprints, headers and error handling."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, request
from flask_babel import Babel

from engines.factory import open_engine
from indexer.errors import LoupeError
from settings import Settings, SettingsError, admin_token_problem, load_settings
from webui.admin import admin
from webui.admin_auth import session_secret
from webui.api import api
from webui.assets import install_assets
from webui.cors import install_cors
from webui.embed import embed
from webui.errors import health_status, install_error_handlers, public_message
from webui.i18n import DEFAULT_LANGUAGE, TRANSLATIONS_DIR, check_compiled, choose_language
from webui.pages import pages
from webui.research import research
from webui.ratelimit import install_rate_limit
from webui.security import add_security_headers

MAX_REQUEST_BYTES = 1 * 1024 * 1024  # the admin upload route alone raises its limit, to UPLOAD_MAX_BYTES


def flask_config(settings: Settings) -> dict:
    """The settings under the upper-case keys the app reads (INDEX_DIR, CORS_ORIGINS…), paths as strings."""
    return {name.upper(): str(value) if isinstance(value, Path) else value for name, value in settings}


def create_app(settings: Settings | dict | None = None, test_config: dict | None = None) -> Flask:
    """The app for `settings` (load_settings() when None); `test_config`'s Flask keys override them."""
    if isinstance(settings, dict):  # create_app({"INDEX_DIR": …, "TESTING": True}), as tests and benchmarks call it
        settings, test_config = None, settings
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        **flask_config(settings or load_settings()),
    )
    if test_config:
        # A test hammers one app from one address: no rate limit unless it asks for one.
        app.config.from_mapping({"RATE_LIMIT_PER_MINUTE": 0, **test_config})
    if app.config["ADMIN_TOKEN"]:
        problem = admin_token_problem(str(app.config["ADMIN_TOKEN"]))
        if problem:
            raise SettingsError(f"LOUPE_ADMIN_TOKEN: {problem}")
        if not app.config.get("SECRET_KEY"):
            # Random, kept beside the index: every worker signs with the same key, and a token
            # guessed offline from a cookie is no longer possible.
            app.config["SECRET_KEY"] = session_secret(Path(app.config["INDEX_DIR"]))
        app.config.setdefault("SESSION_COOKIE_SECURE", bool(app.config.get("HSTS_SECONDS")))  # behind TLS
    check_compiled()
    Babel(app, locale_selector=lambda: choose_language(request), default_locale=DEFAULT_LANGUAGE,
          default_translation_directories=str(TRANSLATIONS_DIR))
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["loupe_engine"] = open_engine(
        app.config.get("ENGINE", "whoosh"), index_dir=Path(app.config["INDEX_DIR"]),
        solr_url=app.config.get("SOLR_URL"), solr_collection=app.config.get("SOLR_COLLECTION", "loupe"),
    )

    app.register_blueprint(api)
    app.register_blueprint(pages)
    app.register_blueprint(research)
    app.register_blueprint(admin, url_prefix="/admin")
    app.register_blueprint(embed)
    app.after_request(add_security_headers)
    install_assets(app)  # compression and static caching
    install_cors(app)  # before the rate limit, so a preflight costs nothing
    install_rate_limit(app)

    install_error_handlers(app)

    @app.get("/healthz")
    def healthz():
        try:
            return jsonify(app.extensions["loupe_engine"].health())
        except LoupeError as error:  # no index, or an engine that cannot answer: JSON for the monitor, never a page
            message = public_message(error, translated=False)
            return jsonify({"status": health_status(error), "message": message}), error.http_status

    return app
