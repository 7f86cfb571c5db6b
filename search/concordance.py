"""Concordance (KWIC): every occurrence of the query's words with its left and right context."""

from __future__ import annotations

import re
from dataclasses import dataclass

from engines.base import Engine
from indexer.analysis import fold, word_spans
from search.request import BadParameter, SearchRequest
from search.results import DEFAULT_LANGUAGE, article_language
from search.service import ranked_articles, terms_of

SORTS = ("date", "left", "right", "source")
DEFAULT_WIDTH = 6
MAX_WIDTH = 30
MAX_DOCUMENTS = 500
MAX_LINES = 5_000


@dataclass(frozen=True)
class ConcordanceLine:
    doc_id: str
    title: str
    source: str
    published: str
    left: str
    keyword: str
    right: str
    language: str = DEFAULT_LANGUAGE  # the article's, for lang= on the line


@dataclass(frozen=True)
class Concordance:
    lines: list[ConcordanceLine]
    documents: int  # articles read
    truncated: bool  # more articles or lines than the caps


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _lines_in(text: str, terms, width: int, article: dict) -> list[ConcordanceLine]:
    spans = list(word_spans(text))
    lines = []
    for i, (start, end, word) in enumerate(spans):
        if not terms.matches(word):
            continue
        left_start = spans[max(0, i - width)][0]
        right_end = spans[min(len(spans) - 1, i + width)][1]
        lines.append(
            ConcordanceLine(
                doc_id=article["id"],
                title=article.get("title") or "",
                source=article.get("source") or "",
                published=article.get("published") or "",
                left=_squash(text[left_start:start]),
                keyword=text[start:end],
                right=_squash(text[end:right_end]),
                language=article_language(article),
            )
        )
    return lines


def _words_key(text: str, reverse: bool = False) -> list[str]:
    words = [fold(w.lower()) for w in re.findall(r"\w+", text)]
    return words[::-1] if reverse else words


SORT_KEYS = {
    # Left context sorts by the word nearest the keyword first, as in every KWIC tool.
    "left": lambda line: (_words_key(line.left, reverse=True), fold(line.keyword.lower())),
    "right": lambda line: (fold(line.keyword.lower()), _words_key(line.right)),
    "source": lambda line: (line.source, line.published),
    "date": lambda line: (line.published, line.doc_id),
}


def concordance(engine: Engine, request: SearchRequest, width: int = DEFAULT_WIDTH, sort: str = "date") -> Concordance:
    """KWIC lines for the request's words over its first MAX_DOCUMENTS articles."""
    if not request.query_text.strip():
        raise BadParameter("q is required: the concordance lists the occurrences of the query's words")
    if sort not in SORTS:
        raise BadParameter(f"sort_lines must be one of {', '.join(SORTS)}, got {sort!r}")
    if not 1 <= width <= MAX_WIDTH:
        raise BadParameter(f"width must be between 1 and {MAX_WIDTH} words, got {width}")
    terms = terms_of(engine, request)
    articles = ranked_articles(engine, request, MAX_DOCUMENTS + 1)
    lines: list[ConcordanceLine] = []
    for article in articles[:MAX_DOCUMENTS]:
        for part in (article.get("title") or "", article.get("summary") or "", article.get("body") or ""):
            lines += _lines_in(part, terms, width, article)
    truncated = len(articles) > MAX_DOCUMENTS or len(lines) > MAX_LINES
    lines = sorted(lines[:MAX_LINES], key=SORT_KEYS[sort])
    return Concordance(lines, min(len(articles), MAX_DOCUMENTS), truncated)
