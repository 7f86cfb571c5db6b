"""Run a search: query, combinable facets, highlighted hits, suggestion → a SearchResult.

The HTML page, the JSON API and the CLI's --json all render the SearchResult
built here, so they cannot disagree.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from itertools import chain
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
from webui.word_forms import WordForms, word_forms
from search.query_tree import describe

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
    with_forms: bool = False  # list each query word's forms in the results, with counts

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
    missing_words: list[str] = field(default_factory=list)  # query words this article lacks


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
    # "only_stop_words" when every word was a stop word; "partial_match" when no article holds
    # every word and the hits are the articles holding the most of them
    notice: str | None = None
    timeline: list[tuple[str, int]] = field(default_factory=list)
    forms: list[WordForms] = field(default_factory=list)

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


def _hits(searcher: Searcher, docnums: list[int], scores: list[float] | None, terms: MatchTerms,
          missing: dict[int, tuple[str, ...]] | None = None) -> list[Hit]:
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
            missing_words=list((missing or {}).get(docnums[i], ())),
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


TERM_DOCS_CACHE_SIZE = 256


def term_docs(searcher: Searcher, fieldname: str, text: str) -> frozenset[int]:
    """The documents holding one term, read from its postings and cached on the searcher.

    Questions and long queries repeat common words (`gouvernement`, `2019`): reading
    a posting list is most of what counting a query's words costs.
    """
    cache = searcher_lru(searcher, "term_docs", TERM_DOCS_CACHE_SIZE)
    key = (fieldname, text)
    cached = cache.get(key)
    if cached is None:
        reader = searcher.reader()
        docs = frozenset(reader.postings(fieldname, text).all_ids()) if (fieldname, text) in reader else frozenset()
        cached = cache.put(key, docs)
    return cached


def _term_leaves(whoosh_query: query.Query) -> list[query.Term] | None:
    """The terms of a query that is a term or an OR of terms (a plain word in title and text)."""
    if isinstance(whoosh_query, query.Term):
        return [whoosh_query]
    if isinstance(whoosh_query, query.Or) and all(isinstance(q, query.Term) for q in whoosh_query.subqueries):
        return list(whoosh_query.subqueries)
    return None


def query_docs(searcher: Searcher, whoosh_query: query.Query, allow: set[int] | None) -> set[int] | frozenset[int]:
    """The documents a query matches among `allow`; plain words straight from their postings."""
    terms = _term_leaves(whoosh_query)
    if terms is None:
        return all_matching(searcher, whoosh_query, allow)
    docs = frozenset().union(*(term_docs(searcher, t.fieldname, t.text) for t in terms))
    return docs if allow is None else docs & allow


def score_documents(searcher: Searcher, queries: list[query.Query], docnums: Collection[int]) -> dict[int, float]:
    """Each document's score for the sum of `queries`, by skipping each query's matcher to it.

    A long query is an OR of many common words: walking the union of their postings
    scores tens of thousands of articles to rank the few hundred that hold most of
    them. Skipping to those few costs a block read each.
    """
    scores = dict.fromkeys(docnums, 0.0)
    context = searcher.context()
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.doc_count_all()
        local = sorted(d - offset for d in scores if offset <= d < end)
        if not local:
            continue
        for whoosh_query in queries:
            matcher = whoosh_query.matcher(subsearcher, context)
            for docnum in local:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                    if not matcher.is_active():
                        break
                if matcher.id() == docnum:
                    scores[docnum + offset] += matcher.score()
    return scores


@dataclass(frozen=True)
class WordsHeld:
    """Which of a query's words each candidate article holds (articles holding every required clause)."""

    per_word: list[frozenset[int] | set[int]]
    held: dict[int, int]  # document → how many of the words

    @classmethod
    def count(cls, searcher: Searcher, parsed: ParsedQuery, allow: set[int] | None) -> WordsHeld:
        base = allow if parsed.required is None else all_matching(searcher, parsed.required, allow)
        per_word = [query_docs(searcher, word, base) for word in parsed.optional]
        return cls(per_word, dict(Counter(chain.from_iterable(per_word))))

    def at_least(self, minimum: int) -> set[int]:
        return {docnum for docnum, count in self.held.items() if count >= minimum}

    def missing(self, docnum: int, words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(word for word, docs in zip(words, self.per_word) if docnum not in docs)


@dataclass(frozen=True)
class PlannedMatches:
    """What a search lets through under its matching plan, and how it got there."""

    matches: Matches
    words_held: WordsHeld | None
    minimum: int | None  # how many of the words each match holds at least; None: not counted (all)
    partial: bool  # no article holds every word: these hold some


# Above this many candidates, one scored walk of the OR beats skipping to each of them.
MAX_SKIP_SCORED = 3_000


def _rank_by_words_held(searcher: Searcher, parsed: ParsedQuery, candidates: set[int], held: dict[int, int],
                        window: int) -> Matches:
    """Candidates holding every word first, then the others, by relevance in each group; ties by document number.

    Only the groups needed to fill the window are scored. (Ranking by the number
    of words held, group after group, put articles sharing a question's generic
    words above its answer: MRR@10 0.901 against 0.918 on the question set.)
    """
    everything = len(parsed.optional)
    groups: dict[int, list[int]] = {}
    for docnum in candidates:
        groups.setdefault(int(held[docnum] == everything), []).append(docnum)
    ranked: list[tuple[int, float]] = []
    queries = [q for q in (parsed.required, *parsed.optional) if q is not None]
    for count in sorted(groups, reverse=True):
        group = groups[count]
        if len(group) > MAX_SKIP_SCORED:
            scored = collect_matches(searcher, parsed.scoring_query, set(group), window - len(ranked), "relevance")
            ranked += zip(scored.ranked, scored.scores)
        else:
            scores = score_documents(searcher, queries, group)
            ranked += sorted(scores.items(), key=lambda item: (-item[1], item[0]))[: window - len(ranked)]
        if len(ranked) >= window:
            break
    return Matches(candidates, [docnum for docnum, _ in ranked], [score for _, score in ranked])


def match_planned(searcher: Searcher, parsed: ParsedQuery, allow: set[int] | None, window: int, sort: str,
                  allow_partial: bool = True) -> PlannedMatches:
    """Matches under the query's plan: every word when few, most of them when many, any as a fallback.

    A query whose words are all required runs once, as before; only when it
    finds nothing, or when its plan asks for a share of the words, are the
    words counted one by one.
    """
    if not parsed.needs_counting:
        matches = collect_matches(searcher, parsed.whoosh_query, allow, window, sort)
        if matches.docnums or not allow_partial or len(parsed.optional) < 2:
            return PlannedMatches(matches, None, None, False)
    words_held = WordsHeld.count(searcher, parsed, allow)
    minimum = parsed.minimum
    candidates = words_held.at_least(minimum)
    if not candidates and allow_partial:
        minimum = 1
        candidates = words_held.at_least(minimum)
    everything = len(parsed.optional)
    partial = bool(candidates) and not any(words_held.held[d] == everything for d in candidates)
    if sort == "relevance":
        matches = _rank_by_words_held(searcher, parsed, candidates, words_held.held, window)
    else:
        matches = Matches(candidates, doc_values(searcher).by_date(candidates, window, newest_first=sort == "-date"), None)
    return PlannedMatches(matches, words_held, minimum, partial)


def ranked_docnums(searcher: Searcher, prepared: PreparedSearch, sort: str, limit: int) -> list[int]:
    """Document numbers of the first `limit` hits of a prepared search in `sort` order, no facets."""
    if prepared.parsed.only_stop_words:
        return []
    allow = filter_docs(searcher, prepared.main_filter)
    return match_planned(searcher, prepared.parsed, allow, limit, sort).matches.ranked


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
    missing: dict[int, tuple[str, ...]]  # ranked document → the query words it lacks (only those lacking some)
    partial: bool  # no article holds every word: the hits hold some
    forms: list[WordForms]  # each query word's written forms in the matches, with counts


def _planned_docs(searcher: Searcher, prepared: PreparedSearch, allow: set[int] | None, minimum: int | None) -> set[int]:
    """The documents among `allow` that the query lets through with `minimum` of its words (None: all)."""
    parsed = prepared.parsed
    if minimum is None:
        return all_matching(searcher, parsed.whoosh_query, allow)
    return WordsHeld.count(searcher, parsed, allow).at_least(minimum)


def _counts(searcher: Searcher, prepared: PreparedSearch, matched: Collection[int], minimum: int | None) -> Counts:
    """Facet and month counts of the matched documents.

    A selected facet counts its values under every *other* filter, so a user
    sees what ticking another value of it would add.
    """
    values = doc_values(searcher)
    facets = {name: column.count(matched) for name, column in values.facets.items() if name not in prepared.facet_filters}
    if prepared.facet_filters:
        base_docs = _planned_docs(searcher, prepared, filter_docs(searcher, _and(prepared.base_filters)), minimum)
        for name in prepared.facet_filters:
            others = filter_docs(searcher, prepared.filter_without(name))
            facets[name] = values.facets[name].count(base_docs & others if others is not None else base_docs)
    return Counts(facets, values.month.count(matched))


def ranking_key(prepared: PreparedSearch, sort: str, window: int, with_forms: bool = False) -> tuple:
    """Everything a cached ranking depends on: the query and its plan, each filter by role, sort, window.

    Facet filters and the date range are kept apart: `year=2019&year=2020` and
    `date_from=2019&date_to=2020` select the same articles but count facets differently.
    """
    parsed = prepared.parsed
    facets = tuple(sorted((name, repr(f)) for name, f in prepared.facet_filters.items()))
    # The words as typed name the forms panel and the missing words: `souverainete` and
    # `souveraineté` search alike but are shown as typed.
    typed = describe(parsed.tree) if parsed.tree is not None else ""
    return (repr(parsed.whoosh_query), typed, parsed.minimum, repr(_and(prepared.base_filters)), facets, sort, window,
            with_forms)


def _ranking(searcher: Searcher, prepared: PreparedSearch, sort: str, window: int, with_forms: bool) -> Ranking:
    """The query's ranking, cached on the searcher, as Solr's query result cache does.

    Researchers page through, re-sort and come back to the same searches; the
    cache holds the ranking and the counts, never the snippets, which are cheap
    to rebuild and depend on the page.
    """
    cache = searcher_lru(searcher, "rankings", RANKING_CACHE_SIZE)
    key = ranking_key(prepared, sort, window, with_forms)
    cached = cache.get(key)
    if cached is not None:
        return cached
    planned = match_planned(searcher, prepared.parsed, filter_docs(searcher, prepared.main_filter), window, sort)
    matches, words_held = planned.matches, planned.words_held
    missing: dict[int, tuple[str, ...]] = {}
    if words_held is not None:
        words = prepared.parsed.words
        missing = {d: lacking for d in matches.ranked if (lacking := words_held.missing(d, words))}
    counts = _counts(searcher, prepared, matches.docnums, planned.minimum)
    tree = prepared.parsed.tree
    forms = word_forms(searcher, tree, matches.docnums) if with_forms and tree is not None else []
    return cache.put(key, Ranking(len(matches.docnums), matches.ranked, matches.scores, counts, missing,
                                  planned.partial, forms))


def run_search(searcher: Searcher, request: SearchRequest) -> SearchResult:
    """Search the index; raises QuerySyntaxError or BadParameter on bad input."""
    started = time.perf_counter()
    prepared = prepare_search(searcher, request)
    parsed, text = prepared.parsed, prepared.text
    sort = request.effective_sort
    if parsed.only_stop_words:
        return _empty_result(request, sort, started, notice="only_stop_words")

    window = min(request.page * request.per_page, MAX_RESULT_WINDOW)
    ranking = _ranking(searcher, prepared, sort, window, request.with_forms)
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
    hits = _hits(searcher, ranking.ranked[first:window], scores, terms, ranking.missing)
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
        notice="partial_match" if ranking.partial else None,
        timeline=timeline,
        forms=ranking.forms,
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
        "forms": [asdict(word) for word in result.forms],
    }
