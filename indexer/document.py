"""The Document record: the one shape every source produces."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Document:
    """One article, as every source hands it to the index builder."""

    id: str
    title: str
    body: str
    origin: str  # where it came from: "file:line" or a URL
    summary: str = ""
    url: str = ""
    source: str = ""  # publication name
    author: str = ""
    published: date | None = None
    section: str = ""
    tags: tuple[str, ...] = ()
    language: str = "fr"
    collection: str = ""  # the registry source it came from ("" outside the registry)
    content_hash: str = field(default="")
    # Set by the indexing run, not by sources (and not part of content_hash):
    added: str = ""  # when the article entered the index, UTC YYYY-MM-DDTHH:MM:SS
    story: str = ""  # the id shared by its reprints and copies (indexer/stories.py)
    signature: bytes = b""  # its MinHash signature, kept to place later articles in stories
    entities: tuple = ()  # indexer.entities.Entity: people, places, organisations it names

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", content_hash_of(self))


def content_hash_of(doc: Document) -> str:
    """A hash of everything that would change what the index holds for `doc`."""
    parts = [
        doc.title, doc.summary, doc.body, doc.url, doc.source, doc.author,
        doc.published.isoformat() if doc.published else "", doc.section,
        "\x1f".join(doc.tags), doc.language,
    ]
    return hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest()[:32]


def stable_id(*parts: str) -> str:
    """A short id derived from stable facts (a URL, a file name), equal across runs."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
