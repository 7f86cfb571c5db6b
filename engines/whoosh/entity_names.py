"""The form each entity facet shows: for each merged key, the written form most articles use."""

from __future__ import annotations

from whoosh.searching import Searcher

from engines.whoosh.caches import searcher_memo
from engines.whoosh.schema import ENTITY_FACETS, FORM_SEPARATOR, term_text


def _read(searcher: Searcher) -> dict[str, dict[str, str]]:
    reader = searcher.reader()
    shown: dict[str, dict[str, str]] = {}
    for kind in ENTITY_FACETS:
        best: dict[str, tuple[int, str]] = {}
        field = f"{kind}_form"
        if field in searcher.schema:
            for term in reader.lexicon(field):
                key, _, form = term_text(term).partition(FORM_SEPARATOR)
                articles = reader.doc_frequency(field, term)
                # Most articles first; ties: the longer form, then the first in order.
                if key not in best or (articles, len(form)) > (best[key][0], len(best[key][1])):
                    best[key] = (articles, form)
        shown[kind] = {key: form for key, (_articles, form) in best.items()}
    return shown


def entity_names(searcher: Searcher) -> dict[str, dict[str, str]]:
    """entity type → key → form shown, read once per build."""
    return searcher_memo(searcher, "entity_names", _read)


def shown_counts(searcher: Searcher, facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Facet counts with entity keys replaced by the forms they are shown as."""
    names = entity_names(searcher)
    return {name: ({names[name].get(key, key): count for key, count in counts.items()} if name in names else counts)
            for name, counts in facets.items()}
