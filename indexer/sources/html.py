"""HTML article pages → one Document: main text and metadata by trafilatura, page chrome removed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import trafilatura
from lxml import etree

from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.encoding import declared_html_charset, decode_source_bytes, read_source_bytes
from indexer.sources.tidy import clean_line, primary_language

EXTENSIONS = (".html", ".htm")

# The byline and date line French news sites print above the text:
# "AFP, publié le mardi 09 juin 2020 à 18h04", "publié le 12 mars", "Mis à jour le 3/02/2026".
_BYLINE = re.compile(
    r"(?:(?P<credit>[^,]{1,80}),\s*)?(?:publié|mis à jour|modifié|actualisé)\s+le\s.{1,80}",
    re.IGNORECASE,
)
_BYLINE_ZONE = 2  # only the first lines of the text: further down, "publié le" is the story
# Below this, no paragraph is prose: what trafilatura found is menus ("- Vidéos") or captions,
# as on a page cut off before its article.
_PROSE_MIN_WORDS = 6
_LIST_MARKS = ("- ", "• ", "* ", "> ")
# Scrapers and editors leave these behind; they make two copies of a sentence differ.


@dataclass(frozen=True)
class ArticlePage:
    """What trafilatura and our clean-up keep of an HTML page."""

    title: str
    summary: str
    body: str  # paragraphs joined by "\n\n"
    author: str
    published: date | None
    site_name: str
    section: str
    tags: tuple[str, ...]
    url: str  # the canonical URL, "" when the page names none
    language: str


def canonical_url(tree: etree._Element) -> str:
    """The absolute URL of `<link rel=canonical>`, else of `<meta property=og:url>`, else ""."""
    links = [
        link.get("href") or "" for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    og_urls = [
        meta.get("content") or "" for meta in tree.iter("meta")
        if (meta.get("property") or "").lower() == "og:url"
    ]
    for url in (url.strip() for url in links + og_urls):
        if url.startswith(("http://", "https://")):
            return url
    return ""


def _paragraphs(text: str) -> list[str]:
    """trafilatura's text, one element a line → paragraphs, without empty or punctuation-only ones."""
    lines = (clean_line(line) for line in text.split("\n"))
    return [line for line in lines if any(c.isalnum() for c in line)]


def _take_byline(paragraphs: list[str]) -> tuple[str, list[str]]:
    """The printed credit ("AFP", "6Medias") of a byline line at the top, and the text without it."""
    for i, paragraph in enumerate(paragraphs[:_BYLINE_ZONE]):
        found = _BYLINE.fullmatch(paragraph)
        if found:
            return (found.group("credit") or "").strip(), paragraphs[:i] + paragraphs[i + 1:]
    return "", paragraphs


def _is_prose(paragraph: str) -> bool:
    return len(paragraph.split()) >= _PROSE_MIN_WORDS and not paragraph.startswith(_LIST_MARKS)


def _split_summary(paragraphs: list[str], description: str) -> tuple[str, list[str]]:
    """The chapô is the first paragraph when the page's description says the same thing.

    Without that agreement the first paragraph may be a caption or a kicker, so it
    stays in the body.
    """
    if len(paragraphs) < 2 or not description:
        return "", paragraphs
    first, wanted = paragraphs[0].casefold(), description.casefold().rstrip(".… ")
    if first.startswith(wanted) or wanted.startswith(first.rstrip(".… ")):
        return paragraphs[0], paragraphs[1:]
    return "", paragraphs


def _published(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def extract_article(html_text: str) -> ArticlePage | None:
    """An HTML page's article and metadata; None when the page holds no article text."""
    tree = trafilatura.load_html(html_text)
    if tree is None:
        return None
    url, language = canonical_url(tree), primary_language(tree.get("lang"))
    extracted = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        favor_precision=True,  # on the OrangeSum pages, recall mode lets "Fil info" headlines in
        include_comments=False,
        include_tables=False,
        deduplicate=False,
        date_extraction_params={"original_date": True, "extensive_search": True},
    )
    if extracted is None or not (extracted.text or "").strip():
        return None
    title = clean_line(extracted.title)
    credit, paragraphs = _take_byline(_paragraphs(extracted.text))
    if paragraphs and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]  # the <h1> inside <article>
    if not any(_is_prose(paragraph) for paragraph in paragraphs):
        return None
    summary, body = _split_summary(paragraphs, clean_line(extracted.description))
    categories = [clean_line(c) for c in extracted.categories or []]
    tags = (clean_line(tag) for tag in extracted.tags or [])
    return ArticlePage(
        title=title,
        summary=summary,
        body="\n\n".join(body),
        # The credit printed on the page ("Orange avec AFP") is what readers search for;
        # the meta author often lists the agency's journalists instead.
        author=credit or clean_line(extracted.author),
        published=_published(extracted.date),
        site_name=clean_line(extracted.sitename),
        section=next((c for c in categories if c), ""),
        tags=tuple(dict.fromkeys(tag for tag in tags if tag)),
        url=url,
        language=language,
    )


def _no_article_reason(data: bytes, html_text: str) -> str:
    if not data.strip():
        return "empty file; leave it out or save the page again"
    if not re.search(r"<[A-Za-z!]", html_text):
        return "not an HTML page (no tags); check the file or leave it out"
    if re.search(r"<html", html_text, re.IGNORECASE) and not re.search(r"</html\s*>", html_text, re.IGNORECASE):
        return "no article text found and the page is cut off (no </html>); save the whole page again"
    return (
        "no article text found (only navigation, scripts or an empty body, or the page is cut off); "
        "check that it is an article page and save it again"
    )


def read_html_file(path: Path, *, source: str = "", section: str = "") -> list[Document]:
    """One HTML article page → one Document; `source` and `section` win over the page's own."""
    data = read_source_bytes(path)
    html_text = decode_source_bytes(path, data, declared_html_charset(data))
    page = extract_article(html_text) if html_text.strip() else None
    if page is None:
        raise SourceError(f"{path}: {_no_article_reason(data, html_text)}")
    body = page.body or page.summary
    return [
        Document(
            id=stable_id("url", page.url) if page.url else stable_id("html", path.name),
            title=page.title or body[:80],
            summary=page.summary if page.body else "",
            body=body,
            url=page.url,
            source=source or page.site_name,
            author=page.author,
            published=page.published,
            section=section or page.section,
            tags=page.tags,
            language=page.language,
            origin=str(path),
        )
    ]
