"""The form each entity facet shows: for each merged key, the written form most articles use."""

from __future__ import annotations

from whoosh.searching import Searcher

from engines.base import shown_entity_counts
from engines.whoosh.caches import searcher_memo
from engines.whoosh.schema import ENTITY_FACETS, term_text
from indexer.entities import most_used_forms


def _read(searcher: Searcher) -> dict[str, dict[str, str]]:
    reader = searcher.reader()
    fields = {kind: f"{kind}_form" for kind in ENTITY_FACETS}
    return {kind: most_used_forms((term_text(term), reader.doc_frequency(field, term)) for term in reader.lexicon(field))
            if field in searcher.schema else {} for kind, field in fields.items()}


def entity_names(searcher: Searcher) -> dict[str, dict[str, str]]:
    """entity type → key → form shown, read once per build."""
    return searcher_memo(searcher, "entity_names", _read)


def shown_counts(searcher: Searcher, facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Facet counts with entity keys replaced by the forms they are shown as."""
    return shown_entity_counts(facets, entity_names(searcher))
