"""JSON Lines exports (the OrangeSum layout), plain or compressed with xz or gzip."""

from __future__ import annotations

import gzip
import json
import lzma
import zlib
import unicodedata
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO

from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.outcome import Failure

EXTENSIONS = (".jsonl", ".jsonl.xz", ".jsonl.gz", ".ndjson")
# One record is one line: far above any article, far below what a compressed bomb unpacks to
# (a 156 kB .xz can hold one 1 GiB line). A longer line is skipped without being held in memory.
MAX_LINE_CHARS = 16 * 1024 * 1024
MAX_FILE_CHARS = 4 * 1024 ** 3  # the decompressed text of one file
_SKIP_CHUNK = 1024 * 1024


def open_text(path: Path) -> IO[str]:
    name = path.name.lower()
    if name.endswith(".xz"):
        return lzma.open(path, "rt", encoding="utf-8-sig")
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, "rt", encoding="utf-8-sig")


def bounded_lines(stream: IO[str], path: Path) -> Iterator[str | None]:
    """The lines of `stream`; None for one over MAX_LINE_CHARS, read past in chunks, never whole.

    Raises SourceError once the file has given MAX_FILE_CHARS: what it holds beyond is not read.
    """
    total = 0
    while True:
        line = stream.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        total += len(line)
        too_long = len(line) > MAX_LINE_CHARS
        while too_long and not line.endswith("\n"):
            line = stream.readline(_SKIP_CHUNK)
            total += len(line)
            if not line or total > MAX_FILE_CHARS:
                break
        if total > MAX_FILE_CHARS:
            raise SourceError(f"{path}: holds over {MAX_FILE_CHARS:,} characters of text once decompressed; "
                              "split it into smaller files")
        yield None if too_long else line


def parse_published(value: object) -> date | None:
    """`2020-07-02T19:19:33+02:00`, `2020-07-02` or `2020` → a date; None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"date must be a string, got {type(value).__name__}")
    text = value.strip()
    if len(text) == 4 and text.isdigit():
        return date(int(text), 1, 1)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"date {text!r} is not ISO 8601 (YYYY-MM-DD)") from None


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} must be a string")
    return unicodedata.normalize("NFC", value).strip()


def _tags(record: dict) -> tuple[str, ...]:
    value = record.get("tags") or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("field 'tags' must be a list of strings")
    tags = (unicodedata.normalize("NFC", str(tag)).strip() for tag in value)
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def record_to_document(record: object, origin: str) -> Document:
    """One JSON object → a Document; ValueError says what is missing or wrong."""
    if not isinstance(record, dict):
        raise ValueError("line is not a JSON object")
    body = _text(record, "body")
    if not body:
        raise ValueError("record has no body")
    url = _text(record, "url")
    doc_id = _text(record, "id") if record.get("id") is not None else ""
    if not doc_id:
        doc_id = stable_id("url", url) if url else stable_id("origin", origin)
    return Document(
        id=doc_id,
        title=_text(record, "title") or body[:80],
        body=body,
        summary=_text(record, "summary"),
        url=url,
        source=_text(record, "source"),
        author=_text(record, "author"),
        published=parse_published(record.get("published", record.get("date"))),
        section=_text(record, "section"),
        tags=_tags(record),
        language=_text(record, "language") or "fr",
        origin=origin,
    )


def read_jsonl(path: Path) -> Iterator[Document | Failure]:
    """Documents of a JSONL file; a bad line becomes a Failure and the rest goes on."""
    try:
        with open_text(path) as stream:
            for number, line in enumerate(bounded_lines(stream, path), start=1):
                origin = f"{path}:{number}"
                if line is None:
                    yield Failure(origin, f"line longer than {MAX_LINE_CHARS // (1024 * 1024)} MB: skipped "
                                          "(one record per line, each an article)")
                    continue
                if not line.strip():
                    continue
                try:
                    yield record_to_document(json.loads(line), origin)
                except json.JSONDecodeError as error:
                    yield Failure(origin, f"not valid JSON ({error.msg} at column {error.colno})")
                except ValueError as error:
                    yield Failure(origin, str(error))
    except (OSError, EOFError, lzma.LZMAError, zlib.error, UnicodeDecodeError) as error:
        raise SourceError(f"{path}: cannot read ({error})") from error
