"""The engine seam: what a search backend must provide to serve every page, API route and CLI command.

search/ speaks to an Engine only through these records, so Whoosh (the embedded
default, engines/whoosh/) and SolrCloud (engines/solr/) answer the same
SearchRequest alike. Articles cross the seam as plain dicts with the keys of
ARTICLE_FIELDS (`published` is YYYY-MM-DD or None, `tags` a list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from engines.query import MatchPlan
from indexer.analysis import index_variants, word_spans
from indexer.errors import LoupeError

ARTICLE_FIELDS = ("id", "title", "summary", "body", "url", "source", "author", "published", "section", "tags",
                  "origin", "language", "collection", "content_hash", "added", "story", "entities")
# Filters that are not facets: `story` (one story's copies, the link behind « repris par N autres sources »).
FILTERS = ("story",)
MAX_COPIES_LISTED = 20  # copies of a story listed under its hit
# Facets a researcher can filter and count on; `tag` and the entities are multi-valued
# (an article counts under each of its tags, people, places, organisations).
FACETS = ("source", "author", "section", "tag", "year", "person", "place", "org")
MULTI_VALUED_FACETS = frozenset({"tag", "person", "place", "org"})
SORTS = ("relevance", "date", "-date")

Article = dict  # keys of ARTICLE_FIELDS


def stored_article(stored, tags: list[str], entities: list | None = None) -> Article:
    """An engine's stored fields (the same names in both: `date` for published) as the Article of the seam;
    `tags` and `entities` ([[type, key, form], …]) decoded by the engine, which stores them its own way."""
    decoded = {"id": stored["id"], "published": stored.get("date") or None, "tags": tags, "entities": entities or []}
    return {name: decoded[name] if name in decoded else stored.get(name, "") for name in ARTICLE_FIELDS}


def shown_entity_counts(facets: dict[str, dict[str, int]],
                        names: dict[str, dict[str, str]]) -> dict[str, dict[str, int]]:
    """Facet counts with entity keys replaced by the forms they are shown as (`names`: type → key → form)."""
    return {name: ({names[name].get(key, key): count for key, count in counts.items()} if name in names else counts)
            for name, counts in facets.items()}


class EngineUnavailable(LoupeError):
    """The engine cannot answer (not configured, not reachable); the message says what to do."""

    code = "engine_unavailable"
    http_status = 503
    for_operators = True  # it names the nodes tried and the command to start them


@dataclass(frozen=True)
class MatchTerms:
    """The index terms a query matched: stems (title/text) and exact word forms.

    Both engines index Loupe's own analysis (indexer/analysis.py), so a written
    word is marked when one of its indexed variants is among the stems.
    """

    stems: frozenset[str]
    exact: frozenset[str]
    # Written forms already tested: a page of hits repeats most of its words.
    _tested_forms: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact)

    def matches(self, word: str) -> bool:
        if word in self.exact:
            return True
        return bool(self.stems) and not self.stems.isdisjoint(index_variants(word))

    def matches_form(self, form: str) -> bool:
        """Whether a written word as WORD_RE finds it (`l’État`, elision included) is one the query matched."""
        tested = self._tested_forms.get(form)
        if tested is None:
            tested = self._tested_forms[form] = any(self.matches(word) for _start, _end, word in word_spans(form))
        return tested


NO_TERMS = MatchTerms(frozenset(), frozenset())


@dataclass(frozen=True)
class EngineQuery:
    """A search as an engine runs it: the matching plan, the filters, the order and how many hits."""

    plan: MatchPlan | None  # None: every article (the empty box)
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, values): OR inside a facet, AND across
    date_from: str = ""  # checked YYYY[-MM[-DD]], inclusive
    date_to: str = ""
    sort: str = "relevance"
    limit: int = 10  # the first `limit` hits in order (the page's offset is applied by search/)
    with_counts: bool = True  # facet and month counts over every match
    with_forms: bool = False  # written forms of each query word in the matches
    allow_partial: bool = True  # fall back to articles holding any word when too few hold enough
    group_stories: bool = False  # one hit per story (its earliest matching copy), `total` counts stories
    count_stories: bool = False  # facet, month and period counts count each story once
    added_until: str = ""  # YYYY-MM-DD: only articles that had entered the index by the end of that day (UTC)


@dataclass(frozen=True)
class FormCount:
    form: str
    count: int  # matching articles holding this form


@dataclass(frozen=True)
class WordForms:
    word: str  # as the researcher typed it
    forms: list[FormCount]


@dataclass(frozen=True)
class EngineResult:
    """What an engine found: the total, the first hits in order, counts over every match."""

    total: int
    articles: list[Article]
    scores: list[float] | None  # with `articles`, for a relevance sort
    missing: list[tuple[str, ...]]  # with `articles`: the query words each lacks
    partial: bool  # no article holds every word: these hold the most
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # facet → value → count
    months: dict[str, int] = field(default_factory=dict)  # YYYY-MM → count
    forms: list[WordForms] = field(default_factory=list)
    terms: MatchTerms | None = None  # what the query matched, for marking words
    # With group_stories, per article: how many other matching copies its story has, and the first of them.
    copy_counts: list[int] = field(default_factory=list)
    copies: list[list[Article]] = field(default_factory=list)


@dataclass(frozen=True)
class PeriodCounts:
    """Matching articles per (period, source), for trends."""

    counts: dict[tuple[str, str], int]


class Engine(Protocol):
    """The read side of a backend."""

    name: str

    def search(self, query: EngineQuery) -> EngineResult: ...

    def check(self, plan: MatchPlan | None) -> None:
        """Raise QuerySyntaxError when the query would cost too much (a prefix standing for thousands of words)."""

    def ranked(self, query: EngineQuery) -> list[Article]:
        """The first `query.limit` matching articles in order, without counts (exports, feeds, concordance)."""

    def document(self, doc_id: str) -> Article | None: ...

    def similar(self, doc_id: str, count: int) -> list[Article] | None: ...

    def match_terms(self, plan: MatchPlan | None) -> MatchTerms:
        """The terms the plan's words search for (prefixes expanded), for marking them."""

    def counts_by_period(self, query: EngineQuery, interval: str) -> PeriodCounts: ...

    def is_known_word(self, word: str) -> bool:
        """Whether a raw word (lowercased) matches something in the index, in any form."""

    def closest_word(self, word: str) -> str | None:
        """The indexed raw word nearest to `word` (one or two edits), or None."""

    def stats(self) -> dict: ...

    def health(self) -> dict:
        """{"status": "ok" | "degraded", "documents": N, "last_update": ..., ...}; raises IndexMissing/IndexCorrupt."""

    def documents_per_collection(self) -> dict[str, int]: ...

    def deletions(self) -> dict[str, int]:
        """UTC day (YYYY-MM-DD) → articles indexing runs took out of the index that day."""

    def warm(self) -> None:
        """Build per-index state (value columns, word lists) now, not in a user's request."""
