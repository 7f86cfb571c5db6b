"""“Did you mean”: respell the query's unknown words from the raw words of the index.

Works on raw words, not stems, so `souverainté` becomes `souveraineté`. The
engine knows its words (Engine.is_known_word, Engine.closest_word); this module
knows which words of the text to try and how to put the respelling back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from engines.base import Engine
from indexer.analysis import word_spans
from indexer.stopwords import FRENCH_STOP_WORDS

MIN_WORD_LENGTH = 3
# Operators are syntax, not words to respell (search/query_parser.py).
OPERATORS = frozenset({"AND", "ET", "OR", "OU", "NOT", "SAUF", "ANDNOT", "NEAR", "PROCHE"})


@dataclass(frozen=True)
class Suggestion:
    text: str


def _unknown_words(query_text: str, engine: Engine) -> Iterator[str]:
    """Plain words of the query that match nothing in the index, in any form."""
    for start, end, word in word_spans(query_text):
        attached = query_text[end : end + 1] in ("*", "?", ":") or query_text[start - 1 : start] == ":"
        if query_text[start:end] in OPERATORS:
            continue
        if attached or len(word) < MIN_WORD_LENGTH or word in FRENCH_STOP_WORDS or word.isdigit():
            continue
        if not engine.is_known_word(word):
            yield word


def suggest(query_text: str, engine: Engine) -> Suggestion | None:
    """A respelling of the query's unknown words, or None.

    Words that match something (`souverainetés`, `souverainete`) are left alone.
    """
    corrected = query_text
    for word in _unknown_words(query_text, engine):
        replacement = engine.closest_word(word)
        if replacement:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)
            corrected = pattern.sub(replacement, corrected, count=1)
    return Suggestion(corrected) if corrected != query_text else None
