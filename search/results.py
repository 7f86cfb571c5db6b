"""The search result: hits with their snippets, facets, suggestion, notice; and its JSON.

The HTML page, the JSON API and the CLI's --json all render the SearchResult
built by search/service.py, so they cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from engines.base import Article, WordForms
from search.facets import FacetValue
from search.request import MAX_RESULT_WINDOW
from search.spelling import Suggestion

DEFAULT_LANGUAGE = "fr"  # the archive's articles, when a source does not say
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    url: str
    source: str
    author: str
    published: str | None
    section: str
    tags: list[str]
    score: float | None
    snippet_html: str
    title_html: str
    missing_words: list[str] = field(default_factory=list)  # query words this article lacks
    language: str = DEFAULT_LANGUAGE  # the article's language, for lang= on its title and snippet
    story: str = ""  # shared by an article's reprints and copies
    copies: int = 0  # other matching copies of its story, grouped under this hit
    copy_list: list[dict] = field(default_factory=list)  # the first of them: id, title, source, published, url


@dataclass
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    facets_more: dict[str, bool]
    suggestion: Suggestion | None
    sort: str = "relevance"
    # "only_stop_words" when every word was a stop word; "partial_match" when no article holds
    # every word and the hits are the articles holding the most of them
    notice: str | None = None
    timeline: list[tuple[str, int]] = field(default_factory=list)
    forms: list[WordForms] = field(default_factory=list)
    grouped: bool = False  # one hit per story; `total` counts stories
    count_stories: bool = False  # facets and timeline count each story once
    asof: str = ""  # the day the search is pinned to
    added_since: int = 0  # with asof: matching articles that entered the index after it, left out
    deleted_since: int = 0  # with asof: articles taken out of the index after it (they cannot be shown)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_RESULT_WINDOW) // self.per_page))


METADATA_FIELDS = ("id", "title", "url", "source", "author", "published", "section", "tags")


def article_metadata(article: Article) -> dict:
    """What every view of an article shows about it (missing fields empty)."""
    return {
        "id": article["id"],
        "title": article.get("title") or "",
        "url": article.get("url") or "",
        "source": article.get("source") or "",
        "author": article.get("author") or "",
        "published": article.get("published") or None,
        "section": article.get("section") or "",
        "tags": list(article.get("tags") or ()),
    }


def article_language(article: Article) -> str:
    """The article's language as a BCP 47 tag (what a page puts in lang=); French when unknown or malformed."""
    language = (article.get("language") or "").strip()
    return language if _LANGUAGE_TAG.fullmatch(language) else DEFAULT_LANGUAGE


def result_to_json(result: SearchResult, copies_url: Callable[[str], str] | None = None) -> dict:
    """The JSON answer of GET /api/v1/search and `run.py search --json`.

    `copies_url(story)` is the URL listing a story's copies (each hit with copies has one).
    """
    hits = []
    for hit in result.hits:
        item = asdict(hit)
        item.pop("title_html")
        item["copies_url"] = copies_url(hit.story) if copies_url and hit.copies else None
        hits.append(item)
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "sort": result.sort,
        "took_ms": result.took_ms,
        "notice": result.notice,
        "hits": hits,
        "facets": {name: [asdict(v) for v in values] for name, values in result.facets.items()},
        "facets_more": result.facets_more,
        "suggestion": {"text": result.suggestion.text} if result.suggestion else None,
        "timeline": [{"period": p, "count": c} for p, c in result.timeline],
        "forms": [asdict(word) for word in result.forms],
        "group": "story" if result.grouped else "none",
        "count": "story" if result.count_stories else "article",
        "asof": result.asof or None,
        "added_since": result.added_since if result.asof else None,
        "deleted_since": result.deleted_since if result.asof else None,
    }
