"""RSS and Atom feed files → one Document per entry, with feedparser; entity declarations refused."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser

from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.encoding import declared_xml_encoding, decode_source_bytes, read_source_bytes
from indexer.sources.outcome import Failure
from indexer.sources.tidy import clean_line, primary_language

EXTENSIONS = (".rss", ".atom")
XML_EXTENSIONS = (".xml",)  # a feed only if its root element says so, see is_feed()

_ROOT_ELEMENT = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})  # RSS 0.9x/2.0, Atom, RSS 1.0 (rdf:RDF)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
# The start tag of an entry, with or without a namespace prefix (<atom:entry>), to find its line.
_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_EMAIL_AND_NAME = re.compile(r"\s*[^\s@()]+@[^\s()]+\s*\((.+)\)\s*")
_ENTRY_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


# ---------------------------------------------------------------- text of an HTML fragment

_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "header", "footer", "figure", "figcaption", "table", "tr", "pre", "hr",
})
_SKIPPED_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
class _FragmentText(HTMLParser):
    """Text of an HTML fragment: block elements end paragraphs, scripts and styles are dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.paragraphs.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.paragraphs.append([])

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.paragraphs[-1].append(data)


def html_to_text(fragment: str) -> str:
    """An entry's HTML (or plain text) → NFC paragraphs joined by "\\n\\n", entities decoded.

    The standard library's HTMLParser knows only HTML's named character references,
    so nothing in an entry can declare or expand an entity of its own.
    """
    parser = _FragmentText()
    parser.feed(fragment or "")
    parser.close()
    paragraphs = (
        clean_line("".join(parts))
        for parts in parser.paragraphs
    )
    return "\n\n".join(p for p in paragraphs if p)


# ---------------------------------------------------------------- the file

def is_feed(head: bytes) -> bool:
    """Does a file starting with `head` have an RSS or Atom root element?"""
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    position = 0
    while True:  # skip the declaration, comments, the DOCTYPE and processing instructions
        found = _ROOT_ELEMENT.search(text, position)
        if not found:
            return False
        if not _inside_comment(text, found.start()):
            return found.group(2) in _FEED_ROOTS
        position = found.end()


def _inside_comment(text: str, index: int) -> bool:
    return text.rfind("<!--", 0, index) > text.rfind("-->", 0, index)


def _feed_text(path: Path) -> str:
    """The feed's text, refusing what could expand entities or is not text at all."""
    data = read_source_bytes(path)
    text = decode_source_bytes(path, data, declared_xml_encoding(data))
    if not text.strip():
        raise SourceError(f"{path}: empty file; leave it out or export the feed again")
    # feedparser drops nested entity definitions, but expat still sees any it misses and the
    # loose parser's fallback is ours to trust or not: a feed never needs entities of its own,
    # and refusing them is the one check that stops "billion laughs" and quadratic blow-ups.
    # Searched in the whole text, not just before the root element: a comment holding "<a>"
    # ahead of the DOCTYPE would otherwise hide the declarations.
    if _ENTITY_DECLARATION.search(text):
        raise SourceError(
            f"{path}: declares XML entities (<!ENTITY> in its DOCTYPE), which can expand to "
            "gigabytes; refused. Export the feed again without a DOCTYPE"
        )
    return text


def _as_utf8(text: str) -> bytes:
    # The text is decoded already; a declaration still saying "windows-1252" would make
    # feedparser decode the UTF-8 bytes a second time.
    return _XML_DECLARATION.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1).encode("utf-8")


def _entry_lines(text: str) -> list[int]:
    return [text.count("\n", 0, found.start()) + 1 for found in _ENTRY_START.finditer(text)]


def _published(entry: dict) -> date | None:
    """The entry's date as written (its own time zone), not feedparser's UTC struct_time."""
    for key in ("published", "updated", "created"):
        raw = (entry.get(key) or "").strip()
        if not raw:
            continue
        for parse in (parsedate_to_datetime, lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))):
            try:
                return parse(raw).date()
            except (TypeError, ValueError, IndexError):
                continue
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


def _author(entry: dict) -> str:
    raw = entry.get("author") or ""
    # RSS writes "e-mail (Name)"; feedparser's own split cuts domains such as .africa short.
    written = _EMAIL_AND_NAME.fullmatch(raw)
    if written:
        return html_to_text(written.group(1))
    detail = entry.get("author_detail") or {}
    return html_to_text(detail.get("name") or raw)


def _tags(entry: dict) -> tuple[str, ...]:
    terms = (html_to_text(tag.get("term") or tag.get("label") or "") for tag in entry.get("tags") or [])
    return tuple(dict.fromkeys(term for term in terms if term))


def _body_and_summary(entry: dict) -> tuple[str, str]:
    """Full content as the body and the description as the summary; a description alone is the body."""
    contents = [html_to_text(c.get("value", "")) for c in entry.get("content") or []]
    content = max(contents, key=len, default="")
    description = html_to_text(entry.get("summary") or "")
    if not content:
        return description, ""
    return content, "" if description == content else description


def entry_to_document(entry: dict, feed: dict, origin: str, fallback_id: str, source: str) -> Document:
    """One feedparser entry → a Document; ValueError says what is missing."""
    body, summary = _body_and_summary(entry)
    if not body:
        raise ValueError("entry has no text (no content, summary or description)")
    url = (entry.get("link") or "").strip()
    if not url.startswith(("http://", "https://")):
        url = ""  # feedparser makes an Atom entry's urn:uuid id its link when it has none
    guid = (entry.get("id") or "").strip()
    if url:
        doc_id = stable_id("url", url)
    elif guid:
        doc_id = stable_id("guid", guid)
    else:
        doc_id = fallback_id
    return Document(
        id=doc_id,
        title=html_to_text(entry.get("title") or "") or body[:80],
        summary=summary,
        body=body,
        url=url,
        source=source or html_to_text(feed.get("title") or ""),
        author=_author(entry),
        published=_published(entry),
        tags=_tags(entry),
        language=primary_language(feed.get("language")),
        origin=origin,
    )


def _problem(parsed: dict) -> str:
    error = parsed.get("bozo_exception")
    line = getattr(error, "getLineNumber", lambda: None)()
    where = f" at line {line}" if line else ""
    message = getattr(error, "getMessage", lambda: str(error))()
    return f"malformed or truncated feed{where} ({message})"


def read_feed(path: Path, *, source: str = "") -> Iterator[Document | Failure]:
    """Documents of an RSS or Atom file; a bad entry or a broken feed becomes a Failure.

    A truncated feed still yields the entries read before the break; an entry the
    break cuts in two is reported, not indexed half.
    """
    text = _feed_text(path)
    parsed = feedparser.parse(io.BytesIO(_as_utf8(text)), sanitize_html=False, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if parsed.get("bozo") and not entries and not parsed.get("feed"):
        raise SourceError(f"{path}: {_problem(parsed)}; no entry could be read")
    lines = _entry_lines(text)
    complete = len(_ENTRY_END.findall(text)) if parsed.get("bozo") else len(entries)
    for number, entry in enumerate(entries, start=1):
        # Lines come from our own scan; they match feedparser's entries one to one when counts agree.
        origin = f"{path}:{lines[number - 1]}" if len(lines) == len(entries) else f"{path}:entry {number}"
        if number > complete:
            yield Failure(origin, "entry cut off by the end of the file; not indexed")
            continue
        try:
            yield entry_to_document(entry, parsed.get("feed") or {}, origin, stable_id("feed", path.name, str(number)), source)
        except ValueError as error:
            yield Failure(origin, str(error))
    if parsed.get("bozo"):
        yield Failure(str(path), f"{_problem(parsed)}; {min(complete, len(entries))} entries read before it")


def count_entries(path: Path) -> int:
    """How many entries a feed file holds, for a progress bar, without parsing it."""
    try:
        return len(_ENTRY_START.findall(path.read_bytes().decode("utf-8", "replace")))
    except OSError:
        return 0  # read_feed will report it, with its reason
