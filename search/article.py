"""One article for its page and GET /api/v1/documents/<id>: full text, highlights, similar ones."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from engines.base import NO_TERMS, Article as StoredArticle, Engine, MatchTerms
from engines.query import QuerySyntaxError
from indexer.entities import ENTITY_TYPES
from search.highlight import highlight_html
from search.request import SearchRequest
from search.results import DEFAULT_LANGUAGE, article_language, article_metadata
from search.service import terms_of

SIMILAR_COUNT = 5


@dataclass(frozen=True)
class SimilarArticle:
    id: str
    title: str
    source: str
    published: str | None
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    summary: str
    body: str
    url: str
    source: str
    author: str
    published: str | None
    section: str
    tags: list[str]
    origin: str
    title_html: str
    summary_html: str
    paragraphs_html: list[str]
    hidden_chars: int  # of the body, past what the page shows
    marked: bool  # whether any word of the query is marked
    language: str = DEFAULT_LANGUAGE
    added: str = ""  # when it entered the index (UTC YYYY-MM-DDTHH:MM:SS), for citing a pinned search
    story: str = ""  # shared by its reprints and copies
    entities: dict[str, list[str]] = field(default_factory=dict)  # person/place/org → the names it holds, as written

    def as_json(self) -> dict:
        """The article as the public API gives it: no HTML pieces, and not `origin`, the file it was
        read from on the server (a server path is for the admin console, not for anonymous users)."""
        item = asdict(self)
        for key in ("title_html", "summary_html", "paragraphs_html", "hidden_chars", "marked", "origin"):
            item.pop(key)
        return item


def _terms_for(query_text: str, engine: Engine) -> MatchTerms:
    """The words to mark; none when the query does not parse (the article is still shown)."""
    try:
        return terms_of(engine, SearchRequest(query_text=query_text))
    except QuerySyntaxError:
        return NO_TERMS


# The article page shows (and marks words in) the first SHOWN_CHARS of the text: a 3 MB
# document must not send 3 MB of HTML nor take seconds to mark. News articles are far
# shorter; the rest stays in the API's document JSON.
SHOWN_CHARS = 200_000


def _shown_paragraphs(paragraphs: list[str], terms: MatchTerms) -> tuple[list[str], int]:
    """The paragraphs as HTML, words marked, up to SHOWN_CHARS in all (a longer paragraph is cut there),
    and how many characters are left out."""
    shown, budget, hidden = [], SHOWN_CHARS, 0
    for paragraph in paragraphs:
        if budget:
            shown.append(highlight_html(paragraph[:budget], terms))
        hidden += max(0, len(paragraph) - budget)
        budget = max(0, budget - len(paragraph))
    return shown, hidden


def get_article(engine: Engine, doc_id: str, query_text: str = "") -> Article | None:
    """The article with `doc_id`, its words from `query_text` marked; None if unknown."""
    stored = engine.document(doc_id)
    if stored is None:
        return None
    terms = _terms_for(query_text, engine)
    paragraphs = [p for p in (stored.get("body") or "").split("\n\n") if p.strip()]
    paragraphs_html, hidden_chars = _shown_paragraphs(paragraphs, terms)
    summary_html = highlight_html(stored.get("summary") or "", terms)
    title_html = highlight_html(stored.get("title") or "", terms)
    marked = any("<mark>" in h for h in [title_html, summary_html, *paragraphs_html])
    return Article(
        **article_metadata(stored),
        summary=stored.get("summary") or "",
        body=stored.get("body") or "",
        origin=stored.get("origin") or "",
        title_html=title_html,
        summary_html=summary_html,
        paragraphs_html=paragraphs_html,
        hidden_chars=hidden_chars,
        marked=marked,
        language=article_language(stored),
        added=stored.get("added") or "",
        story=stored.get("story") or stored["id"],
        entities=_entities_by_type(stored.get("entities") or []),
    )


def _entities_by_type(entities: list) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {kind: [] for kind in ENTITY_TYPES}
    for kind, _key, form in entities:
        if kind in found:
            found[kind].append(form)
    return found


def similar_articles(engine: Engine, doc_id: str, count: int = SIMILAR_COUNT) -> list[SimilarArticle] | None:
    """Articles sharing the most distinctive words with `doc_id`; None if it is unknown."""
    found: list[StoredArticle] | None = engine.similar(doc_id, count)
    if found is None:
        return None
    return [SimilarArticle(a["id"], a.get("title") or "", a.get("source") or "", a.get("published"), article_language(a))
            for a in found]
