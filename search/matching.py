"""How many of a query's words an article must hold: all for keywords, most for questions and sentences.

A query is read as clauses joined by AND. Its *content words* are the plain words
searched in the default fields (not phrases, fields, dates, exclusions or groups,
which stay required as written), once each, without stop words and question words.
The rule, in the spirit of Lucene's `mm` / Elasticsearch's `minimum_should_match`
written `3<50%`:

  up to 3 content words   all are required (keyword search)
  4 or more               half of them, rounded down (4 → 2, 5 → 2, 6 → 3, 9 → 4, 12 → 6)

Articles holding every word rank first, then the others by relevance. When no
article holds enough of them, the search falls back to articles holding any of
them; whenever none holds them all, the result says so (`partial_match`), and
every hit says which words it lacks.

Why half: a question's words are often not the answer's (`tombé`, `étaient`,
`2020`). On the benchmark's 214 questions (bench/questions.json, 10,000 articles),
75 % kept the answer out of the top ten for one question in eight (MRR@10 0.918),
half lost nothing against any word (0.941), while ranking the articles holding
every word first kept the long known-item queries at 0.959 (0.934 without).
"""

from __future__ import annotations

from indexer.analysis import query_term, word_spans
from indexer.stopwords import FRENCH_STOP_WORDS
from engines.query import And, MatchPlan, Node, Pattern, Word
from search.question_words import is_question_word, without_inversion

ALL_REQUIRED_UP_TO = 3
SHARE_REQUIRED = 0.5


def minimum_should_match(words: int) -> int:
    """How many of `words` content words an article must hold (`3<50%`)."""
    if words <= ALL_REQUIRED_UP_TO:
        return words
    return int(words * SHARE_REQUIRED)


def content_terms(text: str) -> tuple[str, ...]:
    """The search terms a typed word stands for: stop words gone, each word folded and stemmed."""
    return tuple(query_term(word) for _start, _end, word in word_spans(text) if word not in FRENCH_STOP_WORDS)


def _is_content_word(node: Node) -> bool:
    return isinstance(node, (Word, Pattern)) and node.field is None


def _question_reading(words: list[Word | Pattern]) -> list[Word | Pattern]:
    """Without interrogatives and inverted pronouns, unless nothing would be left."""
    kept: list[Word | Pattern] = []
    for word in words:
        if isinstance(word, Word):
            if is_question_word(word.text):
                continue
            verb = without_inversion(word.text)
            if verb == "":
                continue
            if verb is not None:
                word = Word(verb)
        kept.append(word)
    return kept if any(_terms_of(word) for word in kept) else words


def _terms_of(word: Word | Pattern) -> tuple[str, ...]:
    return (word.text.lower(),) if isinstance(word, Pattern) else content_terms(word.text)


def plan(tree: Node) -> MatchPlan:
    """Split a query tree into required clauses and content words, with the `3<50%` rule."""
    clauses = tree.children if isinstance(tree, And) else (tree,)
    required = tuple(clause for clause in clauses if not _is_content_word(clause))
    words = _question_reading([clause for clause in clauses if _is_content_word(clause)])
    optional: list[Word | Pattern] = []
    seen: set[tuple[str, ...]] = set()
    for word in words:
        terms = _terms_of(word)
        if terms and terms not in seen:  # a stop word, or a second spelling of the same word
            seen.add(terms)
            optional.append(word)
    return MatchPlan(required, tuple(optional), minimum_should_match(len(optional)), tree)
