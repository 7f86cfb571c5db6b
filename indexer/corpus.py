"""Find the files of a corpus and read each with the reader for its format."""

from __future__ import annotations

import lzma
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.document import Document
from indexer.errors import SourceError
from indexer.sources import csv_source, feed, html, jsonl, text
from indexer.sources.outcome import Failure

TEXT_EXTENSIONS = (".txt",)
KNOWN_EXTENSIONS = (
    TEXT_EXTENSIONS + jsonl.EXTENSIONS + html.EXTENSIONS + feed.EXTENSIONS + feed.XML_EXTENSIONS
    + csv_source.EXTENSIONS
)
_SNIFF_BYTES = 4096


def _is_feed_file(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return feed.is_feed(file.read(_SNIFF_BYTES))
    except OSError:
        return False


def format_of(path: Path) -> str | None:
    """'jsonl', 'text', 'html', 'feed' or 'csv' from the file name; None if unknown.

    A .xml file is a feed only if its root element is <rss>, <feed> or <rdf:RDF>:
    sitemaps and other XML in a corpus folder are passed over.
    """
    name = path.name.lower()
    if name.endswith(jsonl.EXTENSIONS):
        return "jsonl"
    if name.endswith(TEXT_EXTENSIONS):
        return "text"
    if name.endswith(html.EXTENSIONS):
        return "html"
    if name.endswith(feed.EXTENSIONS):
        return "feed"
    if name.endswith(feed.XML_EXTENSIONS):
        return "feed" if _is_feed_file(path) else None
    if name.endswith(csv_source.EXTENSIONS):
        return "csv"
    return None


def corpus_files(paths: Iterable[Path]) -> Iterator[Path | Failure]:
    """Files to read under `paths`, sorted; unknown files named explicitly are failures.

    Inside a directory, files of unknown type (README.md, licences) and hidden
    files are passed over.
    """
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if not hidden and format_of(child) and not child.name.lower().startswith("readme"):
                    yield child
        elif path.is_file():
            if format_of(path):
                yield path
            else:
                known = ", ".join(KNOWN_EXTENSIONS)
                yield Failure(str(path), f"unknown file type (expected one of {known})")
        else:
            yield Failure(str(path), "no such file or directory")


def _count_jsonl_records(path: Path) -> int:
    try:
        with jsonl.open_text(path) as stream:
            return sum(1 for line in jsonl.bounded_lines(stream, path) if line is None or line.strip())
    except (OSError, EOFError, ValueError, SourceError, lzma.LZMAError, zlib.error):
        return 0  # read_file will report it, with its reason


# How many records a file of each format holds; any other file is one document.
_COUNTERS = {"jsonl": _count_jsonl_records, "feed": feed.count_entries, "csv": csv_source.count_rows}


def count_documents(paths: Iterable[Path]) -> int:
    """How many records the files under `paths` hold, for a progress bar (one per text file)."""
    files = (item for item in corpus_files(paths) if not isinstance(item, Failure))
    return sum(_COUNTERS.get(format_of(path), lambda _path: 1)(path) for path in files)


_READERS = {
    "jsonl": jsonl.read_jsonl,
    "text": text.read_text_file,
    "html": html.read_html_file,
    "feed": feed.read_feed,
    "csv": csv_source.read_csv,
}


def read_file(path: Path, csv_columns: Mapping[str, str] | None = None) -> Iterator[Document | Failure]:
    """Documents of one file; a file that cannot be read at all yields one Failure.

    `csv_columns` maps Document fields to a CSV file's column names (registry `columns`).
    """
    try:
        file_format = format_of(path)
        if file_format == "csv":
            yield from csv_source.read_csv(path, csv_columns)
        else:
            yield from _READERS.get(file_format, text.read_text_file)(path)
    except SourceError as error:
        yield Failure(str(path), str(error).removeprefix(f"{path}: "))
    except OSError as error:
        yield Failure(str(path), f"cannot read ({error.strerror or error})")


def read_sources(
    paths: Iterable[Path], csv_columns: Mapping[str, str] | None = None
) -> Iterator[Document | Failure]:
    """Every Document under `paths`, with a Failure for each file or record that failed."""
    for item in corpus_files(paths):
        if isinstance(item, Failure):
            yield item
        else:
            yield from read_file(item, csv_columns)


@dataclass(frozen=True)
class CorpusSource:
    """Where documents come from: files plus the defaults a librarian set for them.

    Paths given on the command line become one unnamed source; the registry
    (corpus/sources.toml) gives named ones, whose name is stored with each
    document so that one source can be reindexed on its own.
    """

    name: str = ""
    paths: tuple[Path, ...] = ()
    source: str = ""  # publication name for documents that carry none
    section: str = ""
    language: str = ""
    csv_columns: tuple[tuple[str, str], ...] = ()  # (Document field, CSV column) pairs


def _with_defaults(doc: Document, corpus_source: CorpusSource) -> Document:
    changes = {"collection": corpus_source.name}
    if corpus_source.source and not doc.source:
        changes["source"] = corpus_source.source
    if corpus_source.section and not doc.section:
        changes["section"] = corpus_source.section
    if corpus_source.language:
        changes["language"] = corpus_source.language
    if all(getattr(doc, k) == v for k, v in changes.items()):
        return doc
    return replace(doc, content_hash="", **changes)  # "" makes Document hash again


def read_corpus(sources: Iterable[CorpusSource]) -> Iterator[Document | Failure]:
    """Every Document of every source, with the source's defaults applied."""
    for corpus_source in sources:
        for item in read_sources(corpus_source.paths, dict(corpus_source.csv_columns) or None):
            yield item if isinstance(item, Failure) else _with_defaults(item, corpus_source)
