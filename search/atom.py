"""An Atom feed of the newest articles matching a search, to follow it in a feed reader."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from xml.etree import ElementTree as ET

from engines.base import Engine
from search.exports import safe_url
from search.highlight import snippet_html
from search.request import SearchRequest
from search.service import ranked_articles, terms_of

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FEED_ENTRIES = 30
FEED_LANGUAGE = "fr"  # the archive's articles; an entry in another language says so itself
# What an undated article (and a feed without dated entries) gives as <updated>: a
# constant, so that a feed reader polling unchanged data never sees it change.
UNDATED = "1970-01-01T00:00:00Z"


def _timestamp(day: str) -> str:
    return f"{day}T00:00:00Z" if day else UNDATED


def _plain(snippet: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", snippet))


def atom_feed(engine: Engine, request: SearchRequest, *, feed_url: str, search_url: str, title: str, article_url_for) -> bytes:
    """The feed document; entries newest first, each linking to the article on the archive.

    `feed_url` is the feed's id and self link: the URL as fetched, percent-encoded (webui passes it so).
    """
    newest_first = replace(request, sort="-date", page=1)
    entries = ranked_articles(engine, newest_first, FEED_ENTRIES)
    terms = terms_of(engine, newest_first)

    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: FEED_LANGUAGE})

    def child(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    child(feed, "title", title)
    child(feed, "id", feed_url)
    child(feed, "link", rel="self", href=feed_url, type="application/atom+xml")
    child(feed, "link", rel="alternate", href=search_url, type="text/html")
    child(feed, "generator", "Loupe")
    child(feed, "updated", _timestamp(max((e.get("published") or "" for e in entries), default="")))
    for stored in entries:
        entry = child(feed, "entry")
        if (stored.get("language") or FEED_LANGUAGE) != FEED_LANGUAGE:
            entry.set(XML_LANG, stored["language"])
        child(entry, "title", stored.get("title") or "")
        link = article_url_for(stored["id"])
        child(entry, "id", link)
        child(entry, "link", rel="alternate", href=link, type="text/html")
        if (stored.get("url") or "").startswith(("http://", "https://")):
            child(entry, "link", rel="related", href=safe_url(stored["url"]), type="text/html")
        child(entry, "updated", _timestamp(stored.get("published") or ""))
        if stored.get("published"):
            child(entry, "published", _timestamp(stored["published"]))
        author = child(entry, "author")
        child(author, "name", stored.get("author") or stored.get("source") or "—")
        if stored.get("section"):
            child(entry, "category", term=stored["section"])
        texts = [stored.get("summary") or "", stored.get("body") or ""]
        child(entry, "summary", _plain(snippet_html(texts, terms)), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)

