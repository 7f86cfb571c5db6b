"""The index terms a Whoosh query matched, for marking words in snippets and pages (engines.base.MatchTerms)."""

from __future__ import annotations

from whoosh import query
from whoosh.reading import IndexReader

from engines.base import MatchTerms
from engines.whoosh.schema import term_text

STEMMED_FIELDS = ("title", "text")
EXACT_FIELD = "exact"
MAX_EXPANDED_TERMS = 500


def _positive_leaves(node: query.Query):
    """Leaves of the query tree that are not under a NOT: excluded words are not marked."""
    if isinstance(node, query.Not):
        return
    if isinstance(node, query.AndNot):
        yield from _positive_leaves(node.a)
        return
    if node.is_leaf():
        yield node
        return
    for child in node.children():
        yield from _positive_leaves(child)


def match_terms(whoosh_query: query.Query, reader: IndexReader) -> MatchTerms:
    """The terms of the query's positive leaves, prefixes expanded against the index."""
    stems: set[str] = set()
    exact: set[str] = set()
    for leaf in _positive_leaves(whoosh_query):
        # Prefixes and wildcards report no terms of their own until expanded.
        expandable = leaf.has_terms() or isinstance(leaf, query.MultiTerm)
        terms = leaf.expanded_terms(reader, phrases=True) if expandable else ()
        for count, (fieldname, term) in enumerate(terms):
            if count >= MAX_EXPANDED_TERMS:
                break
            if fieldname in STEMMED_FIELDS:
                stems.add(term_text(term))
            elif fieldname == EXACT_FIELD:
                exact.add(term_text(term))
    return MatchTerms(frozenset(stems), frozenset(exact))
