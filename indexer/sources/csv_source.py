"""CSV exports → Documents, with a mapping from Document fields to the file's column names."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path

from indexer.document import Document
from indexer.errors import SourceError
from indexer.sources.encoding import decode_source_bytes, read_source_bytes
from indexer.sources.jsonl import record_to_document
from indexer.sources.outcome import Failure

EXTENSIONS = (".csv",)
DELIMITERS = (",", ";", "\t")
# Document field → column name; the defaults are the JSONL layout's keys ("date", not "published").
DEFAULT_COLUMNS: Mapping[str, str] = {
    "id": "id", "title": "title", "summary": "summary", "body": "body", "url": "url",
    "source": "source", "author": "author", "published": "date", "section": "section",
    "tags": "tags", "language": "language",
}
_TAG_SEPARATORS = re.compile(r"[;|]")
_FRENCH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # 02/07/2020, as French spreadsheets write it
# Article bodies outgrow csv's default 128 KiB field limit; the limit is process-wide.
_FIELD_LIMIT = 64 * 1024 * 1024


def column_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """The defaults overridden by `mapping`; a key that is no Document field is a SourceError."""
    unknown = sorted(set(mapping or {}) - set(DEFAULT_COLUMNS))
    if unknown:
        fields = ", ".join(DEFAULT_COLUMNS)
        raise SourceError(f"unknown Document field {', '.join(map(repr, unknown))} in the column mapping; use {fields}")
    return {**DEFAULT_COLUMNS, **(mapping or {})}


def sniff_delimiter(header_line: str) -> str:
    """The delimiter among `,` `;` and tab that cuts the header into the most columns.

    csv.Sniffer guesses from character frequencies over the whole sample and picks
    "," in French text full of commas; a header line has no prose, so counting there is safe.
    """
    widths = {d: len(next(csv.reader([header_line], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (widths[d], -DELIMITERS.index(d)))


def _iso_date(value: str) -> str:
    """`02/07/2020` → `2020-07-02`; anything else is left for the JSONL date parser to judge."""
    found = _FRENCH_DATE.fullmatch(value.strip())
    if not found:
        return value
    day, month, year = map(int, found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"date {value!r} is not a calendar date (DD/MM/YYYY)") from None


def _record(row: list[str], header: list[str], columns: dict[str, str]) -> dict:
    """A row → a record in the JSONL layout, for jsonl.record_to_document."""
    cells = dict(zip(header, row))
    record = {field: cells.get(column, "") for field, column in columns.items()}
    record["date"] = _iso_date(record.pop("published"))
    record["tags"] = [tag.strip() for tag in _TAG_SEPARATORS.split(record["tags"]) if tag.strip()]
    record["id"] = record["id"].strip() or None
    return record


def _text(path: Path) -> str:
    return decode_source_bytes(path, read_source_bytes(path))


def read_csv(path: Path, mapping: Mapping[str, str] | None = None) -> Iterator[Document | Failure]:
    """Documents of a CSV file with a header row; a bad row becomes a Failure `file:line`."""
    try:
        columns = column_mapping(mapping)
    except SourceError as error:
        raise SourceError(f"{path}: {error}") from None
    text = _text(path)
    header_line = next(iter(text.splitlines()), "")
    if not header_line.strip():
        raise SourceError(f"{path}: no header row; the first line must name the columns")
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(header_line))
    header = [name.strip() for name in next(rows)]
    if columns["body"] not in header:
        raise SourceError(
            f"{path}: no column {columns['body']!r} for the article body "
            f"(columns: {', '.join(header)}); name it in the source's column mapping"
        )
    line = rows.line_num
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a quote never closed: the rest of the file is one field
            yield Failure(f"{path}:{line + 1}", f"unreadable CSV ({error})")
            return
        origin, line = f"{path}:{line + 1}", rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Failure(origin, f"{len(row)} columns where the header has {len(header)}; check the quoting")
            continue
        try:
            yield record_to_document(_record(row, header, columns), origin)
        except ValueError as error:
            yield Failure(origin, str(error))


def count_rows(path: Path) -> int:
    """How many non-blank records a CSV file holds, for a progress bar."""
    try:
        text = _text(path)
        lines = text.splitlines()
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(lines[0] if lines else ""))
        return max(0, sum(1 for row in rows if any(cell.strip() for cell in row)) - 1)
    except (SourceError, csv.Error):
        return 0
