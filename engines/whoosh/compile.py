"""Compile the engine-neutral query tree and matching plan into Whoosh queries, with the index's own analyzers.

search/query_parser.py reads the text; search/matching.py decides which words are
required. Here each node becomes the Whoosh query of the fields it searches: a
plain word is an OR over title (boosted) and text, a date range is whole years
and months as single terms, a prefix is folded like the field it searches.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from dataclasses import dataclass

from whoosh import query
from whoosh.fields import Schema
from whoosh.query import spans

from engines import query as qt
from engines.dates import check_date_value, first_day, last_day
from engines.query import MatchPlan, QuerySyntaxError
from engines.whoosh.schema import DEFAULT_SEARCH_FIELDS
from indexer.analysis import fold, strip_elision

MAX_QUERY_TERMS = 64
# A `prefix*` costs about its number of words times its number of postings:
# `con*` (705 words, 113k postings) took 3.8 s on 34k articles, `sec*` (66, 19k) 0.4 s.
# Sorts after any digit or "-", so "2019-06" + this bounds every day of June 2019.
_END_OF_PERIOD = "~"
MAX_DECOMPOSED_YEARS = 200

# A plain word also scores the articles holding it exactly as typed (accents and
# ending kept), a little: stemming finds `élections` for `élection`, but the form
# typed is the better evidence. Known-item MRR@10 on 10,000 articles, exact boost
# 0 → 0.4: plain queries 0.936 → 0.939, questions 0.941 → 0.947; 1.0 cost inflected
# queries 0.01.
EXACT_FIELD = "exact"
EXACT_FORM_BOOST = 0.4

# Fields whose words are folded at index time, so a prefix must be folded too.
_FOLDED_FIELDS = {"title", "text", "author", "source", "section", "tags", "person", "place", "org"}


@dataclass(frozen=True)
class ParsedQuery:
    """A query compiled for Whoosh.

    `whoosh_query` requires every clause and word (what highlighting marks and
    what a search with few words runs); `required`, `optional` and `minimum`
    are the same query split by the matching plan, for long queries and the
    partial fallback.
    """

    whoosh_query: query.Query
    required: query.Query | None = None
    optional: tuple[query.Query, ...] = ()
    words: tuple[str, ...] = ()
    minimum: int = 0
    tree: qt.Node | None = None  # what the researcher asked for, engine-neutral

    @property
    def needs_counting(self) -> bool:
        """Whether matching depends on how many of the words an article holds."""
        return bool(self.optional) and self.minimum < len(self.optional)

    @property
    def scoring_query(self) -> query.Query:
        """Required clauses and any of the words: scores every article the plan may let through."""
        if not self.optional:
            return self.whoosh_query
        words = self.optional[0] if len(self.optional) == 1 else query.Or(list(self.optional))
        return words if self.required is None else query.And([self.required, words])


def _date_periods(low: date, high: date) -> list[query.Query]:
    """Whole years and months as single terms, the ragged ends as day ranges.

    A range of days is an OR of every day indexed in it; `2019 → 2020` as two
    year terms is what makes a filtered search cheap.
    """
    parts: list[query.Query] = []
    cursor = low
    while cursor <= high:
        year_end = date(cursor.year, 12, 31)
        month_end = last_day(cursor.isoformat()[:7])
        if cursor.month == 1 and cursor.day == 1 and year_end <= high:
            parts.append(query.Term("year", str(cursor.year)))
            cursor = year_end
        elif cursor.day == 1 and month_end <= high:
            parts.append(query.Term("month", cursor.isoformat()[:7]))
            cursor = month_end
        else:
            until = min(month_end, high)
            parts.append(query.TermRange("date", cursor.isoformat(), until.isoformat()))
            cursor = until
        if cursor == date.max:
            break
        cursor += timedelta(days=1)
    return parts


def date_query(low: str | None, high: str | None) -> query.Query:
    """Published from `low` to `high` inclusive (checked YYYY[-MM[-DD]] or None)."""
    if low and high:
        first, last = first_day(low), last_day(high)
        if last < first:
            return query.NullQuery
        if last.year - first.year <= MAX_DECOMPOSED_YEARS:
            parts = _date_periods(first, last)
            return parts[0] if len(parts) == 1 else query.Or(parts)
    return query.TermRange("date", low, high + _END_OF_PERIOD if high else None)


def date_range(start: str | None, end: str | None) -> query.Query:
    """Documents published from `start` to `end` inclusive (each YYYY[-MM[-DD]] or None)."""
    low = check_date_value(start, "date_from") if start else None
    high = check_date_value(end, "date_to") if end else None
    return date_query(low, high)


def _fields(field: str | None) -> dict[str, float]:
    return DEFAULT_SEARCH_FIELDS if field is None else {field: 1.0}


def _any_field(queries: list[query.Query]) -> query.Query | None:
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else query.Or(queries)


def _analyzed(schema: Schema, field: str, text: str) -> list[str]:
    return [token.text for token in schema[field].analyzer(text, mode="query")]


def _terms_query(field: str, words: list[str], boost: float, slop: int = 0) -> query.Query | None:
    if not words:
        return None
    if len(words) == 1:
        return query.Term(field, words[0], boost=boost)
    # Whoosh's slop counts positions: 1 is adjacent.
    return query.Phrase(field, words, slop=slop + 1, boost=boost)


def _word(schema: Schema, node: qt.Word | qt.Phrase) -> query.Query | None:
    slop = node.slop if isinstance(node, qt.Phrase) else 0
    queries = [
        _terms_query(field, _analyzed(schema, field, node.text), boost, slop)
        for field, boost in _fields(node.field).items()
    ]
    if node.field is None and isinstance(node, qt.Word) and queries[0] is not None:
        exact = _analyzed(schema, EXACT_FIELD, node.text)
        if len(exact) == 1:
            queries.append(query.Term(EXACT_FIELD, exact[0], boost=EXACT_FORM_BOOST))
    return _any_field(queries)


def _pattern(node: qt.Pattern) -> query.Query:
    queries = []
    for field, boost in _fields(node.field).items():
        text = strip_elision(node.text).lower().replace("’", "'")
        if field in _FOLDED_FIELDS:
            text = fold(text)
        if node.is_prefix:
            queries.append(query.Prefix(field, text[:-1], boost=boost))
        else:
            queries.append(query.Wildcard(field, text, boost=boost))
    return _any_field(queries)


def _near(schema: Schema, node: qt.Near) -> query.Query | None:
    queries = []
    for field, boost in DEFAULT_SEARCH_FIELDS.items():
        parts = []
        for child in node.children:
            compiled = _pattern(qt.Pattern(child.text, field)) if isinstance(child, qt.Pattern) else \
                _terms_query(field, _analyzed(schema, field, child.text), 1.0, getattr(child, "slop", 0))
            if compiled is None:
                break
            parts.append(compiled)
        else:
            queries.append(spans.SpanNear2(parts, slop=node.distance, ordered=False))
    return _any_field(queries)


def compile_node(node: qt.Node, schema: Schema) -> query.Query | None:
    """The Whoosh query of one node; None when it holds only stop words."""
    if isinstance(node, (qt.Word, qt.Phrase)):
        return _word(schema, node)
    if isinstance(node, qt.Pattern):
        return _pattern(node)
    if isinstance(node, qt.Near):
        return _near(schema, node)
    if isinstance(node, qt.DateRange):
        return date_query(node.low, node.high)
    if isinstance(node, qt.Everything):
        return query.Every()
    if isinstance(node, qt.Not):
        child = compile_node(node.child, schema)
        return query.Not(child) if child is not None else None
    children = [c for c in (compile_node(child, schema) for child in node.children) if c is not None]
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return query.And(children) if isinstance(node, qt.And) else query.Or(children)


def _all_of(queries: list[query.Query]) -> query.Query | None:
    queries = [q for q in queries if q is not None]
    if not queries:
        return None
    return (queries[0] if len(queries) == 1 else query.And(queries)).normalize()


def _count_terms(node: query.Query) -> int:
    return 1 if node.is_leaf() else sum(_count_terms(child) for child in node.children())


def check_expansions(whoosh_query: query.Query, reader) -> None:
    """Refuse wildcards that stand for too many words, each or all together (per field): they would take seconds."""
    leaves = [whoosh_query] if whoosh_query.is_leaf() else whoosh_query.leaves()
    budgets: dict[str, qt.ExpansionBudget] = {}
    for leaf in leaves:
        if isinstance(leaf, query.MultiTerm) and leaf.fieldname != "date":
            words = list(itertools.islice(leaf._btexts(reader), qt.MAX_EXPANDED_WORDS + 1))
            postings = sum(reader.doc_frequency(leaf.fieldname, word) for word in words)
            budgets.setdefault(leaf.fieldname, qt.ExpansionBudget()).spend(leaf.text, len(words), postings)


EVERYTHING = ParsedQuery(query.Every())


def compile_plan(match_plan: MatchPlan | None, schema: Schema) -> ParsedQuery:
    """The Whoosh queries of a plan (None: every article); raises QuerySyntaxError past MAX_QUERY_TERMS."""
    if match_plan is None:
        return EVERYTHING
    required = _all_of([compile_node(node, schema) for node in match_plan.required])
    optional = tuple(q for q in (compile_node(word, schema) for word in match_plan.optional) if q is not None)
    whoosh_query = _all_of([required, *optional])
    if whoosh_query is None:
        return ParsedQuery(query.NullQuery, tree=match_plan.tree)
    if _count_terms(whoosh_query) > MAX_QUERY_TERMS:
        raise QuerySyntaxError(f"query has more than {MAX_QUERY_TERMS} terms; use fewer words")
    words = match_plan.words if len(optional) == len(match_plan.optional) else ()
    minimum = match_plan.minimum if words else len(optional)
    return ParsedQuery(whoosh_query, required, optional, words, minimum, match_plan.tree)
