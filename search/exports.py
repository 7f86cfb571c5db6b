"""Citable exports of a whole search: CSV, JSON Lines, RIS and BibTeX.

Every export holds all hits of the search in its order, up to EXPORT_CAP, not
only the page on screen.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from engines.base import Engine
from indexer.analysis import fold
from search.request import SearchRequest
from search.results import article_metadata
from search.service import ranked_articles

EXPORT_CAP = 5_000
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
}
CSV_COLUMNS = ("id", "title", "author", "source", "published", "section", "tags", "url", "archive_url")


@dataclass(frozen=True)
class ExportRecord:
    id: str
    title: str
    author: str
    source: str
    published: str  # YYYY-MM-DD or ""
    section: str
    tags: tuple[str, ...]
    url: str
    archive_url: str


def export_records(
    engine: Engine, request: SearchRequest, archive_url_for, cap: int = EXPORT_CAP
) -> list[ExportRecord]:
    """All hits of `request` (up to `cap`) as plain records; `archive_url_for(id)` links the archive."""
    records = []
    for article in ranked_articles(engine, request, cap):
        metadata = article_metadata(article)
        metadata.update(published=metadata["published"] or "", tags=tuple(metadata["tags"]))
        records.append(ExportRecord(**metadata, archive_url=archive_url_for(metadata["id"])))
    return records


def to_csv(records: list[ExportRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in records:
        writer.writerow([r.id, r.title, r.author, r.source, r.published, r.section, "; ".join(r.tags), r.url, r.archive_url])
    return out.getvalue()


def to_jsonl(records: list[ExportRecord]) -> str:
    lines = []
    for r in records:
        item = {**r.__dict__, "tags": list(r.tags)}
        lines.append(json.dumps(item, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def to_ris(records: list[ExportRecord], accessed: date) -> str:
    """RIS, type NEWS (newspaper article); Y2 is the access date."""
    entries = []
    for r in records:
        lines = ["TY  - NEWS", f"ID  - {r.id}", f"TI  - {_one_line(r.title)}"]
        if r.author:
            lines.append(f"AU  - {_one_line(r.author)}")
        if r.source:
            lines.append(f"T2  - {_one_line(r.source)}")
        if r.published:
            lines.append(f"PY  - {r.published[:4]}")
            lines.append(f"DA  - {r.published.replace('-', '/')}")
        if r.section:
            lines.append(f"SE  - {_one_line(r.section)}")
        lines += [f"KW  - {_one_line(tag)}" for tag in r.tags]
        if r.url or r.archive_url:
            lines.append(f"UR  - {r.url or r.archive_url}")
        lines.append(f"Y2  - {accessed.strftime('%Y/%m/%d')}")
        lines.append("ER  - ")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


_BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIALS.get(c, c) for c in _one_line(text))


# Bylines that name an agency or a desk, not a person: kept whole in BibTeX.
_CORPORATE_WORDS = re.compile(r"\b(AFP|Reuters|avec|Services?|Media|Médias?|Source|Rédaction|Redaction|Orange|BFMTV|AP)\b", re.I)


# Lowercase particles of personal names: "Charles de Gaulle" is still a person.
_NAME_PARTICLES = frozenset("de du des d' d’ le la van von der da di".split())


def _bibtex_author(author: str) -> str:
    """A person's name as is (BibTeX splits first and last name); an agency in braces."""
    words = author.split()
    names = [w for w in words if w.lower() not in _NAME_PARTICLES]
    person = (
        2 <= len(words) <= 5
        and len(names) >= 2
        and not _CORPORATE_WORDS.search(author)
        and all(w[0].isupper() for w in names)
    )
    escaped = _bibtex_escape(author)
    return escaped if person else "{" + escaped + "}"


def _bibtex_key(r: ExportRecord, used: set[str]) -> str:
    """An ASCII key from year, first long title word and id; unique within the export."""
    first_word = next((w for w in re.findall(r"\w+", fold(r.title).lower()) if len(w) > 3), "article")
    raw = f"{r.published[:4] or 'nd'}{first_word}{r.id}"
    base = re.sub(r"[^A-Za-z0-9]", "", unicodedata.normalize("NFKD", fold(raw))) or "loupe"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}{n}"
    used.add(key)
    return key


def to_bibtex(records: list[ExportRecord], accessed: date) -> str:
    """BibLaTeX-style @article entries with entrysubtype newspaper; UTF-8, specials escaped."""
    used: set[str] = set()
    entries = []
    for r in records:
        fields = [("title", "{" + _bibtex_escape(r.title) + "}")]
        if r.author:
            fields.append(("author", _bibtex_author(r.author)))
        if r.source:
            fields.append(("journal", _bibtex_escape(r.source)))
        fields.append(("entrysubtype", "newspaper"))
        if r.published:
            fields.append(("date", r.published))
            fields.append(("year", r.published[:4]))
        if r.section:
            fields.append(("note", "Rubrique : " + _bibtex_escape(r.section)))
        if r.tags:
            fields.append(("keywords", _bibtex_escape(", ".join(r.tags))))
        if r.url or r.archive_url:
            fields.append(("url", r.url or r.archive_url))
        fields.append(("urldate", accessed.isoformat()))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@article{{{_bibtex_key(r, used)},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def render_export(fmt: str, records: list[ExportRecord], accessed: date) -> str:
    if fmt == "csv":
        return to_csv(records)
    if fmt == "jsonl":
        return to_jsonl(records)
    if fmt == "ris":
        return to_ris(records, accessed)
    return to_bibtex(records, accessed)
