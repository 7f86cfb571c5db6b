"""An offline checker of the RFC 4287 (Atom) rules a feed reader or the W3C feed validator enforces.

No maintained Atom validator is packaged on PyPI or npm (the W3C feedvalidator's source is
not a package; feedparser reads anything), so the rules that matter are written out here,
each with its section of RFC 4287. `atom_problems(xml, fetched_url)` lists what breaks them.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time as RFC 4287 §3.3 restricts it: upper-case T and Z, seconds required.
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# RFC 3986 characters: an IRI percent-encoded into a URI holds no other (no space, no "é", no brace).
URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")
PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
TEXT_TYPES = {"text", "html", "xhtml"}


def _uri_problem(value: str | None, what: str) -> str | None:
    """§4.2.6, §4.2.7.1: ids are absolute IRIs and hrefs IRI references; we ask for their URI form."""
    if not value:
        return f"{what} is empty"
    if not URI_CHARS.match(value) or PERCENT.search(value):
        return f"{what} is not percent-encoded as a URI: {value!r}"
    parts = urlsplit(value)
    if not parts.scheme or not parts.netloc:
        return f"{what} is not an absolute IRI: {value!r}"
    return None


def _date_problem(element: ET.Element, what: str) -> str | None:
    text = (element.text or "").strip()
    if not DATE_TIME.match(text):
        return f"{what} is not an RFC 3339 date-time: {text!r}"
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return f"{what} is not a real date: {text!r}"
    return None


def _text_construct_problems(element: ET.Element, what: str) -> list[str]:
    """§3.1: type is text, html or xhtml; a text construct of type text holds no child element."""
    kind = element.get("type", "text")
    if kind not in TEXT_TYPES:
        return [f"{what} has type {kind!r}"]
    if kind != "xhtml" and len(element):
        return [f"{what} of type {kind} holds child elements"]
    return []


def _container_problems(node: ET.Element, what: str, once: tuple[str, ...], at_most_once: tuple[str, ...]) -> list[str]:
    problems = []
    counts = Counter(child.tag for child in node)
    for name in once:
        if counts[ATOM + name] != 1:
            problems.append(f"{what} has {counts[ATOM + name]} atom:{name}, exactly one required")
    for name in at_most_once:
        if counts[ATOM + name] > 1:
            problems.append(f"{what} has {counts[ATOM + name]} atom:{name}, at most one allowed")
    id_problem = _uri_problem(node.findtext(ATOM + "id"), f"{what}'s id")
    if id_problem:
        problems.append(id_problem)
    for name in ("updated", "published"):
        for element in node.findall(ATOM + name):
            problem = _date_problem(element, f"{what}'s {name}")
            if problem:
                problems.append(problem)
    for name in ("title", "subtitle", "summary", "rights"):
        for element in node.findall(ATOM + name):
            problems += _text_construct_problems(element, f"{what}'s {name}")
    alternates = Counter((link.get("type"), link.get("hreflang")) for link in node.findall(ATOM + "link")
                         if link.get("rel", "alternate") == "alternate")
    if any(n > 1 for n in alternates.values()):
        problems.append(f"{what} has two alternate links of the same type and hreflang (§4.1.1)")
    for link in node.findall(ATOM + "link"):
        problem = _uri_problem(link.get("href"), f"{what}'s {link.get('rel', 'alternate')} link")
        if problem:
            problems.append(problem)
    for person in node.findall(ATOM + "author") + node.findall(ATOM + "contributor"):
        if len(person.findall(ATOM + "name")) != 1:
            problems.append(f"{what}'s {person.tag[len(ATOM):]} needs exactly one name (§3.2)")
    for category in node.findall(ATOM + "category"):
        if not category.get("term"):
            problems.append(f"{what}'s category has no term (§4.2.2)")
    return problems


def atom_problems(document: bytes, fetched_url: str) -> list[str]:
    """Every broken rule of RFC 4287 in `document`, a feed fetched from `fetched_url` (empty when valid)."""
    try:
        feed = ET.fromstring(document)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if feed.tag != ATOM + "feed":
        return [f"the root is {feed.tag}, not atom:feed"]
    problems = _container_problems(feed, "the feed", ("id", "title", "updated"),
                                   ("generator", "icon", "logo", "rights", "subtitle"))
    selves = [link for link in feed.findall(ATOM + "link") if link.get("rel") == "self"]
    if len(selves) != 1:
        problems.append(f"the feed has {len(selves)} self links, one expected (§4.2.7.2)")
    elif selves[0].get("href") != fetched_url:
        problems.append(f"the self link {selves[0].get('href')!r} is not the URL fetched, {fetched_url!r}")
    entries = feed.findall(ATOM + "entry")
    if not feed.findall(ATOM + "author") and any(not e.findall(ATOM + "author") for e in entries):
        problems.append("an entry has no author and the feed none either (§4.1.1)")
    ids = Counter(e.findtext(ATOM + "id") for e in entries)
    problems += [f"two entries share the id {entry_id!r}" for entry_id, n in ids.items() if n > 1]
    for n, entry in enumerate(entries, 1):
        what = f"entry {n}"
        problems += _container_problems(entry, what, ("id", "title", "updated"),
                                        ("content", "published", "rights", "source", "summary"))
        has_alternate = any(link.get("rel", "alternate") == "alternate" for link in entry.findall(ATOM + "link"))
        if entry.find(ATOM + "content") is None and not has_alternate:
            problems.append(f"{what} has neither content nor an alternate link (§4.1.2)")
    return problems
