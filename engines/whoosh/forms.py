"""Which written forms of each query word the results hold, and in how many articles.

Stemming and folding let `souverainete` find `souveraineté`, `souverainetés` and
`Souveraineté` alike; a researcher who cites a count must see what was counted.
For each query word this lists the forms found in the matching articles, most
frequent first (`souveraineté 1 204 · souverainetés 88 · souverainete 37`), each
one a link to the same search with that exact form.

A written form (a word of the `exact` field: lowercased, accents kept) belongs to
a query word when one of the terms it is indexed under is a term the query word
searches for; the map from terms to forms is read once per searcher.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Collection

from whoosh import query
from whoosh.searching import Searcher

from indexer.analysis import index_variants, query_term, word_spans
from engines.whoosh.schema import term_text
from indexer.stopwords import FRENCH_STOP_WORDS
from engines import query as qt
from engines.base import FormCount, WordForms
from engines.whoosh.compile import compile_node
from engines.whoosh.caches import searcher_memo

FORMS_PER_WORD = 8
MAX_QUERY_WORDS = 8
MAX_PATTERN_TERMS = 200
_STEMMED_FIELDS = (None, "title", "text")


def _read_forms_by_term(searcher: Searcher) -> dict[str, tuple[str, ...]]:
    forms: dict[str, list[str]] = defaultdict(list)
    for term in searcher.reader().lexicon("exact"):
        word = term_text(term)
        for variant in index_variants(word):
            forms[variant].append(word)
    return {term: tuple(words) for term, words in forms.items()}


def forms_by_term(searcher: Searcher) -> dict[str, tuple[str, ...]]:
    """Index term → the written forms indexed under it, read once per searcher."""
    return searcher_memo(searcher, "forms_by_term", _read_forms_by_term)


def _query_words(tree: qt.Node) -> list[tuple[str, tuple[str, ...] | qt.Pattern]]:
    """(typed word, the terms it searches) for each positive word of the stemmed fields, once each."""
    words: list[tuple[str, tuple[str, ...] | qt.Pattern]] = []
    seen: set = set()
    for leaf in qt.leaves(tree, positive_only=True):
        if getattr(leaf, "field", "") not in _STEMMED_FIELDS:
            continue
        if isinstance(leaf, qt.Pattern):
            entries = [(leaf.text, qt.Pattern(leaf.text, "text"))]
        elif isinstance(leaf, (qt.Word, qt.Phrase)):
            entries = [(leaf.text[start:end], (query_term(word),))
                       for start, end, word in word_spans(leaf.text) if word not in FRENCH_STOP_WORDS]
        else:
            continue
        for typed, terms in entries:
            key = terms if isinstance(terms, tuple) else terms.text
            if key not in seen:
                seen.add(key)
                words.append((typed, terms))
    return words[:MAX_QUERY_WORDS]


def _pattern_terms(searcher: Searcher, pattern: qt.Pattern) -> tuple[str, ...]:
    compiled = compile_node(pattern, searcher.schema)
    leaves = [compiled] if compiled.is_leaf() else compiled.leaves()
    terms = []
    for leaf in leaves:
        if isinstance(leaf, query.MultiTerm):
            terms += [term_text(t) for t in itertools.islice(leaf._btexts(searcher.reader()), MAX_PATTERN_TERMS)]
    return tuple(terms)


# Below this ratio of matches to a form's postings, skipping to each match reads fewer blocks.
SKIP_RATIO = 8


def _count_in(reader, form: str, matched: set[int], ordered: list[int]) -> int:
    """How many of `matched` hold `form` in the exact field."""
    postings = reader.postings("exact", form)
    if not postings.is_active():
        return 0
    if len(ordered) * SKIP_RATIO >= reader.doc_frequency("exact", form):
        return sum(1 for docnum in postings.all_ids() if docnum in matched)
    count = 0
    for docnum in ordered:
        if postings.id() < docnum:
            postings.skip_to(docnum)
            if not postings.is_active():
                break
        if postings.id() == docnum:
            count += 1
    return count


def word_forms(searcher: Searcher, tree: qt.Node, matched: Collection[int]) -> list[WordForms]:
    """For each query word, its written forms found in `matched`, most frequent first."""
    matched = matched if isinstance(matched, (set, frozenset)) else set(matched)
    if not matched:
        return []
    ordered = sorted(matched)
    by_term = forms_by_term(searcher)
    reader = searcher.reader()
    found = []
    for typed, terms in _query_words(tree):
        if isinstance(terms, qt.Pattern):
            terms = _pattern_terms(searcher, terms)
        forms = sorted({form for term in terms for form in by_term.get(term, ())})
        counts = []
        for form in forms:
            count = _count_in(reader, form, matched, ordered)
            if count:
                counts.append(FormCount(form, count))
        counts.sort(key=lambda fc: (-fc.count, fc.form))
        if counts:
            found.append(WordForms(typed, counts[:FORMS_PER_WORD]))
    return found
