"""HTML pages: thin routes that parse the request, call search, render templates."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from indexer.errors import IndexMissing, LoupeError
from webui.article import get_article, similar_articles
from webui.i18n import choose_language, strings_for
from webui.params import query_string, search_request_from_args
from webui.search import SearchRequest, run_search

pages = Blueprint("pages", __name__)


def _context() -> dict:
    lang = choose_language(request)
    return {"lang": lang, "t": strings_for(lang), "archive_name": current_app.config["ARCHIVE_NAME"]}


@pages.get("/")
@pages.get("/search")
def search_page():
    context = _context()
    handle = current_app.extensions["loupe_index"]
    try:
        search_request = search_request_from_args(request.args, with_timeline=True)
        result = run_search(handle.searcher(), search_request)
        error = None
    except IndexMissing as missing:
        return render_template("error.html", message=str(missing), **context), 503
    except LoupeError as bad_input:
        search_request = SearchRequest(query_text=request.args.get("q", "")[:1000])
        result, error = None, str(bad_input)
    status = 400 if error else 200
    return (
        render_template(
            "search.html", request_=search_request, result=result, error=error, query_string=query_string, **context
        ),
        status,
    )


@pages.get("/articles/<doc_id>")
def article_page(doc_id: str):
    context = _context()
    searcher = current_app.extensions["loupe_index"].searcher()
    query_text = request.args.get("q", "")[:1000]
    article = get_article(searcher, doc_id, query_text)
    if article is None:
        abort(404)
    similar = similar_articles(searcher, doc_id) or []
    return render_template("article.html", article=article, similar=similar, query_text=query_text, **context)
