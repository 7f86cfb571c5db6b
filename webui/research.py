"""Research tools: exports, Atom feeds, concordance, trends, OpenSearch — thin routes."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for

from indexer.errors import LoupeError
from search.atom import atom_feed
from search.concordance import DEFAULT_WIDTH, concordance
from search.exports import FORMATS, csv_text, export_records, render_export
from search.service import run_search
from search.request import BadParameter
from search.query_parser import MAX_QUERY_LENGTH
from search.trends import MAX_SERIES, trends
from webui.errors import is_input_error
from webui.pages import citation_line, page_context
from webui.params import query_string, search_request_from_args, whole_number
from webui.state import current_engine
from webui.trends_chart import chart_for

research = Blueprint("research", __name__)


def _article_url(doc_id: str) -> str:
    return url_for("pages.article_page", doc_id=doc_id, _external=True)


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    return whole_number(name, raw) if raw else default


@research.get("/api/v1/export/<fmt>")
def export(fmt: str):
    if fmt not in FORMATS:
        raise BadParameter(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    search_request = search_request_from_args(request.args)
    cap = current_app.config.get("EXPORT_CAP", 5000)
    records = export_records(current_engine(), search_request, _article_url, cap)
    mimetype, extension = FORMATS[fmt]
    note = ""
    if fmt in ("ris", "bibtex"):
        total = run_search(current_engine(), replace(search_request, page=1, per_page=1)).total
        context = page_context()
        note = citation_line(search_request, total, context["archive_name"], context["lang"])
    body = render_export(fmt, records, date.today(), note)
    filename = f"loupe-{date.today().isoformat()}.{extension}"
    return Response(body, content_type=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def url_as_fetched() -> str:
    """This request's URL as a URI: what the client fetched, with any raw non-ASCII byte percent-encoded.

    A feed's id and self link must be this very string (`q=s%C3%A9curit%C3%A9`, not `q=sécurité`).
    """
    path = quote(request.script_root + request.path, safe="/:@!$&'()*+,;=~")
    query = quote(request.query_string, safe="/?:@!$&'()*+,;=~%")
    return request.host_url.rstrip("/") + path + ("?" + query if query else "")


@research.get("/search.atom")
def search_feed():
    search_request = search_request_from_args(request.args)
    archive = current_app.config["ARCHIVE_NAME"]
    label = search_request.query_text or "*"
    feed = atom_feed(
        current_engine(), search_request,
        feed_url=url_as_fetched(),
        search_url=url_for("pages.search_page", _external=True) + "?" + query_string(search_request),
        title=f"{archive} — {label}",
        article_url_for=_article_url,
    )
    return Response(feed, mimetype="application/atom+xml")


def _concordance_for_request():
    search_request = search_request_from_args(request.args)
    width = _int_arg("width", DEFAULT_WIDTH)
    sort = request.args.get("sort_lines", "date")
    return search_request, width, sort, concordance(current_engine(), search_request, width=width, sort=sort)


@research.get("/api/v1/concordance")
def concordance_json():
    _request, width, sort, result = _concordance_for_request()
    return jsonify({"width": width, "sort": sort, "documents": result.documents, "truncated": result.truncated,
                    "lines": [asdict(line) for line in result.lines]})


@research.get("/concordance.csv")
def concordance_csv():
    _request, _width, _sort, result = _concordance_for_request()
    body = csv_text(["left", "keyword", "right", "id", "title", "source", "published"], (
        [line.left, line.keyword, line.right, line.doc_id, line.title, line.source, line.published]
        for line in result.lines
    ))
    return Response(body, headers={"Content-Type": "text/csv; charset=utf-8",
                                             "Content-Disposition": 'attachment; filename="concordance.csv"'})


@research.get("/concordance")
def concordance_page():
    search_request = search_request_from_args(request.args)
    result = error = None
    width, sort = _int_arg("width", DEFAULT_WIDTH), request.args.get("sort_lines", "date")
    if search_request.query_text.strip():
        try:
            result = concordance(current_engine(), search_request, width=width, sort=sort)
        except LoupeError as bad_input:
            if not is_input_error(bad_input):
                raise
            error = str(bad_input)
    return render_template("concordance.html", **page_context(), request_=search_request, result=result, error=error, width=width, sort_lines=sort,
                           query_string=query_string), (400 if error else 200)


SCALES = ("count", "per_thousand")  # the trends chart: raw counts, or per 1,000 articles of the period


def _trend_queries() -> list[str]:
    """The queries to chart, blank ones dropped; the limits apply to what was sent (the form sends four boxes)."""
    sent = request.args.getlist("q")
    if len(sent) > MAX_SERIES:
        raise BadParameter(f"at most {MAX_SERIES} queries can be compared, got {len(sent)}")
    if any(len(q) > MAX_QUERY_LENGTH for q in sent):
        raise BadParameter(f"a q is longer than {MAX_QUERY_LENGTH} characters")
    return [q for q in sent if q.strip()]


def _scale() -> str:
    scale = request.args.get("scale", "") or SCALES[0]
    if scale not in SCALES:
        raise BadParameter(f"scale must be count or per_thousand, got {scale!r}")
    return scale


def _trends_for_request():
    base = search_request_from_args(request.args)
    queries = _trend_queries()
    return trends(current_engine(), replace(base, query_text=""), queries, request.args.get("interval", "year"))


@research.get("/api/v1/trends")
def trends_json():
    result = _trends_for_request()
    return jsonify(asdict(result))


@research.get("/trends.csv")
def trends_csv():
    result = _trends_for_request()
    rows = []
    for series in result.series:
        for point in series.points:
            rows.append([series.query, point.period, point.count, point.per_thousand,
                         result.articles_per_period[point.period], "", ""])
            rows += [[series.query, point.period, "", "", "", source, count] for source, count in sorted(point.by_source.items())]
    body = csv_text(["query", "period", "count", "per_1000_articles", "articles_in_period", "source", "source_count"], rows)
    return Response(body, headers={"Content-Type": "text/csv; charset=utf-8",
                                             "Content-Disposition": 'attachment; filename="trends.csv"'})


@research.get("/trends")
def trends_page():
    queries = [q for q in request.args.getlist("q") if q.strip()]
    result = chart = error = None
    scale = request.args.get("scale", "")
    try:
        scale = _scale()
        if _trend_queries():
            result = _trends_for_request()
            chart = chart_for(result, normalised=scale == "per_thousand")
    except LoupeError as bad_input:
        if not is_input_error(bad_input):
            raise
        error = str(bad_input)
    return render_template("trends.html", **page_context(), queries=queries, result=result, chart=chart, error=error,
                           interval=request.args.get("interval", "year"), scale=scale,
                           count_stories=request.args.get("count") == "story"), (400 if error else 200)


@research.get("/opensearch.xml")
def opensearch():
    body = render_template("opensearch.xml", archive_name=current_app.config["ARCHIVE_NAME"],
                           search_url=url_for("pages.search_page", _external=True),
                           suggest_url=url_for("api.search", _external=True))
    return Response(body, mimetype="application/opensearchdescription+xml")
