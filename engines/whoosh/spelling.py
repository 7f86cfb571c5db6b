"""The words of a Whoosh index for “did you mean” (search/spelling.py): known words and the nearest one.

Works on the raw words of the `exact` field, not on stems, so `souverainté`
becomes `souveraineté`. Edit distances are computed by rapidfuzz in C++: Whoosh's
corrector computes them in Python for every indexed word sharing the first
letter, about 90 ms per unknown word on 34k articles.
"""

from __future__ import annotations

from collections import defaultdict

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.searching import Searcher

from indexer.analysis import query_term
from engines.whoosh.schema import term_text
from engines.whoosh.caches import searcher_memo

SPELLING_FIELD = "exact"


def is_known_word(word: str, searcher: Searcher) -> bool:
    """Whether a lowercased raw word matches something: its stem, or the word itself as written."""
    reader = searcher.reader()
    return reader.doc_frequency("text", query_term(word)) > 0 or reader.doc_frequency(SPELLING_FIELD, word) > 0


def _read_words_by_initial(searcher: Searcher) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for term in searcher.reader().lexicon(SPELLING_FIELD):
        word = term_text(term)
        grouped[word[:1]].append(word)
    return dict(grouped)


def words_by_initial(searcher: Searcher) -> dict[str, list[str]]:
    """The raw indexed words grouped by first letter, read once per searcher."""
    return searcher_memo(searcher, "spelling_words", _read_words_by_initial)


def closest_word(word: str, searcher: Searcher) -> str | None:
    """The indexed word nearest to `word`, sharing its first letter, or None.

    One edit beats two (`malli` is one edit from `mali`, two from the commoner
    `mardi`); among equally near words the most frequent wins, as in Whoosh's
    corrector. Distances are optimal string alignment, as Whoosh's.
    """
    candidates = words_by_initial(searcher).get(word[:1], [])
    reader = searcher.reader()
    for max_edits in (1, 2):
        near = [found for found, _distance, _index in process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=max_edits, limit=None
        ) if found != word]
        if near:
            return max(near, key=lambda found: (reader.frequency(SPELLING_FIELD, found), found))
    return None
