"""Run a search on any engine: read the text, plan the matching, ask the engine, build the hits → SearchResult.

The HTML page, the JSON API, the CLI and the research tools all go through here,
so every engine answers the same SearchRequest the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from engines.base import FACETS, NO_TERMS, Article, Engine, EngineQuery, MatchTerms
from engines.query import DateRange, MatchPlan, Node, Pattern, Phrase, Word, leaves
from search.facets import FacetValue, facet_values
from search.highlight import highlight_marked, sanitise_all, snippet_marked
from search.matching import content_terms, plan
from search.query_parser import parse
from search.request import MAX_RESULT_WINDOW, BadParameter, SearchRequest
from search.results import Hit, SearchResult, article_language, article_metadata
from search.spelling import suggest

_STEMMED_FIELDS = (None, "title", "text")


@dataclass(frozen=True)
class PreparedRequest:
    """A request's text read and planned; `plan` None with `text` means nothing can match."""

    plan: MatchPlan | None
    text: str
    only_stop_words: bool = False

    @property
    def matches_nothing(self) -> bool:
        return bool(self.text) and self.plan is None


def _has_content(tree: Node) -> bool:
    """Whether some positive leaf searches something: not only stop words and punctuation."""
    for leaf in leaves(tree, positive_only=True):
        if isinstance(leaf, (Pattern, DateRange)):
            return True
        if isinstance(leaf, (Word, Phrase)) and (leaf.field not in _STEMMED_FIELDS or content_terms(leaf.text)):
            return True
    return False


def prepare(request: SearchRequest) -> PreparedRequest:
    """Read and plan the query text; raises QuerySyntaxError with what to fix."""
    text = request.query_text.strip()
    if not text:
        return PreparedRequest(None, "")
    parsed = parse(text)
    if parsed.tree is None or not _has_content(parsed.tree):
        return PreparedRequest(None, text, only_stop_words=parsed.had_words)
    return PreparedRequest(plan(parsed.tree), text)


def engine_query(prepared: PreparedRequest, request: SearchRequest, limit: int, **options) -> EngineQuery:
    options = {"group_stories": request.grouped, "count_stories": request.count_stories,
               "added_until": request.asof, **options}
    return EngineQuery(
        plan=prepared.plan, filters=request.filters, date_from=request.date_from, date_to=request.date_to,
        sort=request.effective_sort, limit=limit, **options,
    )


def _copy_summary(article: Article) -> dict:
    metadata = article_metadata(article)
    return {name: metadata[name] for name in ("id", "title", "source", "published", "url")}


def _pinned_counts(engine: Engine, prepared: PreparedRequest, request: SearchRequest, total: int) -> tuple[int, int]:
    """With `asof`: how many matching articles (or stories) entered the index since, and how many articles left it."""
    now = engine.search(engine_query(prepared, request, 1, added_until="", with_counts=False))
    deleted = sum(count for day, count in engine.deletions().items() if day > request.asof)
    return max(0, now.total - total), deleted


def ranked_articles(engine: Engine, request: SearchRequest, limit: int, allow_partial: bool = True) -> list[Article]:
    """The first `limit` articles of a search in its order, without counts: exports, feeds, concordance."""
    prepared = prepare(request)
    if prepared.matches_nothing:
        return []
    return engine.ranked(engine_query(prepared, request, limit, with_counts=False, allow_partial=allow_partial))


def terms_of(engine: Engine, request: SearchRequest) -> MatchTerms:
    """What a request's words match, for marking them; nothing for an empty box."""
    prepared = prepare(request)
    return engine.match_terms(prepared.plan) if prepared.plan is not None and prepared.text else NO_TERMS


def _hits(articles: list[Article], scores: list[float] | None, terms: MatchTerms,
          missing: list[tuple[str, ...]], copy_counts: list[int], copies: list[list[Article]]) -> list[Hit]:
    """The page's hits, their snippets and titles sanitised by bleach in one pass."""
    marked = []
    for article in articles:
        marked.append(snippet_marked([article.get("summary") or "", article.get("body") or ""], terms))
        marked.append(highlight_marked(article.get("title") or "", terms))
    sanitised = iter(sanitise_all(marked))
    return [
        Hit(
            **article_metadata(article),
            score=round(scores[i], 4) if scores else None,
            snippet_html=next(sanitised),
            title_html=next(sanitised),
            missing_words=list(missing[i]) if missing else [],
            language=article_language(article),
            story=article.get("story") or article["id"],
            copies=copy_counts[i] if copy_counts else 0,
            copy_list=[_copy_summary(copy) for copy in copies[i]] if copies else [],
        )
        for i, article in enumerate(articles)
    ]


def _timeline(months: dict[str, int]) -> list[tuple[str, int]]:
    """Matching articles per year, or per month when they span three years or fewer."""
    years: dict[str, int] = {}
    for month, count in months.items():
        years[month[:4]] = years.get(month[:4], 0) + count
    if len(years) <= 3:
        return sorted(months.items())
    return sorted(years.items())


def run_search(engine: Engine, request: SearchRequest) -> SearchResult:
    """Search; raises QuerySyntaxError or BadParameter on bad input."""
    started = time.perf_counter()
    prepared = prepare(request)
    sort = request.effective_sort
    if prepared.matches_nothing:
        return _empty_result(request, sort, started, "only_stop_words" if prepared.only_stop_words else None)

    window = min(request.page * request.per_page, MAX_RESULT_WINDOW)
    found = engine.search(engine_query(prepared, request, window, with_forms=request.with_forms))
    first = (request.page - 1) * request.per_page
    if first < found.total and request.page * request.per_page > MAX_RESULT_WINDOW:
        raise BadParameter(
            f"page {request.page} is too deep: only the first {MAX_RESULT_WINDOW} hits can be paged; narrow the search"
        )

    facets: dict[str, list[FacetValue]] = {}
    facets_more: dict[str, bool] = {}
    for name in FACETS:
        facets[name], facets_more[name] = facet_values(found.facets.get(name, {}), request.selected(name),
                                                       request.facet_limit)
    text = prepared.text
    terms = found.terms if text and found.terms is not None else NO_TERMS
    scores = found.scores[first:window] if sort == "relevance" and text and found.scores else None
    hits = _hits(found.articles[first:window], scores, terms, found.missing[first:window],
                 found.copy_counts[first:window], found.copies[first:window])
    added_since, deleted_since = _pinned_counts(engine, prepared, request, found.total) if request.asof else (0, 0)
    return SearchResult(
        query=request.query_text,
        total=found.total,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        hits=hits,
        facets=facets,
        facets_more=facets_more,
        suggestion=suggest(text, engine) if text else None,
        sort=sort,
        notice="partial_match" if found.partial else None,
        timeline=_timeline(found.months) if request.with_timeline and found.total else [],
        forms=found.forms,
        grouped=request.grouped,
        count_stories=request.count_stories,
        asof=request.asof,
        added_since=added_since,
        deleted_since=deleted_since,
    )


def _empty_result(request: SearchRequest, sort: str, started: float, notice: str | None) -> SearchResult:
    return SearchResult(
        query=request.query_text,
        total=0,
        page=request.page,
        per_page=request.per_page,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
        hits=[],
        facets={name: [] for name in FACETS},
        facets_more={name: False for name in FACETS},
        suggestion=None,
        sort=sort,
        notice=notice,
    )
