"""Turn a researcher's query text into a Whoosh query, or a QuerySyntaxError saying what to fix.

Syntax (documented in README and in the UI's help panel):
  words            all required: `souveraineté Mali`
  OR / OU          either: `Mali OR Niger`
  NOT / SAUF / -   exclude: `Mali -Niger`, `Mali NOT Niger`
  "..."            phrase: `"coopération sécuritaire"`
  field:value      title/titre, author/auteur, source, section/rubrique, tag, text/texte
  exact:word       exact word form, accents kept, no stemming: `exact:souverainetés`
  date:...         `date:2019`, `date:2019-03`, `date:[2018-01 TO 2019-06]`
  word*            prefix: `souverain*`
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import calendar
from datetime import date, timedelta
from dataclasses import dataclass

from whoosh import qparser, query
from whoosh.fields import Schema

from indexer.analysis import fold
from indexer.errors import LoupeError
from indexer.schema import DEFAULT_SEARCH_FIELDS, QUERY_FIELD_ALIASES

MAX_QUERY_LENGTH = 1000
MAX_QUERY_TERMS = 64
MIN_PREFIX_LENGTH = 2
# A `prefix*` costs about its number of words times its number of postings:
# `con*` (705 words, 113k postings) took 3.8 s on 34k articles, `sec*` (66, 19k) 0.4 s.
MAX_PREFIX_EXPANSION = 500
MAX_PREFIX_POSTINGS = 50_000
# Sorts after any digit or "-", so "2019-06" + this bounds every day of June 2019.
_END_OF_PERIOD = "~"
DATE_VALUE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_FIELD_PREFIX = re.compile(r'(?:^|[\s(])([^\W\d_]+):(?=\S)')
_UNQUOTED = re.compile(r'"[^"]*"')

# Fields whose words are folded at index time, so a prefix must be folded too.
_FOLDED_FIELDS = {"title", "text", "author", "source", "section", "tags"}


class QuerySyntaxError(LoupeError):
    """The query text cannot be understood; the message says where and how to fix it."""

    code = "query_syntax"


@dataclass(frozen=True)
class ParsedQuery:
    """The Whoosh query and whether the text held words that all were stop words."""

    whoosh_query: query.Query
    only_stop_words: bool


def check_date_value(value: str, what: str = "date", error: type[LoupeError] | None = None) -> str:
    """`value` if it is YYYY, YYYY-MM or a real YYYY-MM-DD day; else raise `error`."""
    valid = bool(DATE_VALUE.match(value))
    if valid and len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            valid = False
    if not valid:
        raise (error or QuerySyntaxError)(f"{what} {value!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _first_day(value: str) -> date:
    return date.fromisoformat(value + "-01-01"[len(value) - 4 :] if len(value) < 10 else value)


def _last_day(value: str) -> date:
    if len(value) == 10:
        return date.fromisoformat(value)
    year, month = int(value[:4]), int(value[5:7]) if len(value) == 7 else 12
    return date(year, month, calendar.monthrange(year, month)[1])


def _periods(low: date, high: date) -> list[query.Query]:
    """Whole years and months as single terms, the ragged ends as day ranges.

    A range of days is an OR of every day indexed in it; `2019 → 2020` as two
    year terms is what makes a filtered search cheap.
    """
    parts: list[query.Query] = []
    cursor = low
    while cursor <= high:
        year_end = date(cursor.year, 12, 31)
        month_end = date(cursor.year, cursor.month, calendar.monthrange(cursor.year, cursor.month)[1])
        if cursor.month == 1 and cursor.day == 1 and year_end <= high:
            parts.append(query.Term("year", str(cursor.year)))
            cursor = year_end
        elif cursor.day == 1 and month_end <= high:
            parts.append(query.Term("month", cursor.isoformat()[:7]))
            cursor = month_end
        else:
            until = min(month_end, high)
            parts.append(query.TermRange("date", cursor.isoformat(), until.isoformat()))
            cursor = until
        cursor += timedelta(days=1)
    return parts


MAX_DECOMPOSED_YEARS = 200


def _date_query(low: str | None, high: str | None) -> query.Query:
    """Published from `low` to `high` inclusive (validated YYYY[-MM[-DD]] or None)."""
    if low and high:
        first, last = _first_day(low), _last_day(high)
        if last < first:
            return query.NullQuery
        if last.year - first.year <= MAX_DECOMPOSED_YEARS:
            parts = _periods(first, last)
            return parts[0] if len(parts) == 1 else query.Or(parts)
    return query.TermRange("date", low, high + _END_OF_PERIOD if high else None)


def date_range(start: str | None, end: str | None) -> query.Query:
    """Documents published from `start` to `end` inclusive (each YYYY[-MM[-DD]] or None)."""
    low = check_date_value(start, "date_from") if start else None
    high = check_date_value(end, "date_to") if end else None
    return _date_query(low, high)


def _build_parser(schema: Schema) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(DEFAULT_SEARCH_FIELDS), schema, fieldboosts=DEFAULT_SEARCH_FIELDS, group=qparser.AndGroup
    )
    # Only a + or - that starts a word is an operator: `sino-maliennes` is one word.
    parser.add_plugin(
        qparser.PlusMinusPlugin(plusexpr=r"(?:^|(?<=[\s(]))\+(?=\S)", minusexpr=r"(?:^|(?<=[\s(]))-(?=\S)")
    )
    aliases: dict[str, list[str]] = {}
    for alias, fieldname in QUERY_FIELD_ALIASES.items():
        if alias != fieldname:
            aliases.setdefault(fieldname, []).append(alias)
    parser.add_plugin(qparser.FieldAliasPlugin(aliases))
    parser.replace_plugin(
        qparser.OperatorsPlugin(
            And=r"(?<=\s)(AND|ET)(?=\s)",
            Or=r"(?<=\s)(OR|OU)(?=\s)",
            AndNot=r"(?<=\s)ANDNOT(?=\s)",
            AndMaybe=r"(?<=\s)ANDMAYBE(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(NOT|SAUF)(?=\s)",
        )
    )
    # `*` alone would match every term of the index.
    parser.remove_plugin_class(qparser.EveryPlugin)
    return parser


_parsers: dict[int, qparser.QueryParser] = {}


def _parser_for(schema: Schema) -> qparser.QueryParser:
    parser = _parsers.get(id(schema))
    if parser is None:
        parser = _parsers[id(schema)] = _build_parser(schema)
    return parser


def _check_fields(query_text: str) -> None:
    """Name the unknown field in `autor:AFP` instead of silently searching the words."""
    unquoted = _UNQUOTED.sub(" ", query_text)
    for match in _FIELD_PREFIX.finditer(unquoted):
        name = match.group(1)
        if name.lower() not in QUERY_FIELD_ALIASES and not name.lower().startswith("http"):
            known = ", ".join(sorted(QUERY_FIELD_ALIASES))
            raise QuerySyntaxError(f"unknown field {name!r} in {name}:…; use one of: {known}")


def _rewrite(node: query.Query) -> query.Query:
    """Dates become prefixes and ranges over YYYY-MM-DD; prefixes are folded and checked."""
    node = node.apply(_rewrite) if not node.is_leaf() else node
    field = getattr(node, "fieldname", None)
    if field == "date":
        if isinstance(node, query.Term):
            return query.Prefix("date", check_date_value(node.text), boost=node.boost)
        if isinstance(node, query.TermRange):
            low = check_date_value(node.start) if node.start else None
            high = check_date_value(node.end) if node.end else None
            return _date_query(low, high)
        if isinstance(node, (query.Prefix, query.Wildcard, query.Phrase)):
            raise QuerySyntaxError("date: takes YYYY, YYYY-MM, YYYY-MM-DD or [YYYY-MM TO YYYY-MM]")
    if isinstance(node, query.Every):
        raise QuerySyntaxError("* alone matches every article: leave the box empty and use the filters to browse")
    if isinstance(node, (query.Prefix, query.Wildcard)):
        text = node.text.lower()
        if field in _FOLDED_FIELDS:
            text = fold(text)
        if len(text.rstrip("*?")) < MIN_PREFIX_LENGTH or text.startswith(("*", "?")):
            raise QuerySyntaxError(
                f"{node.text}* is too short: give at least {MIN_PREFIX_LENGTH} letters before *"
            )
        return type(node)(field, text, boost=node.boost)
    return node


def _count_terms(node: query.Query) -> int:
    return 1 if node.is_leaf() else sum(_count_terms(child) for child in node.children())


def check_expansions(whoosh_query: query.Query, reader) -> None:
    """Refuse a prefix or wildcard that stands for too many words: it would take seconds."""
    leaves = [whoosh_query] if whoosh_query.is_leaf() else whoosh_query.leaves()
    for leaf in leaves:
        if isinstance(leaf, query.MultiTerm) and leaf.fieldname != "date":
            words = list(itertools.islice(leaf._btexts(reader), MAX_PREFIX_EXPANSION + 1))
            postings = sum(reader.doc_frequency(leaf.fieldname, word) for word in words)
            if len(words) > MAX_PREFIX_EXPANSION or postings > MAX_PREFIX_POSTINGS:
                raise QuerySyntaxError(
                    f"{leaf.text}* stands for too many words ({len(words):,}{'+' if len(words) > MAX_PREFIX_EXPANSION else ''}"
                    f" words in {postings:,} places); give more letters before the *"
                )


def parse_query(query_text: str, schema: Schema) -> ParsedQuery:
    """Parse `query_text`; raise QuerySyntaxError with a message a researcher can act on."""
    query_text = unicodedata.normalize("NFC", query_text).strip()
    if len(query_text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query is {len(query_text)} characters long; the limit is {MAX_QUERY_LENGTH}")
    if query_text.count('"') % 2:
        raise QuerySyntaxError('a phrase is not closed: add the missing " or remove the lone one')
    if query_text.count("(") != query_text.count(")"):
        raise QuerySyntaxError("parentheses do not match: check every ( has its )")
    _check_fields(query_text)
    try:
        parsed = _parser_for(schema).parse(query_text)
    except Exception as error:  # Whoosh raises assorted types on odd input
        raise QuerySyntaxError(f"cannot read this query ({error}); check quotes, parentheses and field names") from None
    parsed = _rewrite(parsed).normalize()
    if _count_terms(parsed) > MAX_QUERY_TERMS:
        raise QuerySyntaxError(f"query has more than {MAX_QUERY_TERMS} terms; use fewer words")
    has_words = any(ch.isalnum() for ch in query_text)
    only_stop_words = has_words and parsed is query.NullQuery
    return ParsedQuery(parsed, only_stop_words)
