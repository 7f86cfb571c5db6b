"""Run a search: query, combinable facets, highlighted hits, suggestion → a SearchResult.

The HTML page, the JSON API and the CLI's --json all render the SearchResult
built here, so they cannot disagree.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from whoosh import query, sorting
from whoosh.searching import Searcher

from indexer.analysis import query_term, word_spans
from indexer.errors import LoupeError
from indexer.schema import FACET_FIELDS, TAG_SEPARATOR
from indexer.stopwords import FRENCH_STOP_WORDS
from webui.facets import FacetValue, facet_filter, facet_for, facet_values
from webui.highlight import NO_TERMS, MatchTerms, highlight_html, match_terms, snippet_html
from webui.query import ParsedQuery, check_expansions, date_range, parse_query

SORTS = ("relevance", "date", "-date")
DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # deepest hit a page may reach
FACET_LIMIT = 10
MAX_FACET_LIMIT = 500


class BadParameter(LoupeError):
    """A request parameter is out of range or malformed; the message says what is allowed."""

    code = "bad_parameter"


@dataclass(frozen=True)
class SearchRequest:
    """Everything that defines a search; the URL holds exactly these."""

    query_text: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""  # "" means relevance with words, newest first without
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (("source", ("A", "B")), ...)
    date_from: str = ""
    date_to: str = ""
    facet_limit: int = FACET_LIMIT
    with_timeline: bool = False

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.query_text.strip() else "-date")


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    url: str
    source: str
    author: str
    published: str | None
    section: str
    tags: list[str]
    score: float | None
    snippet_html: str
    title_html: str


@dataclass(frozen=True)
class Suggestion:
    text: str


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    facets_more: dict[str, bool]
    suggestion: Suggestion | None
    sort: str = "relevance"
    notice: str | None = None  # "only_stop_words" when every word was a stop word
    timeline: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULT_WINDOW) // self.per_page))


def _and(queries: list[query.Query]) -> query.Query | None:
    return query.And(queries) if queries else None


def _undated_last(day: str | bytes) -> str | bytes:
    # "~" sorts after every digit, so undated articles come last oldest-first too.
    # The date column hands out bytes.
    if day:
        return day
    return b"~" if isinstance(day, bytes) else "~"


def _sortedby(sort: str):
    if sort == "relevance":
        return None, False
    if sort == "date":
        return sorting.TranslateFacet(_undated_last, sorting.FieldFacet("date")), False
    return sorting.FieldFacet("date"), True


def stored_tags(stored: dict) -> list[str]:
    """The tags of a stored document, in their order."""
    return [tag for tag in stored.get("tags", "").split(TAG_SEPARATOR) if tag]


def _hit(searcher: Searcher, docnum: int, score: float | None, terms: MatchTerms) -> Hit:
    stored = searcher.stored_fields(docnum)
    title = stored.get("title", "")
    return Hit(
        id=stored["id"],
        title=title,
        url=stored.get("url", ""),
        source=stored.get("source", ""),
        author=stored.get("author", ""),
        published=stored.get("date") or None,
        section=stored.get("section", ""),
        tags=stored_tags(stored),
        score=round(score, 4) if score is not None else None,
        snippet_html=snippet_html([stored.get("summary", ""), stored.get("body", "")], terms),
        title_html=highlight_html(title, terms),
    )


def _unknown_words(query_text: str, searcher: Searcher) -> Iterator[str]:
    """Plain words of the query that match nothing in the index, in any form."""
    reader = searcher.reader()
    for start, end, word in word_spans(query_text):
        attached = query_text[end : end + 1] in ("*", "?", ":") or query_text[start - 1 : start] == ":"
        if attached or len(word) < 3 or word in FRENCH_STOP_WORDS or word.isdigit():
            continue
        if reader.doc_frequency("text", query_term(word)) == 0 and reader.doc_frequency("exact", word) == 0:
            yield word


def suggest(query_text: str, searcher: Searcher) -> Suggestion | None:
    """A respelling of the query's unknown words from the raw indexed words, or None.

    Works on the raw words of the `exact` field, not on stems, so `souverainté`
    becomes `souveraineté`. Words that match something (`souverainetés`,
    `souverainete`) are left alone.
    """
    corrector = searcher.corrector("exact")
    corrected = query_text
    for word in _unknown_words(query_text, searcher):
        # Closest first: `malli` is one edit from `mali`, two from the commoner `mardi`.
        candidates = corrector.suggest(word, limit=1, maxdist=1, prefix=1) or corrector.suggest(
            word, limit=1, maxdist=2, prefix=1
        )
        if candidates:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
            corrected = pattern.sub(candidates[0], corrected, count=1)
    return Suggestion(corrected) if corrected != query_text else None


def _date_filter(request: SearchRequest) -> query.Query | None:
    if request.date_from or request.date_to:
        return date_range(request.date_from or None, request.date_to or None)
    return None


def _timeline(searcher: Searcher, whoosh_query: query.Query, main_filter) -> list[tuple[str, int]]:
    """Matching articles per year, or per month when they span three years or fewer."""
    by_month = searcher.search(
        whoosh_query, filter=filter_docs(searcher, main_filter), limit=1, groupedby={"month": sorting.FieldFacet("month", maptype=sorting.Count)}
    ).groups("month")
    months = {m: c for m, c in by_month.items() if m}
    years: dict[str, int] = {}
    for month, count in months.items():
        years[month[:4]] = years.get(month[:4], 0) + count
    if len(years) <= 3:
        return sorted(months.items())
    return sorted(years.items())


FILTER_CACHE_SIZE = 32


def filter_docs(searcher: Searcher, filter_query: query.Query | None) -> set[int] | None:
    """The documents a filter lets through, cached on the searcher.

    Facet and date filters repeat across requests, and a date range is an OR of
    every day in it: computing it took half of a filtered request. The cache
    lives and dies with the searcher, which is replaced when a new build lands,
    so it never answers from a replaced index.
    """
    if filter_query is None:
        return None
    cache: OrderedDict = searcher.__dict__.setdefault("_loupe_filter_cache", OrderedDict())
    key = repr(filter_query)
    docs = cache.get(key)
    if docs is None:
        # A plain set: Whoosh takes a set or a DocIdSet as a filter, and only reads it.
        # Whoosh ignores a falsy filter, so "nothing passes" is a set no document is in.
        docs = cache[key] = set(searcher.docs_for_query(filter_query)) or {-1}
        if len(cache) > FILTER_CACHE_SIZE:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    return docs


@dataclass(frozen=True)
class PreparedSearch:
    """A request turned into a Whoosh query and filters, shared by search, exports and feeds."""

    parsed: ParsedQuery
    facet_filters: dict[str, query.Query]
    base_filters: list[query.Query]  # filters that are not facets (the date range)
    text: str

    @property
    def main_filter(self) -> query.Query | None:
        return _and(self.base_filters + list(self.facet_filters.values()))

    def filter_without(self, facet: str) -> query.Query | None:
        return _and(self.base_filters + [f for name, f in self.facet_filters.items() if name != facet])


def prepare_search(searcher: Searcher, request: SearchRequest) -> PreparedSearch:
    """Parse the query and build the filters; raises QuerySyntaxError on bad input."""
    text = request.query_text.strip()
    parsed = parse_query(text, searcher.schema) if text else ParsedQuery(query.Every(), False)
    if text:
        check_expansions(parsed.whoosh_query, searcher.reader())
    facet_filters = {name: facet_filter(name, values) for name, values in request.filters if values}
    date_filter = _date_filter(request)
    return PreparedSearch(parsed, facet_filters, [date_filter] if date_filter is not None else [], text)


def ranked_docnums(searcher: Searcher, request: SearchRequest, limit: int) -> list[int]:
    """Document numbers of the first `limit` hits in the request's order, no facets."""
    prepared = prepare_search(searcher, request)
    if prepared.parsed.only_stop_words:
        return []
    sortedby, reverse = _sortedby(request.effective_sort)
    results = searcher.search(
        prepared.parsed.whoosh_query, filter=filter_docs(searcher, prepared.main_filter), limit=limit, sortedby=sortedby, reverse=reverse
    )
    return [results.docnum(i) for i in range(results.scored_length())]


def run_search(searcher: Searcher, request: SearchRequest) -> SearchResult:
    """Search the index; raises QuerySyntaxError or BadParameter on bad input."""
    started = time.perf_counter()
    prepared = prepare_search(searcher, request)
    parsed, text, facet_filters, main_filter = prepared.parsed, prepared.text, prepared.facet_filters, prepared.main_filter
    sort = request.effective_sort
    if parsed.only_stop_words:
        return _empty_result(request, sort, started, notice="only_stop_words")

    window = min(request.page * request.per_page, MAX_RESULT_WINDOW)
    unselected = {name: facet_for(name) for name in FACET_FIELDS if name not in facet_filters}
    sortedby, reverse = _sortedby(sort)
    results = searcher.search(
        parsed.whoosh_query,
        filter=filter_docs(searcher, main_filter),
        limit=window,
        sortedby=sortedby,
        reverse=reverse,
        groupedby=unselected or None,
        optimize=False,  # count every match exactly: facets visit them all anyway
    )
    total = len(results)
    first = (request.page - 1) * request.per_page
    if first < total and request.page * request.per_page > MAX_RESULT_WINDOW:
        raise BadParameter(
            f"page {request.page} is too deep: only the first {MAX_RESULT_WINDOW} hits can be paged; narrow the search"
        )

    counts = {name: results.groups(name) for name in unselected}
    for name in facet_filters:
        # A selected facet counts its values under every *other* filter, so a
        # user sees what ticking another value of it would add.
        counts[name] = searcher.search(
            parsed.whoosh_query, filter=filter_docs(searcher, prepared.filter_without(name)), limit=1, groupedby={name: facet_for(name)}
        ).groups(name)

    facets: dict[str, list[FacetValue]] = {}
    facets_more: dict[str, bool] = {}
    for name in FACET_FIELDS:
        facets[name], facets_more[name] = facet_values(counts[name], request.selected(name), request.facet_limit)

    terms = match_terms(parsed.whoosh_query, searcher.reader()) if text else NO_TERMS
    scored = sort == "relevance" and bool(text)
    hits = [
        _hit(searcher, results.docnum(i), results.score(i) if scored else None, terms)
        for i in range(first, min(total, window))
    ]
    suggestion = suggest(text, searcher) if text else None
    timeline = _timeline(searcher, parsed.whoosh_query, main_filter) if request.with_timeline and total else []
    return SearchResult(
        query=request.query_text,
        total=total,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        hits=hits,
        facets=facets,
        facets_more=facets_more,
        suggestion=suggestion,
        sort=sort,
        timeline=timeline,
    )


def _empty_result(request: SearchRequest, sort: str, started: float, notice: str) -> SearchResult:
    return SearchResult(
        query=request.query_text,
        total=0,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        hits=[],
        facets={name: [] for name in FACET_FIELDS},
        facets_more={name: False for name in FACET_FIELDS},
        suggestion=None,
        sort=sort,
        notice=notice,
    )


def result_to_json(result: SearchResult) -> dict:
    """The JSON answer of GET /api/v1/search and `run.py search --json`."""
    hits = []
    for hit in result.hits:
        item = asdict(hit)
        item.pop("title_html")
        hits.append(item)
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "sort": result.sort,
        "took_ms": result.took_ms,
        "notice": result.notice,
        "hits": hits,
        "facets": {name: [asdict(v) for v in values] for name, values in result.facets.items()},
        "facets_more": result.facets_more,
        "suggestion": {"text": result.suggestion.text} if result.suggestion else None,
        "timeline": [{"period": p, "count": c} for p, c in result.timeline],
    }
