"""One article for its page and GET /api/v1/documents/<id>: full text, highlights, similar ones."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from whoosh.searching import Searcher

from webui.highlight import NO_TERMS, MatchTerms, highlight_html, match_terms
from webui.query import QuerySyntaxError, parse_query
from webui.search import stored_metadata

SIMILAR_COUNT = 5


@dataclass(frozen=True)
class SimilarArticle:
    id: str
    title: str
    source: str
    published: str | None


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
    marked: bool  # whether any word of the query is marked

    def as_json(self) -> dict:
        item = asdict(self)
        for key in ("title_html", "summary_html", "paragraphs_html", "marked"):
            item.pop(key)
        return item


def _terms_for(query_text: str, searcher: Searcher) -> MatchTerms:
    if not query_text.strip():
        return NO_TERMS
    try:
        parsed = parse_query(query_text, searcher.schema)
    except QuerySyntaxError:
        return NO_TERMS
    return match_terms(parsed.whoosh_query, searcher.reader())


# Words are marked in the first MARKED_CHARS of an article; a 5 MB document
# must not take seconds to show. News articles are far shorter.
MARKED_CHARS = 200_000


def _marked_paragraphs(paragraphs: list[str], terms: MatchTerms) -> list[str]:
    """Paragraphs as HTML, words marked up to MARKED_CHARS in all: a longer paragraph is cut there."""
    marked, budget = [], MARKED_CHARS
    for paragraph in paragraphs:
        head, tail = paragraph[:budget], paragraph[budget:]
        marked.append(highlight_html(head, terms if budget else NO_TERMS) + highlight_html(tail, NO_TERMS))
        budget = max(0, budget - len(paragraph))
    return marked


def get_article(searcher: Searcher, doc_id: str, query_text: str = "") -> Article | None:
    """The article with `doc_id`, its words from `query_text` marked; None if unknown."""
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    terms = _terms_for(query_text, searcher)
    paragraphs = [p for p in stored.get("body", "").split("\n\n") if p.strip()]
    paragraphs_html = _marked_paragraphs(paragraphs, terms)
    summary_html = highlight_html(stored.get("summary", ""), terms)
    title_html = highlight_html(stored.get("title", ""), terms)
    marked = any("<mark>" in h for h in [title_html, summary_html, *paragraphs_html])
    return Article(
        **stored_metadata(stored),
        summary=stored.get("summary", ""),
        body=stored.get("body", ""),
        origin=stored.get("origin", ""),
        title_html=title_html,
        summary_html=summary_html,
        paragraphs_html=paragraphs_html,
        marked=marked,
    )


def similar_articles(searcher: Searcher, doc_id: str, count: int = SIMILAR_COUNT) -> list[SimilarArticle] | None:
    """Articles sharing the most distinctive words with `doc_id`; None if it is unknown."""
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    text = "\n\n".join(stored.get(k, "") for k in ("title", "summary", "body"))
    hits = searcher.more_like(docnum, "text", text=text, top=count, numterms=25)
    return [
        SimilarArticle(h["id"], h.get("title", ""), h.get("source", ""), h.get("date") or None)
        for h in hits
    ]
