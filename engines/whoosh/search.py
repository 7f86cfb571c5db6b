"""Run a search on a Whoosh searcher: filters, the matching plan, the ranking and the counts, cached per searcher.

engines/whoosh/engine.py turns an EngineQuery into a PreparedSearch here and the
Ranking back into an EngineResult; search/ never sees a Whoosh object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from itertools import chain

from whoosh import collectors, query
from whoosh.searching import Searcher

from engines.base import EngineQuery, WordForms
from engines.query import describe
from engines.whoosh.caches import searcher_lru
from engines.whoosh.compile import ParsedQuery, check_expansions, compile_plan, date_range
from engines.whoosh.doc_values import doc_values
from engines.whoosh.forms import word_forms
from engines.whoosh.schema import ENTITY_FACETS, FACET_FIELDS
from indexer.entities import entity_key


def _and(queries: list[query.Query]) -> query.Query | None:
    return query.And(queries) if queries else None


FILTER_FIELDS = {**FACET_FIELDS, "story": "story"}


def facet_filter(name: str, values: tuple[str, ...]) -> query.Query:
    """Several values of one facet combine with OR; an entity is found by its merged key, whatever its form."""
    column = FILTER_FIELDS[name]
    if name in ENTITY_FACETS:
        values = tuple(entity_key(value) for value in values)
    return query.Or([query.Term(column, value) for value in values])


def added_until(day: str) -> query.Query:
    """Articles that had entered the index by the end of `day` (YYYY-MM-DD, UTC)."""
    return query.TermRange("added", None, f"{day}T23:59:59")


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
    """An EngineQuery turned into Whoosh queries and filters, shared by search, exports and feeds."""

    parsed: ParsedQuery
    facet_filters: dict[str, query.Query]
    base_filters: list[query.Query]  # filters that are not facets (the date range)
    group_stories: bool = False
    count_stories: bool = False

    @property
    def main_filter(self) -> query.Query | None:
        return _and(self.base_filters + list(self.facet_filters.values()))

    def filter_without(self, facet: str) -> query.Query | None:
        return _and(self.base_filters + [f for name, f in self.facet_filters.items() if name != facet])


def prepare(searcher: Searcher, engine_query: EngineQuery) -> PreparedSearch:
    """Compile the plan and build the filters; raises QuerySyntaxError for a query that would cost too much."""
    parsed = compile_plan(engine_query.plan, searcher.schema)
    if engine_query.plan is not None:
        check_expansions(parsed.whoosh_query, searcher.reader())
    facet_filters = {name: facet_filter(name, values) for name, values in engine_query.filters
                     if values and name in FACET_FIELDS}
    dates = engine_query.date_from or engine_query.date_to
    base = [date_range(engine_query.date_from or None, engine_query.date_to or None)] if dates else []
    # Filters that are not facets (a story's copies) and the date articles entered the index.
    base += [facet_filter(name, values) for name, values in engine_query.filters if values and name not in FACET_FIELDS]
    if engine_query.added_until:
        base.append(added_until(engine_query.added_until))
    return PreparedSearch(parsed, facet_filters, base, engine_query.group_stories, engine_query.count_stories)


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


def ranked_docnums(searcher: Searcher, prepared: PreparedSearch, sort: str, limit: int,
                   allow_partial: bool = True) -> list[int]:
    """Document numbers of the first `limit` hits of a prepared search in `sort` order, no facets."""
    return _match(searcher, prepared, limit, sort, allow_partial)[0].matches.ranked


def _match(searcher: Searcher, prepared: PreparedSearch, window: int, sort: str,
           allow_partial: bool) -> tuple[PlannedMatches, dict[int, list[int]]]:
    """The planned matches of a prepared search, one per story when it groups them; the heads' copies."""
    allow = filter_docs(searcher, prepared.main_filter)
    if not prepared.group_stories:
        return match_planned(searcher, prepared.parsed, allow, window, sort, allow_partial), {}
    planned = match_planned(searcher, prepared.parsed, allow, window + grouping_margin(searcher), sort, allow_partial)
    return _grouped(searcher, prepared, planned, window, sort, allow_partial)


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
    copies: dict[int, list[int]] = field(default_factory=dict)  # ranked story head → its other matching copies


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

    def count(column, docnums) -> dict[str, int]:
        return column.count_stories(values.story, docnums) if prepared.count_stories else column.count(docnums)

    facets = {name: count(column, matched) for name, column in values.facets.items() if name not in prepared.facet_filters}
    if prepared.facet_filters:
        base_docs = _planned_docs(searcher, prepared, filter_docs(searcher, _and(prepared.base_filters)), minimum)
        for name in prepared.facet_filters:
            others = filter_docs(searcher, prepared.filter_without(name))
            facets[name] = count(values.facets[name], base_docs & others if others is not None else base_docs)
    return Counts(facets, count(values.month, matched))


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
            with_forms, prepared.group_stories, prepared.count_stories)


def ranking(searcher: Searcher, prepared: PreparedSearch, sort: str, window: int, with_forms: bool,
            allow_partial: bool = True) -> Ranking:
    """The query's ranking, cached on the searcher, as Solr's query result cache does.

    Researchers page through, re-sort and come back to the same searches; the
    cache holds the ranking and the counts, never the snippets, which are cheap
    to rebuild and depend on the page.
    """
    cache = searcher_lru(searcher, "rankings", RANKING_CACHE_SIZE)
    key = (*ranking_key(prepared, sort, window, with_forms), allow_partial)
    cached = cache.get(key)
    if cached is not None:
        return cached
    planned, copies = _match(searcher, prepared, window, sort, allow_partial)
    matches, words_held = planned.matches, planned.words_held
    missing: dict[int, tuple[str, ...]] = {}
    if words_held is not None:
        words = prepared.parsed.words
        missing = {d: lacking for d in matches.ranked if (lacking := words_held.missing(d, words))}
    counts = _counts(searcher, prepared, matches.docnums, planned.minimum)
    tree = prepared.parsed.tree
    forms = word_forms(searcher, tree, matches.docnums) if with_forms and tree is not None else []
    total = len(matches.docnums) - sum(map(len, copies.values()))  # one per story when grouped
    ranked_copies = {d: copies[d] for d in matches.ranked if d in copies}
    return cache.put(key, Ranking(total, matches.ranked, matches.scores, counts, missing, planned.partial, forms,
                                  ranked_copies))


MAX_GROUPING_MARGIN = 1_000


def grouping_margin(searcher: Searcher) -> int:
    """How many more hits a grouped ranking asks for: at most this many copies can be left out of it."""
    return min(MAX_GROUPING_MARGIN, doc_values(searcher).copies_at_most)


def _grouped(searcher: Searcher, prepared: PreparedSearch, planned: PlannedMatches, window: int, sort: str,
             allow_partial: bool) -> tuple[PlannedMatches, dict[int, list[int]]]:
    """The planned matches ranked one per story: each story's earliest matching copy stands for it.

    Counts still see every matching copy (`docnums` is unchanged); only the
    ranking leaves the other copies out. `planned` was ranked `grouping_margin`
    deeper than the window, so dropping the copies still fills it (scores do
    not depend on which other articles match); only beyond MAX_GROUPING_MARGIN
    copies does the ranking run again among the heads.
    """
    matched = planned.matches.docnums
    heads = doc_values(searcher).story_heads(matched)
    hidden = set().union(*heads.values())
    kept = [i for i, d in enumerate(planned.matches.ranked) if d not in hidden]
    if len(kept) >= min(window, len(matched) - len(hidden)):
        scores = planned.matches.scores
        matches = Matches(matched, [planned.matches.ranked[i] for i in kept[:window]],
                          [scores[i] for i in kept[:window]] if scores else None)
    else:
        regrouped = match_planned(searcher, prepared.parsed, set(matched) - hidden, window, sort, allow_partial)
        matches = Matches(matched, regrouped.matches.ranked, regrouped.matches.scores)
    return PlannedMatches(matches, planned.words_held, planned.minimum, planned.partial), heads
