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
from urllib.parse import quote

from engines.base import Engine
from indexer.analysis import fold
from search.bylines import person_name
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


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe in a spreadsheet: text that could start a formula gets a leading quote, as OWASP advises."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows) -> str:
    """CSV with the header, every text cell neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


def to_csv(records: list[ExportRecord]) -> str:
    return csv_text(list(CSV_COLUMNS), (
        [r.id, r.title, r.author, r.source, r.published, r.section, "; ".join(r.tags), r.url, r.archive_url]
        for r in records
    ))


def to_jsonl(records: list[ExportRecord]) -> str:
    lines = []
    for r in records:
        # The shape of the API's hits: no date is null, not "".
        item = {**r.__dict__, "published": r.published or None, "tags": list(r.tags)}
        lines.append(json.dumps(item, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def _one_line(text: str) -> str:
    """Any run of white space (newlines, U+2028…) as one space: a field cannot start a new tag or entry."""
    return re.sub(r"\s+", " ", text).strip()


def safe_url(url: str) -> str:
    """The URL as a URI with no space, brace, backslash or quote left: safe inside RIS lines and BibTeX braces."""
    return quote(_one_line(url), safe=":/?#[]@!$&'()*+,;=%~")


def _ris_date(day: str) -> str:
    """RIS dates are YYYY/MM/DD/ (the last slash opens the free "other" part; citation-js needs it)."""
    return day.replace("-", "/") + "/"


def ris_author(byline: str) -> str:
    """A person as `Family, Given`; an agency or desk whole, without commas.

    Zotero's RIS reader takes what precedes the first comma as the family name and
    imports a name without a comma as one institutional name (`fieldMode` 1), as
    citation-js does: so an agency keeps no comma (`6Medias avec L'Express`).
    """
    person = person_name(byline)
    if person:
        return f"{_one_line(person.family)}, {_one_line(person.given)}"
    return _one_line(byline.replace(",", " "))


def to_ris(records: list[ExportRecord], accessed: date, note: str = "") -> str:
    """RIS, type NEWS (a newspaper article in Zotero, EndNote and Mendeley); Y2 is the access date;
    `note` (the search that found them: query, count, day, pinned permalink) goes in N1."""
    entries = []
    for r in records:
        lines = ["TY  - NEWS", f"ID  - {_one_line(r.id)}", f"TI  - {_one_line(r.title)}"]
        if r.author:
            lines.append(f"AU  - {ris_author(r.author)}")
        if r.source:
            lines.append(f"T2  - {_one_line(r.source)}")
        if r.published:
            lines.append(f"PY  - {r.published[:4]}")
            lines.append(f"DA  - {_ris_date(r.published)}")
        if r.section:
            lines.append(f"SE  - {_one_line(r.section)}")
        lines += [f"KW  - {_one_line(tag)}" for tag in r.tags]
        if r.url or r.archive_url:
            lines.append(f"UR  - {safe_url(r.url or r.archive_url)}")
        lines.append(f"Y2  - {_ris_date(accessed.isoformat())}")
        if note:
            lines.append(f"N1  - {_one_line(note)}")
        lines.append("ER  - ")
        entries.append("\n".join(lines))
    return "\n\n".join(entries) + "\n"


_BIBTEX_SPECIALS = {"\\": r"\textbackslash{}", "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
                    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
# BibTeX counts braces even when escaped, so a brace without its partner is written as
# LaTeX's text command for it: an unmatched } can no longer end the field (and forge one).
_LONE_OPEN, _LONE_CLOSE = r"\textbraceleft{}", r"\textbraceright{}"


def _unmatched_braces(text: str) -> set[int]:
    """Positions of the braces of `text` that have no partner."""
    opened: list[int] = []
    lone: set[int] = set()
    for i, char in enumerate(text):
        if char == "{":
            opened.append(i)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                lone.add(i)
    return lone | set(opened)


def _bibtex_escape(text: str) -> str:
    """Text for a BibTeX value: LaTeX specials escaped, braces always balanced."""
    text = _one_line(text)
    lone = _unmatched_braces(text)
    out = []
    for i, char in enumerate(text):
        if char in "{}":
            out.append((_LONE_OPEN if char == "{" else _LONE_CLOSE) if i in lone else "\\" + char)
        else:
            out.append(_BIBTEX_SPECIALS.get(char, char))
    return "".join(out)


def bibtex_author(byline: str) -> str:
    """A person's name as BibTeX reads it (`Florian Lautre`, or `SANGARÉ, Haoua` when the family name comes first);
    an agency or desk in braces, so that BibTeX, biber and Zotero keep it as one institutional name."""
    person = person_name(byline)
    if person is None:
        return "{" + _bibtex_escape(byline) + "}"
    if person.family_last:
        return _bibtex_escape(byline)
    return f"{_bibtex_escape(person.family)}, {_bibtex_escape(person.given)}"


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


def to_bibtex(records: list[ExportRecord], accessed: date, note: str = "") -> str:
    """BibLaTeX-style @article entries with entrysubtype newspaper; UTF-8, specials escaped, braces balanced.

    biblatex reads `entrysubtype = {newspaper}` as a newspaper article; Zotero's BibTeX
    importer reads no entrysubtype and files every @article as a journal article
    (RIS's TY NEWS is the format that reaches Zotero as a newspaper article).
    """
    used: set[str] = set()
    entries = []
    for r in records:
        fields = [("title", "{" + _bibtex_escape(r.title) + "}")]
        if r.author:
            fields.append(("author", bibtex_author(r.author)))
        if r.source:
            fields.append(("journal", _bibtex_escape(r.source)))
        fields.append(("entrysubtype", "newspaper"))
        if r.published:
            fields.append(("date", _bibtex_escape(r.published)))
            fields.append(("year", _bibtex_escape(r.published[:4])))
        notes = ["Rubrique : " + _bibtex_escape(r.section)] if r.section else []
        if note:
            notes.append(_bibtex_escape(note))
        if notes:
            fields.append(("note", ". ".join(notes)))
        if r.tags:
            fields.append(("keywords", _bibtex_escape(", ".join(r.tags))))
        if r.url or r.archive_url:
            fields.append(("url", safe_url(r.url or r.archive_url)))
        fields.append(("urldate", accessed.isoformat()))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@article{{{_bibtex_key(r, used)},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


def render_export(fmt: str, records: list[ExportRecord], accessed: date, note: str = "") -> str:
    """The records in `fmt`; RIS and BibTeX carry `note`, the citation of the search, in each record."""
    if fmt == "csv":
        return to_csv(records)
    if fmt == "jsonl":
        return to_jsonl(records)
    if fmt == "ris":
        return to_ris(records, accessed, note)
    return to_bibtex(records, accessed, note)
