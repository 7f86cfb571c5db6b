"""Run a search: query, combinable facets, highlighted hits, suggestion → a SearchResult.

The HTML page, the JSON API and the CLI's --json all render the SearchResult
built here, so they cannot disagree.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field

from whoosh import collectors, query
from whoosh.searching import Searcher

from indexer.errors import LoupeError
from indexer.schema import FACET_FIELDS, TAG_SEPARATOR
from webui.doc_values import doc_values
from webui.searcher_cache import searcher_lru
from webui.facets import FacetValue, facet_filter, facet_values
from webui.highlight import NO_TERMS, MatchTerms, highlight_marked, match_terms, sanitise_all, snippet_marked
from webui.query import ParsedQuery, check_expansions, date_range, parse_query
from webui.spelling import Suggestion, suggest

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


def stored_tags(stored: dict) -> list[str]:
    """The tags of a stored document, in their order."""
    return [tag for tag in stored.get("tags", "").split(TAG_SEPARATOR) if tag]


def stored_metadata(stored: dict) -> dict:
    """What every view of an article shows about it, from its stored fields (missing ones empty)."""
    return {
        "id": stored["id"],
        "title": stored.get("title", ""),
        "url": stored.get("url", ""),
        "source": stored.get("source", ""),
        "author": stored.get("author", ""),
        "published": stored.get("date") or None,
        "section": stored.get("section", ""),
        "tags": stored_tags(stored),
    }


def _hits(searcher: Searcher, docnums: list[int], scores: list[float] | None, terms: MatchTerms) -> list[Hit]:
    """The page's hits, their snippets and titles sanitised by bleach in one pass."""
    stored = [searcher.stored_fields(docnum) for docnum in docnums]
    marked = []
    for fields in stored:
        marked.append(snippet_marked([fields.get("summary", ""), fields.get("body", "")], terms))
        marked.append(highlight_marked(fields.get("title", ""), terms))
    sanitised = iter(sanitise_all(marked))
    return [
        Hit(
            **stored_metadata(fields),
            score=round(scores[i], 4) if scores else None,
            snippet_html=next(sanitised),
            title_html=next(sanitised),
        )
        for i, fields in enumerate(stored)
    ]


def _date_filter(request: SearchRequest) -> query.Query | None:
    if request.date_from or request.date_to:
        return date_range(request.date_from or None, request.date_to or None)
    return None


def _timeline(months: dict[str, int]) -> list[tuple[str, int]]:
    """Matching articles per year, or per month when they span three years or fewer."""
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
    terms: computing it took half of a filtered request.
    """
    if filter_query is None:
        return None
    cache = searcher_lru(searcher, "filters", FILTER_CACHE_SIZE)
    key = repr(filter_query)
    # A plain set: Whoosh takes a set or a DocIdSet as a filter, and only reads it.
    # Whoosh ignores a falsy filter, so "nothing passes" is a set no document is in.
    return cache.get(key) or cache.put(key, set(searcher.docs_for_query(filter_query)) or {-1})


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


class _RecordingTopCollector(collectors.TopCollector):
    """Whoosh's top-N collector that also keeps the number of every matching document.

    Facets and the timeline are counted over those numbers afterwards (see
    doc_values), which is far cheaper than Whoosh's per-document categorizers.
    """

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.docnums: list[int] = []

    def _collect(self, global_docnum, score):
        self.docnums.append(global_docnum)
        return super()._collect(global_docnum, score)


@dataclass(frozen=True)
class Matches:
    """Every document a search matched, and the first `window` of them in the requested order."""

    docnums: Collection[int]
    ranked: list[int]
    scores: list[float] | None  # with `ranked`, for a relevance sort


def _filtered(collector: collectors.Collector, allow: set[int] | None) -> collectors.Collector:
    return collectors.FilterCollector(collector, allow=allow) if allow is not None else collector


def all_matching(searcher: Searcher, whoosh_query: query.Query, allow: set[int] | None) -> set[int]:
    """Every document the query matches among `allow` (all when None), unscored."""
    unsorted = collectors.UnsortedCollector()
    searcher.search_with_collector(whoosh_query, _filtered(unsorted, allow))
    return unsorted.docset


def collect_matches(searcher: Searcher, whoosh_query: query.Query, allow: set[int] | None, window: int, sort: str) -> Matches:
    """Run the query once: all matching documents, and the first `window` by `sort`.

    Relevance: ties keep the lower document number first, as Whoosh does.
    Dates: undated articles come last in both directions.
    """
    if sort == "relevance":
        # No block skipping and no matcher replacement: every match is visited, so counts are exact.
        top = _RecordingTopCollector(limit=window, usequality=False, replace=0)
        searcher.search_with_collector(whoosh_query, _filtered(top, allow))
        results = top.results()
        length = results.scored_length()
        return Matches(top.docnums, [results.docnum(i) for i in range(length)], [results.score(i) for i in range(length)])
    docnums = all_matching(searcher, whoosh_query, allow)
    return Matches(docnums, doc_values(searcher).by_date(docnums, window, newest_first=sort == "-date"), None)


def ranked_docnums(searcher: Searcher, prepared: PreparedSearch, sort: str, limit: int) -> list[int]:
    """Document numbers of the first `limit` hits of a prepared search in `sort` order, no facets."""
    if prepared.parsed.only_stop_words:
        return []
    allow = filter_docs(searcher, prepared.main_filter)
    return collect_matches(searcher, prepared.parsed.whoosh_query, allow, limit, sort).ranked


RANKING_CACHE_SIZE = 512  # entries average 4 kB on the 34k corpus


@dataclass(frozen=True)
class Counts:
    """What a query and its filters count, whatever the page or the sort."""

    facets: dict[str, dict[str, int]]
    months: dict[str, int]


@dataclass(frozen=True)
class Ranking:
    """What a page of results needs from the index: the first hits in order, the total, the counts."""

    total: int
    ranked: list[int]
    scores: list[float] | None
    counts: Counts


def _counts(searcher: Searcher, prepared: PreparedSearch, matched: Collection[int]) -> Counts:
    """Facet and month counts of the matched documents.

    A selected facet counts its values under every *other* filter, so a user
    sees what ticking another value of it would add.
    """
    values = doc_values(searcher)
    facets = {name: column.count(matched) for name, column in values.facets.items() if name not in prepared.facet_filters}
    if prepared.facet_filters:
        base_docs = all_matching(searcher, prepared.parsed.whoosh_query, filter_docs(searcher, _and(prepared.base_filters)))
        for name in prepared.facet_filters:
            others = filter_docs(searcher, prepared.filter_without(name))
            facets[name] = values.facets[name].count(base_docs & others if others is not None else base_docs)
    return Counts(facets, values.month.count(matched))


def _ranking(searcher: Searcher, prepared: PreparedSearch, sort: str, window: int) -> Ranking:
    """The query's ranking, cached on the searcher, as Solr's query result cache does.

    Researchers page through, re-sort and come back to the same searches; the
    cache holds the ranking and the counts, never the snippets, which are cheap
    to rebuild and depend on the page.
    """
    cache = searcher_lru(searcher, "rankings", RANKING_CACHE_SIZE)
    # The main filter's repr names every facet filter's field, so it also says which facets are selected.
    key = (repr(prepared.parsed.whoosh_query), repr(prepared.main_filter), sort, window)
    cached = cache.get(key)
    if cached is not None:
        return cached
    matches = collect_matches(searcher, prepared.parsed.whoosh_query, filter_docs(searcher, prepared.main_filter), window, sort)
    counts = _counts(searcher, prepared, matches.docnums)
    return cache.put(key, Ranking(len(matches.docnums), matches.ranked, matches.scores, counts))


def run_search(searcher: Searcher, request: SearchRequest) -> SearchResult:
    """Search the index; raises QuerySyntaxError or BadParameter on bad input."""
    started = time.perf_counter()
    prepared = prepare_search(searcher, request)
    parsed, text = prepared.parsed, prepared.text
    sort = request.effective_sort
    if parsed.only_stop_words:
        return _empty_result(request, sort, started, notice="only_stop_words")

    window = min(request.page * request.per_page, MAX_RESULT_WINDOW)
    ranking = _ranking(searcher, prepared, sort, window)
    total = ranking.total
    first = (request.page - 1) * request.per_page
    if first < total and request.page * request.per_page > MAX_RESULT_WINDOW:
        raise BadParameter(
            f"page {request.page} is too deep: only the first {MAX_RESULT_WINDOW} hits can be paged; narrow the search"
        )

    counts = ranking.counts
    facets: dict[str, list[FacetValue]] = {}
    facets_more: dict[str, bool] = {}
    for name in FACET_FIELDS:
        facets[name], facets_more[name] = facet_values(counts.facets[name], request.selected(name), request.facet_limit)

    terms = match_terms(parsed.whoosh_query, searcher.reader()) if text else NO_TERMS
    scores = ranking.scores[first:window] if sort == "relevance" and text else None
    hits = _hits(searcher, ranking.ranked[first:window], scores, terms)
    suggestion = suggest(text, searcher) if text else None
    timeline = _timeline(counts.months) if request.with_timeline and total else []
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
