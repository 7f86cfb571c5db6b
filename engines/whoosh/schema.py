"""The Whoosh schema, built in one place, and the names of its facet fields."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import RegexTokenizer

from engines.base import MULTI_VALUED_FACETS  # noqa: F401 (the columns' multi-valued facets)
from indexer.analysis import ExactAnalyzer, FrenchAnalyzer, NameAnalyzer
from indexer.entities import ENTITY_TYPES

# Facets a user can filter on, mapped to the index column that holds their values.
FACET_FIELDS: dict[str, str] = {
    "source": "source_facet",
    "author": "author_facet",
    "section": "section_facet",
    "tag": "tag_facet",
    "year": "year",
    "person": "person_facet",
    "place": "place_facet",
    "org": "org_facet",
}
# Entity facets hold merged keys (indexer/entities.entity_key); `<type>_form` holds
# "key\x1eform" per article, from which a facet shows each key's most used form.
ENTITY_FACETS = ENTITY_TYPES

# Fields searched by plain words, with their boosts. `text` holds the title too, so
# a title word already counts there: the extra half makes it weigh 1.5× a body
# word. A boost of 3 let a title sharing one or two words outrank the article
# that holds them all (known-item MRR@10 with any word: 0.75 at 3, 0.93 at 0.5).
DEFAULT_SEARCH_FIELDS: dict[str, float] = {"title": 0.5, "text": 1.0}

# 3: inflections put back to the masculine singular before stemming, stem overrides (issue 13).
# 4: added, story, signature, people, places and organisations (issue 18).
SCHEMA_VERSION = 4


def term_text(term: str | bytes) -> str:
    """A term as text: Whoosh's lexicons hand out bytes."""
    return term.decode("utf-8") if isinstance(term, bytes) else term
TAG_SEPARATOR = "\x1f"  # between tags in the stored `tags` and in `tag_facet`


def build_schema() -> fields.Schema:
    french = FrenchAnalyzer()
    names = NameAnalyzer()
    stored_text = dict(analyzer=french, stored=True, phrase=True)
    stored_text_field = fields.TEXT(**stored_text)
    stored_text_field.multitoken_query = "phrase"  # `sino-maliennes` is one phrase
    text_field = fields.TEXT(analyzer=french, phrase=True)
    text_field.multitoken_query = "phrase"
    exact_field = fields.TEXT(analyzer=ExactAnalyzer(), phrase=True)
    exact_field.multitoken_query = "phrase"
    # Tags are joined with TAG_SEPARATOR, a character no tag contains, so a tag
    # such as "bateau, yacht et hors-bord" stays one facet value.
    def separated_values() -> fields.KEYWORD:
        column = fields.KEYWORD(lowercase=False)
        column.analyzer = RegexTokenizer(rf"[^{TAG_SEPARATOR}]+")
        return column

    tag_facet = separated_values()
    entity_fields = {}
    for kind in ENTITY_FACETS:
        entity_fields[kind] = fields.TEXT(analyzer=names, phrase=True)  # `personne:Macron`
        entity_fields[f"{kind}_facet"] = separated_values()
        entity_fields[f"{kind}_form"] = separated_values()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=stored_text_field,
        # title + summary + body, searched by plain words; not stored (summary and
        # body are stored below without indexing).
        text=text_field,
        exact=exact_field,
        summary=fields.STORED(),
        body=fields.STORED(),
        url=fields.STORED(),
        origin=fields.STORED(),
        content_hash=fields.ID(stored=True),
        language=fields.ID(stored=True),
        collection=fields.ID(stored=True),
        author=fields.TEXT(analyzer=names, stored=True),
        source=fields.TEXT(analyzer=names, stored=True),
        section=fields.TEXT(analyzer=names, stored=True),
        tags=fields.TEXT(analyzer=names, stored=True),  # stored as "a\x1fb"
        author_facet=fields.ID(sortable=True),
        source_facet=fields.ID(sortable=True),
        section_facet=fields.ID(sortable=True),
        tag_facet=tag_facet,
        # "YYYY-MM-DD" strings sort and range like dates; empty when unknown.
        date=fields.ID(stored=True, sortable=True),
        year=fields.ID(sortable=True),
        month=fields.ID(sortable=True),
        added=fields.ID(stored=True, sortable=True),  # UTC YYYY-MM-DDTHH:MM:SS it entered the index
        story=fields.ID(stored=True, sortable=True),
        signature=fields.STORED(),
        entities=fields.STORED(),  # [[type, key, form], …]
        **entity_fields,
    )
