"""Embedding the archive elsewhere: /widget.js, the iframe page /embed and the "Intégrer / Embed" page."""

from __future__ import annotations

import gzip
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory, url_for
from flask_babel import force_locale, gettext
from markupsafe import escape

from indexer.errors import LoupeError
from engines.base import FACETS
from webui.cors import WILDCARD, parse_origins
from webui.errors import public_message
from webui.i18n import choose_language, format_decimal
from webui.pages import Links, lang_param_from, original_url, page_context
from webui.params import search_request_from_args
from search.request import SearchRequest
from search.service import run_search
from webui.state import current_engine
from webui.security import CONTENT_SECURITY_POLICY

embed = Blueprint("embed", __name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
WIDGET_FILE = "widget.js"
WIDGET_MAX_AGE_SECONDS = 3600  # short: a fix reaches every host site within the hour
EMBED_PER_PAGE = 5
EMBED_FILTERS = ("source", "section")  # fixed filters a host may put in the iframe URL
LINK_TARGETS = ("archive", "original")
WIDGET_LANGS = ("fr", "en")
MAX_OPTION_LENGTH = 200


# --- /widget.js -------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _gzip_size(path: Path, mtime: float) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def widget_gzip_size() -> int:
    """Bytes of widget.js once gzipped (level 9): what a host page downloads."""
    path = STATIC_DIR / WIDGET_FILE
    return _gzip_size(path, path.stat().st_mtime)


@embed.get("/widget.js")
def widget_script():
    response = send_from_directory(STATIC_DIR, WIDGET_FILE, mimetype="text/javascript", max_age=WIDGET_MAX_AGE_SECONDS)
    response.headers["Cache-Control"] = f"public, max-age={WIDGET_MAX_AGE_SECONDS}"
    # Loaded by <script src> from other sites: say so, in case a stricter default is ever added.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.charset = "utf-8"
    return response


# --- /embed: the iframe page ------------------------------------------------------------------

def frame_ancestors(config) -> str:
    """The CSP frame-ancestors sources: EMBED_FRAME_ANCESTORS, or CORS_ORIGINS when unset; 'none' when empty."""
    configured = config.get("EMBED_FRAME_ANCESTORS")
    raw = configured if configured is not None else config.get("CORS_ORIGINS")
    wants_self = any(str(v).strip().strip("'\"").lower() == "self" for v in _as_list(raw))
    sources = (["'self'"] if wants_self else []) + parse_origins(raw)
    return " ".join(sources) if sources else "'none'"


def _as_list(value) -> list:
    if value is None:
        return []
    return value.split(",") if isinstance(value, str) else list(value)


def embed_security_policy(ancestors: str) -> str:
    directives = [d for d in CONTENT_SECURITY_POLICY.split("; ") if not d.startswith("frame-ancestors")]
    # Links inside the frame open in the top window, which is another site.
    return "; ".join([*directives, f"frame-ancestors {ancestors}"])


def frame_options(ancestors: str) -> str | None:
    """X-Frame-Options matching frame-ancestors, or None when it cannot say it (a list of other origins)."""
    if ancestors == "'none'":
        return "DENY"
    if ancestors == "'self'":
        return "SAMEORIGIN"
    return None


@embed.get("/embed")
def embed_page():
    lang_param = lang_param_from(request.args)
    result, error, status = None, None, 200
    try:
        search_request = search_request_from_args(request.args)
        if "per_page" not in request.args:
            search_request = replace(search_request, per_page=EMBED_PER_PAGE)
        if search_request.query_text.strip():
            result = run_search(current_engine(), search_request)
    except LoupeError as failure:  # a bad query (400) or the archive's trouble (503)
        search_request = SearchRequest(query_text=request.args.get("q", "")[:1000])
        error, status = public_message(failure), failure.http_status
    links = Links(search_request, lang_param)
    hidden = [(name, value) for name, values in search_request.filters for value in values]
    if lang_param:
        hidden.append(("lang", lang_param))
    if "per_page" in request.args and search_request.per_page != EMBED_PER_PAGE:
        hidden.append(("per_page", str(search_request.per_page)))
    pages = result.pages if result else 0
    body = render_template(
        "embed.html",
        **page_context(),
        request_=search_request,
        result=result,
        error=error,
        query_error=status == 400,
        hidden=hidden,
        links=links,
        pages=pages,
        embed_url=lambda **changes: url_for("embed.embed_page") + "?" + urlencode(links.params(**changes)),
        original_url=original_url,
    )
    response = Response(body, status=status, mimetype="text/html")
    ancestors = frame_ancestors(current_app.config)
    response.headers["Content-Security-Policy"] = embed_security_policy(ancestors)
    options = frame_options(ancestors)
    if options:
        response.headers["X-Frame-Options"] = options
    return response


# --- /integrer: the snippet to copy, the options, a live preview -------------------------------

def widget_options(args) -> dict[str, str]:
    """The widget attributes chosen in the /integrer form, validated (the URL is the state)."""
    def text(name: str) -> str:
        return args.get(name, "").strip()[:MAX_OPTION_LENGTH]

    per_page = text("per-page")
    facets = [f for f in (v.strip() for v in text("facets").split(",")) if f in FACETS]
    accent = text("accent")
    return {
        "lang": text("widget-lang") if text("widget-lang") in WIDGET_LANGS else "",  # ?lang= is the page's own
        "placeholder": text("placeholder"),
        "per-page": per_page if per_page.isdigit() and 1 <= int(per_page) <= 50 else "",
        "facets": ",".join(dict.fromkeys(facets)),
        "filter-source": text("filter-source"),
        "filter-section": text("filter-section"),
        "link-target": text("link-target") if text("link-target") in LINK_TARGETS else "",
        "accent": accent if _is_colour(accent) else "",
    }


def _is_colour(value: str) -> bool:
    digits = value[1:]
    return value.startswith("#") and len(digits) in (3, 6) and all(c in "0123456789abcdefABCDEF" for c in digits)


def kilobytes(size: int, lang: str) -> str:
    return format_decimal(size / 1024, lang)


def archive_url() -> str:
    return request.url_root.rstrip("/")


def widget_attributes(options: dict[str, str], archive: str) -> list[tuple[str, str]]:
    attributes = [("endpoint", archive)]
    attributes += [(name, value) for name, value in options.items() if value and name != "accent"]
    return attributes


def widget_snippet(attributes: list[tuple[str, str]], options: dict[str, str], widget_src: str, search_action: str,
                   field_label: str, button: str) -> str:
    """The HTML a site owner pastes: the script, the element, and inside it a form that works without JavaScript."""
    attribute_text = "".join(f' {name}="{escape(value)}"' for name, value in attributes)
    hidden = [(name, options[f"filter-{name}"]) for name in EMBED_FILTERS if options[f"filter-{name}"]]
    if options["lang"]:
        hidden.append(("lang", options["lang"]))
    lines = [f'<script src="{escape(widget_src)}" defer></script>']
    if options["accent"]:
        lines.append(f"<style>loupe-search {{ --loupe-accent: {options['accent']}; }}</style>")
    lines += [
        f"<loupe-search{attribute_text}>",
        f'  <form action="{escape(search_action)}" method="get" role="search">',
        f'    <input type="search" name="q" aria-label="{escape(field_label)}">',
        *(f'    <input type="hidden" name="{name}" value="{escape(value)}">' for name, value in hidden),
        f"    <button>{escape(button)}</button>",
        "  </form>",
        "</loupe-search>",
    ]
    return "\n".join(lines)


@embed.get("/integrer")
@embed.get("/embed-help")
def integrate_page():
    lang = choose_language(request)
    archive = archive_url()
    options = widget_options(request.args)
    attributes = widget_attributes(options, archive)
    embed_query = [("lang", options["lang"])] if options["lang"] else []
    embed_query += [(name, options[f"filter-{name}"]) for name in EMBED_FILTERS if options[f"filter-{name}"]]
    iframe_src = archive + url_for("embed.embed_page") + ("?" + urlencode(embed_query) if embed_query else "")
    widget_src = archive + url_for("embed.widget_script")
    search_action = archive + url_for("pages.search_page")
    with force_locale(options["lang"] or lang):  # the snippet speaks the widget's language
        iframe_title = gettext("Search %(archive)s", archive=current_app.config["ARCHIVE_NAME"])
        field_label, button = gettext("Search the archive"), gettext("Search")
    return render_template(
        "integrate.html",
        **page_context(),
        archive=archive,
        options=options,
        attributes=attributes,
        widget_src=widget_src,
        snippet=widget_snippet(attributes, options, widget_src, search_action, field_label, button),
        iframe_snippet=f'<iframe src="{escape(iframe_src)}" title="{escape(iframe_title)}" width="100%" height="480"></iframe>',
        search_action=search_action,
        facet_names=list(FACETS),
        gzip_kb=kilobytes(widget_gzip_size(), lang),
        cors_origins=parse_origins(current_app.config.get("CORS_ORIGINS")),
        wildcard=WILDCARD,
        frame_ancestors=frame_ancestors(current_app.config),
    )
