"""The JSON API, /api/v1: thin routes that parse the request, call search, jsonify.

Errors are answered by webui/errors.py, in JSON on these routes.
"""

from __future__ import annotations

from dataclasses import asdict, replace

from flask import Blueprint, jsonify, request, url_for

from search.article import get_article, similar_articles
from search.results import result_to_json
from search.service import run_search
from webui.errors import error_response
from webui.openapi import openapi_document
from webui.params import copies_request, query_string, search_request_from_args
from webui.state import current_engine

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.get("/search")
def search():
    search_request = search_request_from_args(request.args)
    result = run_search(current_engine(), search_request)
    answer = result_to_json(
        result, lambda story: url_for("api.search") + "?" + query_string(copies_request(search_request, story)))
    if result.suggestion:
        corrected = replace(search_request, query_text=result.suggestion.text, page=1)
        answer["suggestion"]["url"] = url_for("pages.search_page") + "?" + query_string(corrected)
    return jsonify(answer)


@api.get("/documents/<doc_id>")
def document(doc_id: str):
    article = get_article(current_engine(), doc_id)  # the JSON carries no marks: no query to read
    if article is None:
        return error_response("not_found", f"no article with id {doc_id!r}", 404)
    return jsonify(article.as_json())


@api.get("/documents/<doc_id>/similar")
def similar(doc_id: str):
    articles = similar_articles(current_engine(), doc_id)
    if articles is None:
        return error_response("not_found", f"no article with id {doc_id!r}", 404)
    return jsonify({"id": doc_id, "similar": [asdict(a) for a in articles]})


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
