"""How answers travel: compression (Flask-Compress) and caching of static assets, with versioned URLs.

Text answers (pages, JSON, feeds, exports, CSS, JavaScript, SVG) are compressed with
brotli or gzip when the client accepts it, and always carry `Vary: Accept-Encoding`;
a compressed answer's strong ETag gets the encoding appended (`"…:br"`), so a cache
never serves one encoding for another and conditional requests still answer 304.

`url_for('static', …)` adds `v=<hash of the file>`: a versioned URL never changes
content, so it may be cached for a year; a URL without (or with an old) version is
cached for an hour only, so a fix reaches everyone soon.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, request
from flask_compress import Compress

from search.exports import FORMATS

STATIC_DIR = Path(__file__).resolve().parent / "static"
VERSIONED_MAX_AGE_SECONDS = 365 * 24 * 3600
UNVERSIONED_MAX_AGE_SECONDS = 3600
# Streamed answers (static files, widget.js) are compressed chunk by chunk; these also answer 304s.
STREAMED_ENDPOINTS = ["static", "embed.widget_script", "pages.favicon"]
TEXT_MEDIA_TYPES = [
    "text/html", "text/css", "text/javascript", "application/javascript", "text/plain", "text/csv",
    "application/json", "application/atom+xml", "application/opensearchdescription+xml", "application/xml",
    "image/svg+xml", *(mimetype.split(";")[0] for mimetype, _extension in FORMATS.values()),
]


@lru_cache(maxsize=256)
def _file_version(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_version(filename: str) -> str | None:
    """A short hash of the static file's content, or None if there is no such file."""
    path = (STATIC_DIR / filename).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        return None
    return _file_version(path, path.stat().st_mtime_ns)


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = asset_version(values["filename"])
        if version:
            values["v"] = version


def _cache_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    versioned = request.args.get("v") == asset_version(request.view_args.get("filename", ""))
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = VERSIONED_MAX_AGE_SECONDS if versioned else UNVERSIONED_MAX_AGE_SECONDS
    response.cache_control.immutable = versioned
    return response


def install_assets(app: Flask) -> None:
    """Versioned static URLs with their cache headers, and compression of every text answer."""
    app.url_defaults(_add_version)
    app.config.setdefault("COMPRESS_MIMETYPES", TEXT_MEDIA_TYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # below 5 brotli loses to gzip on our small files; 5 costs ~1 ms
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", STREAMED_ENDPOINTS)
    # Registered before Compress, so it runs after it (Flask runs after_request functions last first).
    app.after_request(_cache_static)
    Compress(app)
