"""“Did you mean”: respell the query's unknown words from the raw words of the index.

Works on the raw words of the `exact` field, not on stems, so `souverainté`
becomes `souveraineté`. Edit distances are computed by rapidfuzz in C++: Whoosh's
corrector computes them in Python for every indexed word sharing the first
letter, about 90 ms per unknown word on 34k articles.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA
from whoosh.searching import Searcher

from indexer.analysis import query_term, word_spans
from indexer.schema import term_text
from indexer.stopwords import FRENCH_STOP_WORDS
from webui.searcher_cache import searcher_memo

SPELLING_FIELD = "exact"
MIN_WORD_LENGTH = 3


@dataclass(frozen=True)
class Suggestion:
    text: str


def _unknown_words(query_text: str, searcher: Searcher) -> Iterator[str]:
    """Plain words of the query that match nothing in the index, in any form."""
    reader = searcher.reader()
    for start, end, word in word_spans(query_text):
        attached = query_text[end : end + 1] in ("*", "?", ":") or query_text[start - 1 : start] == ":"
        if attached or len(word) < MIN_WORD_LENGTH or word in FRENCH_STOP_WORDS or word.isdigit():
            continue
        if reader.doc_frequency("text", query_term(word)) == 0 and reader.doc_frequency(SPELLING_FIELD, word) == 0:
            yield word


def _read_words_by_initial(searcher: Searcher) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for term in searcher.reader().lexicon(SPELLING_FIELD):
        word = term_text(term)
        grouped[word[:1]].append(word)
    return dict(grouped)


def _words_by_initial(searcher: Searcher) -> dict[str, list[str]]:
    """The raw indexed words grouped by first letter, read once per searcher."""
    return searcher_memo(searcher, "spelling_words", _read_words_by_initial)


def closest_word(word: str, searcher: Searcher) -> str | None:
    """The indexed word nearest to `word`, sharing its first letter, or None.

    One edit beats two (`malli` is one edit from `mali`, two from the commoner
    `mardi`); among equally near words the most frequent wins, as in Whoosh's
    corrector. Distances are optimal string alignment, as Whoosh's.
    """
    candidates = _words_by_initial(searcher).get(word[:1], [])
    reader = searcher.reader()
    for max_edits in (1, 2):
        near = [found for found, _distance, _index in process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=max_edits, limit=None
        ) if found != word]
        if near:
            return max(near, key=lambda found: (reader.frequency(SPELLING_FIELD, found), found))
    return None


def suggest(query_text: str, searcher: Searcher) -> Suggestion | None:
    """A respelling of the query's unknown words, or None.

    Words that match something (`souverainetés`, `souverainete`) are left alone.
    """
    corrected = query_text
    for word in _unknown_words(query_text, searcher):
        replacement = closest_word(word, searcher)
        if replacement:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
            corrected = pattern.sub(replacement, corrected, count=1)
    return Suggestion(corrected) if corrected != query_text else None
