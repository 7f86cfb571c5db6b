"""The OpenAPI description of /api/v1, served at /api/v1/openapi.json.

Every limit below is imported from the code that enforces it, and
tests/webui/test_openapi_document.py checks the document against the app's own
routes and against the parameters each route really reads, so they cannot drift
apart; tests/webui/test_api_schemathesis.py then has schemathesis call a live
server with what the document allows and forbids.
"""

from __future__ import annotations

from engines.base import FACETS
from search.concordance import DEFAULT_WIDTH, MAX_WIDTH, SORTS as LINE_SORTS
from search.exports import FORMATS
from search.query_parser import MAX_QUERY_LENGTH
from search.request import DEFAULT_PER_PAGE, FACET_LIMIT, MAX_FACET_LIMIT, MAX_PER_PAGE, SORTS
from search.trends import INTERVALS, MAX_SERIES
from webui.params import COUNT_VALUES, FLAG_VALUES, GROUP_VALUES, MAX_FILTER_VALUE_LENGTH, MAX_FILTER_VALUES, MAX_PAGE

# The exact forms the server accepts (webui/params.py, engines/dates.py): ASCII digits, year 0001 to 9999,
# a real month; a full date is also checked as a calendar day (format: date).
_YEAR = r"([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH = r"(0[1-9]|1[0-2])"
EMPTY = {"type": "string", "maxLength": 0, "description": "an empty value is read as an absent one"}
DATE_SCHEMA = {"type": "string", "anyOf": [
    EMPTY,
    {"pattern": f"^{_YEAR}$"},
    {"pattern": f"^{_YEAR}-{_MONTH}$"},
    {"pattern": f"^{_YEAR}-{_MONTH}-[0-9]{{2}}$", "format": "date"},
], "examples": ["2019", "2019-03", "2019-03-14"]}
# Blank values are dropped before a filter is read, so a blank year is no error.
YEAR_PATTERN = r"^\s*([0-9]{4})?\s*$"
# The query box: any text up to the limit; a syntax error (an unclosed quote…) is a 400 query_syntax.
QUERY_SCHEMA = {"type": "string", "maxLength": MAX_QUERY_LENGTH}
REQUIRED_QUERY_SCHEMA = {**QUERY_SCHEMA, "pattern": r"\S"}
FLAG_SCHEMA = {"type": "string", "enum": list(FLAG_VALUES)}
EXPORT_MEDIA_TYPES = {fmt: mimetype.split(";")[0] for fmt, (mimetype, _extension) in FORMATS.items()}


def _param(name: str, description: str, schema: dict, repeat: bool = False, required: bool = False,
           where: str = "query") -> dict:
    if repeat:
        schema = {"type": "array", "items": schema, "maxItems": MAX_FILTER_VALUES}
    return {"name": name, "in": where, "description": description, "schema": schema,
            **({"required": True} if required else {}),
            **({"style": "form", "explode": True} if repeat else {})}


def _or_empty(schema: dict) -> dict:
    """`schema`, or an empty value, which the server reads as an absent one (an HTML form sends empty fields)."""
    return {"anyOf": [schema, EMPTY], **({"default": schema["default"]} if "default" in schema else {})}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _object(properties: dict, optional: tuple[str, ...] = ()) -> dict:
    """A closed object: every property listed and required, so an undocumented field fails the contract."""
    return {"type": "object", "properties": properties,
            "required": [name for name in properties if name not in optional], "additionalProperties": False}


STRING, INTEGER, NUMBER, BOOLEAN = ({"type": t} for t in ("string", "integer", "number", "boolean"))
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
STRINGS = {"type": "array", "items": STRING}
LANGUAGE = {"type": "string", "description": "the article's language (BCP 47), fr when the source does not say"}

# Search parameters, by name: every route that reads a search (search, export, concordance, trends) reads them all.
SEARCH_PARAMETERS = {
    "q": _param("q", "query text (see README for the syntax); empty browses newest first", QUERY_SCHEMA),
    "page": _param("page", "page number, from 1", _or_empty(
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1})),
    "per_page": _param("per_page", "hits per page", _or_empty(
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE})),
    "sort": _param("sort", "relevance, date (oldest first) or -date (newest first); default relevance, "
                           "newest first without q", {"type": "string", "enum": ["", *SORTS]}),
    "date_from": _param("date_from", "first day included: YYYY, YYYY-MM or YYYY-MM-DD", DATE_SCHEMA),
    "date_to": _param("date_to", "last day included: YYYY, YYYY-MM or YYYY-MM-DD", DATE_SCHEMA),
    "facet_limit": _param("facet_limit", "values listed per facet",
                          _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_FACET_LIMIT,
                                     "default": FACET_LIMIT})),
    "timeline": _param("timeline", "1 to include matches per year (or per month over three years or fewer)", FLAG_SCHEMA),
    "forms": _param("forms", "1 to list each query word's written forms in the results, with counts", FLAG_SCHEMA),
    "group": _param("group", "story (default): one hit per story, its earliest matching copy; none: every copy",
                    {"type": "string", "enum": ["", *GROUP_VALUES]}),
    "count": _param("count", "article (default), or story: facets, timeline and trends count each story once",
                    {"type": "string", "enum": ["", *COUNT_VALUES]}),
    "asof": _param("asof", "YYYY-MM-DD: the search as it was at the end of that day (UTC), later articles left out",
                   {"type": "string", "anyOf": [EMPTY, {"pattern": f"^{_YEAR}-{_MONTH}-[0-9]{{2}}$", "format": "date"}]}),
    **{name: _param(name, f"filter on {name}; repeat to combine values with OR (at most {MAX_FILTER_VALUES})",
                    {"type": "string", "maxLength": MAX_FILTER_VALUE_LENGTH,
                     **({"pattern": YEAR_PATTERN} if name == "year" else {})}, repeat=True)
       for name in FACETS},
    "story": _param("story", "only the copies of this story (a hit's `story`); copies_url uses it",
                    {"type": "string", "maxLength": MAX_FILTER_VALUE_LENGTH}, repeat=True),
}
DOC_ID = _param("doc_id", "the article's id, as in a hit", {"type": "string", "minLength": 1}, required=True,
                where="path")


def _search_parameters(**replaced: dict) -> list[dict]:
    return [replaced.get(name) or _ref("parameters", name) for name in SEARCH_PARAMETERS]


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _responses(ok: dict, *errors: str) -> dict:
    """`ok` as the 200, the named error answers, and the 429 and 503 every route may give."""
    return {"200": ok, **{code: _ref("responses", code) for code in (*errors, "429", "503")}}


def _schemas() -> dict:
    facet_value = _object({"value": STRING, "count": INTEGER, "selected": BOOLEAN})
    hit = _object({
        "id": STRING, "title": STRING, "url": STRING, "source": STRING, "author": STRING,
        "published": NULLABLE_DATE, "section": STRING, "tags": STRINGS, "score": {"type": ["number", "null"]},
        "snippet_html": {"type": "string", "description": "sanitised HTML; <mark> is the only tag"},
        "missing_words": {**STRINGS, "description": "query words this article lacks (long queries, partial matches)"},
        "language": LANGUAGE,
        "story": {"type": "string", "description": "shared by the article's reprints and copies"},
        "copies": {"type": "integer", "description": "other matching copies of its story, grouped under this hit"},
        "copy_list": {"type": "array", "description": "the first 20 of them, earliest first", "items": _object({
            "id": STRING, "title": STRING, "source": STRING, "published": NULLABLE_DATE, "url": STRING})},
        "copies_url": {"type": ["string", "null"], "description": "the API search listing every copy, or null"},
    })
    search_result = _object({
        "query": STRING, "total": INTEGER, "page": INTEGER, "per_page": INTEGER,
        "sort": {"type": "string", "enum": list(SORTS), "description": "the sort applied"},
        "took_ms": NUMBER,
        "notice": {"type": ["string", "null"], "enum": ["only_stop_words", "partial_match", None],
                   "description": "only_stop_words: no hits; partial_match: no article holds every word, "
                                  "the hits hold the most of them"},
        "hits": {"type": "array", "items": _ref("schemas", "Hit")},
        "facets": _object({name: {"type": "array", "items": _ref("schemas", "FacetValue")} for name in FACETS}),
        "facets_more": _object({name: {"type": "boolean", "description": "more values than facet_limit"}
                                for name in FACETS}),
        "suggestion": {"type": ["object", "null"], "description": "a spelling suggestion and the search with it",
                       "properties": {"text": STRING, "url": STRING}, "required": ["text", "url"],
                       "additionalProperties": False},
        "timeline": {"type": "array", "description": "with timeline=1: matching articles per period",
                     "items": _object({"period": STRING, "count": INTEGER})},
        "forms": {"type": "array", "description": "with forms=1: each query word's written forms in the results",
                  "items": _object({"word": STRING, "forms": {
                      "type": "array", "items": _object({"form": STRING, "count": INTEGER})}})},
        "group": {"type": "string", "enum": list(GROUP_VALUES), "description": "whether hits are one per story"},
        "count": {"type": "string", "enum": list(COUNT_VALUES), "description": "what facets and timeline count"},
        "asof": {"type": ["string", "null"], "format": "date", "description": "the day the search is pinned to"},
        "added_since": {"type": ["integer", "null"], "description": "with asof: matching articles added after it"},
        "deleted_since": {"type": ["integer", "null"], "description": "with asof: articles deleted after it"},
    })
    article = _object({
        "id": STRING, "title": STRING, "summary": STRING, "body": STRING, "url": STRING, "source": STRING,
        "author": STRING, "published": NULLABLE_DATE, "section": STRING, "tags": STRINGS, "language": LANGUAGE,
        "added": {"type": "string", "description": "when it entered the index, UTC YYYY-MM-DDTHH:MM:SS"},
        "story": {"type": "string", "description": "shared by its reprints and copies"},
        "entities": _object({kind: {**STRINGS, "description": f"the {kind} names found in it, as written"}
                             for kind in ("person", "place", "org")}),
    })
    similar = _object({"id": STRING, "similar": {"type": "array", "items": _object({
        "id": STRING, "title": STRING, "source": STRING, "published": NULLABLE_DATE, "language": LANGUAGE})}})
    concordance = _object({
        "width": INTEGER, "sort": {"type": "string", "enum": list(LINE_SORTS)},
        "documents": {"type": "integer", "description": "articles read"},
        "truncated": {"type": "boolean", "description": "more articles or lines than the caps: narrow the search"},
        "lines": {"type": "array", "items": _object({
            "doc_id": STRING, "title": STRING, "source": STRING, "published": STRING,
            "left": STRING, "keyword": STRING, "right": STRING, "language": LANGUAGE})},
    })
    counts = {"type": "object", "additionalProperties": INTEGER}
    trends = _object({
        "interval": {"type": "string", "enum": list(INTERVALS)}, "periods": STRINGS,
        "articles_per_period": {**counts, "description": "articles published per period, matching or not"},
        "series": {"type": "array", "items": _object({"query": STRING, "total": INTEGER, "points": {
            "type": "array", "items": _object({
                "period": STRING, "count": INTEGER,
                "per_thousand": {"type": "number", "description": "matches per 1,000 articles of the period"},
                "by_source": counts})}})},
        "sources": {**STRINGS, "description": "the sources whose coverage is given: the selected ones, else the largest"},
        "coverage": {"type": "object", "description": "period → source → articles in it (any word, same filters)",
                     "additionalProperties": counts},
        "absent": {"type": "object", "description": "period → the shown sources without any article in it",
                   "additionalProperties": STRINGS},
    })
    error = _object({"error": _object({"code": STRING, "message": {
        "type": "string", "description": "what is wrong and how to fix it"}})})
    return {"FacetValue": facet_value, "Hit": hit, "SearchResult": search_result, "Article": article,
            "Similar": similar, "Concordance": concordance, "Trends": trends, "Error": error}


def _error(description: str, headers: dict | None = None) -> dict:
    return {**_json(_ref("schemas", "Error"), description), **({"headers": headers} if headers else {})}


def openapi_document() -> dict:
    error_codes = "bad_parameter (a parameter is malformed or out of range) or query_syntax (the query text)"
    return {
        "openapi": "3.1.0",
        "info": {"title": "Loupe search API", "version": "1.0.0",
                 "description": "Full-text search over a French press archive. Answers are compressed (br, gzip) "
                                "when the client accepts it."},
        "paths": {
            "/api/v1/search": {"get": {
                "operationId": "search",
                "summary": "Search articles, with facet counts and highlighted snippets",
                "parameters": _search_parameters(),
                "responses": _responses(_json(_ref("schemas", "SearchResult"), "Search result"), "400"),
            }},
            "/api/v1/documents/{doc_id}": {"get": {
                "operationId": "document",
                "summary": "One article with its full text",
                "parameters": [DOC_ID],
                "responses": _responses(_json(_ref("schemas", "Article"), "The article"), "404"),
            }},
            "/api/v1/documents/{doc_id}/similar": {"get": {
                "operationId": "similar",
                "summary": "Articles sharing this one's most distinctive words",
                "parameters": [DOC_ID],
                "responses": _responses(_json(_ref("schemas", "Similar"), "Similar articles"), "404"),
            }},
            "/api/v1/export/{fmt}": {"get": {
                "operationId": "export",
                "summary": "Every hit of the search (up to 5,000) as a download; RIS (type NEWS) and BibTeX "
                           "(@article, entrysubtype newspaper) import into Zotero as newspaper articles",
                "parameters": [_param("fmt", "the format", {"type": "string", "enum": list(FORMATS)},
                                      required=True, where="path"), *_search_parameters()],
                "responses": _responses({"description": "The export, as an attachment", "content": {
                    media_type: {"schema": STRING} for media_type in EXPORT_MEDIA_TYPES.values()}}, "400"),
            }},
            "/api/v1/concordance": {"get": {
                "operationId": "concordance",
                "summary": "Every occurrence of the query's words with its context (KWIC)",
                "parameters": [
                    *_search_parameters(q=_param("q", "query text: its words are the keywords", REQUIRED_QUERY_SCHEMA,
                                                 required=True)),
                    _param("width", "words of context on each side",
                           _or_empty({"type": "integer", "minimum": 1, "maximum": MAX_WIDTH,
                                      "default": DEFAULT_WIDTH})),
                    _param("sort_lines", "order of the lines", {"type": "string", "enum": list(LINE_SORTS),
                                                                "default": "date"}),
                ],
                "responses": _responses(_json(_ref("schemas", "Concordance"), "Concordance lines"), "400"),
            }},
            "/api/v1/trends": {"get": {
                "operationId": "trends",
                "summary": "Matches per period for up to four queries, raw and per 1,000 articles, by source",
                "parameters": [
                    *_search_parameters(q={**_param("q", f"a query to chart; repeat for up to {MAX_SERIES} "
                                                         "(blank ones are ignored)", QUERY_SCHEMA, required=True),
                                           "schema": {"type": "array", "items": QUERY_SCHEMA, "minItems": 1,
                                                      "maxItems": MAX_SERIES, "contains": REQUIRED_QUERY_SCHEMA},
                                           "style": "form", "explode": True}),
                    _param("interval", "year or month", {"type": "string", "enum": list(INTERVALS), "default": "year"}),
                ],
                "responses": _responses(_json(_ref("schemas", "Trends"), "One series per query"), "400"),
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "openapi",
                "summary": "This document",
                "responses": _responses(_json({"type": "object", "required": ["openapi", "paths"]},
                                              "The OpenAPI 3.1 description")),
            }},
        },
        "components": {
            "parameters": SEARCH_PARAMETERS,
            "schemas": _schemas(),
            "responses": {
                "400": _error(f"Bad input: code {error_codes}; the message names the parameter and what it accepts"),
                "404": _error("No article with this id (code not_found)"),
                "429": _error("Too many requests from this address (code rate_limited)", headers={"Retry-After": {
                    "description": "seconds to wait", "schema": {"type": "string", "pattern": "^[0-9]+$"}}}),
                "503": _error("The index is missing or being repaired, or the search engine is not answering"),
            },
        },
    }
