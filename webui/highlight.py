"""Highlighted snippets: the best passages of an article with each matched word in <mark>.

A word is marked when one of its indexed forms is a term the query matched, so
`souverainete` marks `souveraineté` and `coopération` marks `coopérations`. The
output is built from escaped text and then sanitised by bleach with <mark> as
the only tag: these `*_html` values are the only ones the templates trust.
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from dataclasses import dataclass

import bleach
from whoosh import query
from whoosh.reading import IndexReader

from indexer.analysis import index_variants, word_spans

STEMMED_FIELDS = ("title", "text")
EXACT_FIELD = "exact"
MAX_EXPANDED_TERMS = 500
SNIPPET_CHARS = 240
MAX_PASSAGES = 2
SNIPPET_SCAN_CHARS = 100_000
MAX_SCANNED_MATCHES = 60


@dataclass(frozen=True)
class MatchTerms:
    """The index terms a query matched: stems (title/text) and exact word forms."""

    stems: frozenset[str]
    exact: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.stems or self.exact)

    def matches(self, word: str) -> bool:
        if word in self.exact:
            return True
        return bool(self.stems) and not self.stems.isdisjoint(index_variants(word))


NO_TERMS = MatchTerms(frozenset(), frozenset())


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


def _as_text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term


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
                stems.add(_as_text(term))
            elif fieldname == EXACT_FIELD:
                exact.add(_as_text(term))
    return MatchTerms(frozenset(stems), frozenset(exact))


def _sanitise(marked_html: str) -> str:
    return bleach.clean(marked_html, tags={"mark"}, attributes={}, strip=True)


def mark_words(text: str, terms: MatchTerms) -> tuple[str, int]:
    """Escaped `text` with matched words in <mark>, and how many words were marked."""
    pieces: list[str] = []
    last = 0
    marked = 0
    for start, end, word in word_spans(text):
        if terms.matches(word):
            pieces.append(html.escape(text[last:start], quote=False))
            pieces.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
            last = end
            marked += 1
    pieces.append(html.escape(text[last:], quote=False))
    return "".join(pieces), marked


def _matched_spans(text: str, terms: MatchTerms) -> list[tuple[int, int, str]]:
    """Matched words, the first MAX_SCANNED_MATCHES only: passages are chosen among them."""
    matched = (span for span in word_spans(text) if terms.matches(span[2]))
    return list(itertools.islice(matched, MAX_SCANNED_MATCHES))


def _window(text: str, center: int, size: int) -> tuple[int, int]:
    """A window of about `size` chars around `center`, cut at word boundaries."""
    start = max(0, center - size // 3)
    end = min(len(text), start + size)
    start = max(0, end - size)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < center else start
    if end < len(text):
        space = text.rfind(" ", center, end)
        end = space if space > center else end
    return start, end


def _best_passages(text: str, spans: list[tuple[int, int, str]], size: int) -> list[tuple[int, int]]:
    """Up to MAX_PASSAGES non-overlapping windows, preferring the most distinct words."""
    scored = []
    for start, _end, _word in spans:
        w_start, w_end = _window(text, start, size)
        inside = {word for s, e, word in spans if s >= w_start and e <= w_end}
        scored.append((-len(inside), w_start, w_end))
    scored.sort()
    chosen: list[tuple[int, int]] = []
    for _score, w_start, w_end in scored:
        if all(w_end <= s or w_start >= e for s, e in chosen):
            chosen.append((w_start, w_end))
        if len(chosen) == MAX_PASSAGES:
            break
    return sorted(chosen)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text)).strip()


def snippet_html(texts: list[str], terms: MatchTerms, size: int = SNIPPET_CHARS) -> str:
    """The best passages of `texts` (summary, body…) with matched words marked.

    Without a match (browsing, a field-only query) the opening of the text is shown.
    """
    # A snippet comes from the opening of long documents: a 5 MB body must not
    # cost more than an article does.
    text = _clean(" ".join(t for t in texts if t)[:SNIPPET_SCAN_CHARS])
    spans = _matched_spans(text, terms) if terms else []
    if not spans:
        start, end = _window(text, 0, size)
        return _sanitise(html.escape(text[start:end], quote=False) + ("…" if end < len(text) else ""))
    parts = []
    passages = _best_passages(text, spans, size // MAX_PASSAGES if len(spans) > 1 else size)
    for start, end in passages:
        marked, _count = mark_words(text[start:end], terms)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        parts.append(prefix + marked + suffix)
    return _sanitise(" ".join(parts))


def highlight_html(text: str, terms: MatchTerms) -> str:
    """All of `text` with matched words marked (titles, the article page).

    Without terms the text is only escaped: it holds no tag for bleach to remove.
    """
    text = unicodedata.normalize("NFC", text)
    if not terms:
        return html.escape(text, quote=False)
    marked, _count = mark_words(text, terms)
    return _sanitise(marked)
