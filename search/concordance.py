"""Concordance (KWIC): every occurrence of the query's words with its left and right context.

A `NEAR/n` group centres lines on its first word where the others stand within
n words of it (`souveraineté NEAR/5 Mali`: each souveraineté with Mali close by),
not on every occurrence of either word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engines.base import NO_TERMS, Engine, MatchTerms
from engines.query import And, Near, Node, Or
from indexer.analysis import fold, word_spans
from search.request import BadParameter, SearchRequest
from search.results import DEFAULT_LANGUAGE, article_language
from search.matching import plan
from search.service import prepare, ranked_articles

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


@dataclass(frozen=True)
class Proximity:
    """A `NEAR/n` of the query: lines centre on its first word with each other one within `distance` words."""

    centre: MatchTerms
    others: tuple[MatchTerms, ...]
    distance: int

    def holds_at(self, i: int, words: list[str]) -> bool:
        if not self.centre.matches(words[i]):
            return False
        window = words[max(0, i - self.distance - 1): i] + words[i + 1: i + self.distance + 2]
        return all(any(other.matches(w) for w in window) for other in self.others)


def _near_nodes(node: Node) -> list[Near]:
    if isinstance(node, Near):
        return [node]
    if isinstance(node, (And, Or)):
        return [near for child in node.children for near in _near_nodes(child)]
    return []


def _without_near(node: Node) -> Node | None:
    """The query with its NEAR groups taken out (their words centre lines only near each other)."""
    if isinstance(node, Near):
        return None
    if isinstance(node, (And, Or)):
        kept = [child for child in map(_without_near, node.children) if child is not None]
        return type(node)(tuple(kept)) if kept else None
    return node


def _centres(engine: Engine, request: SearchRequest) -> tuple[MatchTerms, list[Proximity]]:
    """What a line centres on: the query's words outside NEAR groups, and each NEAR group's first word."""
    prepared = prepare(request)
    if prepared.plan is None:
        return NO_TERMS, []
    tree = prepared.plan.tree
    nears = _near_nodes(tree) if tree is not None else []
    if not nears:
        return engine.match_terms(prepared.plan), []
    proximities = [
        Proximity(engine.match_terms(plan(near.children[0])), tuple(engine.match_terms(plan(c)) for c in near.children[1:]),
                  near.distance)
        for near in nears
    ]
    rest = _without_near(tree)
    return (engine.match_terms(plan(rest)) if rest is not None else NO_TERMS), proximities


def _lines_in(text: str, terms, width: int, article: dict, proximities: list[Proximity] = ()) -> list[ConcordanceLine]:
    spans = list(word_spans(text))
    words = [word for _start, _end, word in spans]
    lines = []
    for i, (start, end, word) in enumerate(spans):
        if not (terms.matches(word) or any(p.holds_at(i, words) for p in proximities)):
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
    terms, proximities = _centres(engine, request)
    articles = ranked_articles(engine, request, MAX_DOCUMENTS + 1)
    lines: list[ConcordanceLine] = []
    for article in articles[:MAX_DOCUMENTS]:
        for part in (article.get("title") or "", article.get("summary") or "", article.get("body") or ""):
            lines += _lines_in(part, terms, width, article, proximities)
    truncated = len(articles) > MAX_DOCUMENTS or len(lines) > MAX_LINES
    lines = sorted(lines[:MAX_LINES], key=SORT_KEYS[sort])
    return Concordance(lines, min(len(articles), MAX_DOCUMENTS), truncated)
