"""Highlighted snippets: the best passages of an article with each matched word in <mark>.

A word is marked when one of its indexed forms is a term the query matched, so
`souverainete` marks `souveraineté` and `coopération` marks `coopérations`. The
output is built from escaped text and then sanitised by bleach with <mark> as
the only tag: these `*_html` values are the only ones the templates trust.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import threading
import unicodedata

import bleach
import bleach.sanitizer

from engines.base import NO_TERMS, MatchTerms  # noqa: F401 (NO_TERMS: for callers that mark nothing)
from indexer.analysis import WORD_RE, word_spans

SNIPPET_CHARS = 240
MAX_PASSAGES = 2
SNIPPET_SCAN_CHARS = 100_000
MAX_SCANNED_MATCHES = 60


_cleaners = threading.local()
_PIECE_BREAK = "<hr>"  # between pieces cleaned together: escaped text can hold no tag of its own


def _cleaner() -> bleach.sanitizer.Cleaner:
    # A Cleaner holds parser state, so each thread keeps its own; building one per
    # call cost a fifth of the cleaning.
    cleaner = getattr(_cleaners, "cleaner", None)
    if cleaner is None:
        cleaner = _cleaners.cleaner = bleach.sanitizer.Cleaner(tags={"mark", "hr"}, attributes={}, strip=True)
    return cleaner


def sanitise_all(marked: list[str]) -> list[str]:
    """Each piece of escaped text with our <mark>s, sanitised by bleach: <mark> is the only tag left.

    The pieces of a page go through bleach in one pass, which halves its cost;
    they are built from escaped text, so the only <hr> in the output is ours.
    """
    cleaned = _cleaner().clean(_PIECE_BREAK.join(marked)).split(_PIECE_BREAK) if marked else []
    if len(cleaned) != len(marked):  # a piece held a tag after all: clean them one by one
        cleaned = [_cleaner().clean(piece).replace(_PIECE_BREAK, "") for piece in marked]
    return cleaned


def _sanitise(marked_html: str) -> str:
    return sanitise_all([marked_html])[0]


def mark_words(text: str, terms: MatchTerms) -> str:
    """Escaped `text` with matched words in <mark>."""
    pieces: list[str] = []
    last = 0
    for start, end, word in word_spans(text):
        if terms.matches(word):
            pieces.append(html.escape(text[last:start], quote=False))
            pieces.append(f"<mark>{html.escape(text[start:end], quote=False)}</mark>")
            last = end
    pieces.append(html.escape(text[last:], quote=False))
    return "".join(pieces)


def _form_pattern(form: str) -> re.Pattern:
    """Where `form` stands as a whole word, with WORD_RE's boundaries (`état` is not found in `l'état`)."""
    return re.compile(rf"(?<!\w)(?<!\w['’]){re.escape(form)}(?!\w)(?!['’]\w)")


def _matched_spans(text: str, terms: MatchTerms) -> list[tuple[int, int, str]]:
    """Matched words, the first MAX_SCANNED_MATCHES only: passages are chosen among them.

    An article repeats its words, and a page of hits shares most of them, so each
    distinct written form is tested once (and remembered for the same query),
    then each matching form is found by a regular expression at C speed.
    """
    matching = [form for form in set(WORD_RE.findall(text)) if terms.matches_form(form)]
    spans = []
    for form in matching:
        for found in itertools.islice(_form_pattern(form).finditer(text), MAX_SCANNED_MATCHES):
            spans.extend((found.start() + start, found.start() + end, word) for start, end, word in word_spans(form))
    spans.sort()
    return spans[:MAX_SCANNED_MATCHES]


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
    starts = [start for start, _end, _word in spans]  # spans come sorted by start
    for start, _end, _word in spans:
        w_start, w_end = _window(text, start, size)
        within = spans[bisect.bisect_left(starts, w_start) : bisect.bisect_right(starts, w_end)]
        inside = {word for _s, e, word in within if e <= w_end}
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
    return _sanitise(snippet_marked(texts, terms, size))


def snippet_marked(texts: list[str], terms: MatchTerms, size: int = SNIPPET_CHARS) -> str:
    """snippet_html before bleach: for callers that sanitise a whole page at once with sanitise_all."""
    # A snippet comes from the opening of long documents: a 5 MB body must not
    # cost more than an article does.
    text = _clean(" ".join(t for t in texts if t)[:SNIPPET_SCAN_CHARS])
    spans = _matched_spans(text, terms) if terms else []
    if not spans:
        start, end = _window(text, 0, size)
        return html.escape(text[start:end], quote=False) + ("…" if end < len(text) else "")
    parts = []
    passages = _best_passages(text, spans, size // MAX_PASSAGES if len(spans) > 1 else size)
    for start, end in passages:
        marked = mark_words(text[start:end], terms)
        prefix = "…" if start > 0 else ""
        suffix = "…" if end < len(text) else ""
        parts.append(prefix + marked + suffix)
    return " ".join(parts)


def highlight_html(text: str, terms: MatchTerms) -> str:
    """All of `text` with matched words marked (titles, the article page).

    Without terms the text is only escaped: it holds no tag for bleach to remove.
    """
    text = unicodedata.normalize("NFC", text)
    if not terms:
        return html.escape(text, quote=False)
    return _sanitise(highlight_marked(text, terms))


def highlight_marked(text: str, terms: MatchTerms) -> str:
    """highlight_html before bleach: for callers that sanitise a whole page at once with sanitise_all."""
    return mark_words(unicodedata.normalize("NFC", text), terms)
