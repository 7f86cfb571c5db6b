"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from engines.base import FACETS
from search.request import MAX_PER_PAGE, SORTS


def _param(name: str, description: str, schema: dict, repeat: bool = False) -> dict:
    if repeat:
        schema = {"type": "array", "items": schema}
    return {"name": name, "in": "query", "description": description, "schema": schema,
            **({"style": "form", "explode": True} if repeat else {})}


def openapi_document() -> dict:
    date_schema = {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}
    facet_value = {
        "type": "object",
        "properties": {"value": {"type": "string"}, "count": {"type": "integer"}, "selected": {"type": "boolean"}},
    }
    hit = {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string"},
            "source": {"type": "string"}, "author": {"type": "string"},
            "published": {"type": ["string", "null"], "format": "date"}, "section": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}}, "score": {"type": ["number", "null"]},
            "snippet_html": {"type": "string", "description": "sanitised HTML; <mark> is the only tag"},
            "missing_words": {"type": "array", "items": {"type": "string"},
                              "description": "query words this article lacks (long queries and partial matches)"},
        },
    }
    error = {
        "description": "Bad input",
        "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {
            "type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}}},
    }
    params = [
        _param("q", "query text (see README for the syntax); empty browses newest first", {"type": "string", "maxLength": 1000}),
        _param("page", "page number, from 1", {"type": "integer", "minimum": 1, "default": 1}),
        _param("per_page", "hits per page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10}),
        _param("sort", "relevance, date (oldest first) or -date (newest first)", {"type": "string", "enum": list(SORTS)}),
        _param("date_from", "first day included: YYYY, YYYY-MM or YYYY-MM-DD", date_schema),
        _param("date_to", "last day included: YYYY, YYYY-MM or YYYY-MM-DD", date_schema),
        _param("facet_limit", "values listed per facet", {"type": "integer", "minimum": 1, "maximum": 500, "default": 10}),
        _param("timeline", "1 to include matches per year or month", {"type": "string", "enum": ["0", "1"]}),
        _param("forms", "1 to list each query word's written forms in the results, with counts",
               {"type": "string", "enum": ["0", "1"]}),
    ] + [
        _param(name, f"filter on {name}; repeat to combine values with OR", {"type": "string"}, repeat=True)
        for name in FACETS
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Loupe search API", "version": "1.0.0",
                 "description": "Full-text search over a French press archive."},
        "paths": {
            "/api/v1/search": {"get": {
                "summary": "Search articles, with facet counts and highlighted snippets",
                "parameters": params,
                "responses": {"200": {"description": "Search result", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"}, "total": {"type": "integer"}, "page": {"type": "integer"},
                        "per_page": {"type": "integer"}, "took_ms": {"type": "number"},
                        "notice": {"type": ["string", "null"], "enum": ["only_stop_words", "partial_match", None],
                                   "description": "partial_match: no article holds every word; the hits hold the most"},
                        "hits": {"type": "array", "items": hit},
                        "facets": {"type": "object", "properties": {
                            name: {"type": "array", "items": facet_value} for name in FACETS}},
                        "suggestion": {"type": ["object", "null"], "properties": {
                            "text": {"type": "string"}, "url": {"type": "string"}}},
                    }}}}}, "400": error},
            }},
            "/api/v1/documents/{id}": {"get": {
                "summary": "One article with its full text",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The article"}, "404": error},
            }},
            "/api/v1/documents/{id}/similar": {"get": {
                "summary": "Articles similar to this one",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Similar articles"}, "404": error},
            }},
        },
    }
