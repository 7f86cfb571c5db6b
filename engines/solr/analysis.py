"""Loupe's analysis as Solr documents: PreAnalyzedField JSON with the terms and positions the Whoosh index holds.

The *_t fields of the configset are `solr.PreAnalyzedField` (JSON parser): Solr
indexes the tokens it is given. They come from the very analyzers the Whoosh
schema uses (indexer/analysis.py), run the way Whoosh runs them when it
indexes, so both engines hold the same terms at the same positions: the
variants FrenchStemFilter emits for one word share its position (increment 0),
and stop words leave no gap (FrenchStopFilter renumbers), so a phrase query
matches on both alike.

Tokens carry no character offsets: the schema indexes positions only, and
offsets doubled the request size (Solr took 388 instead of 545 docs/s).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Iterator

from engines.whoosh.schema import TAG_SEPARATOR
from engines.whoosh.writer import document_fields
from indexer.analysis import ExactAnalyzer, FrenchAnalyzer, NameAnalyzer
from indexer.document import Document

ANALYSES = ("pre", "lucene")  # pre: Loupe's tokens in the *_t fields; lucene: raw text in title_l/text_l

# Solr field → (the document_fields value it analyses, the analyzer Whoosh's schema gives it).
PREANALYZED_FIELDS: dict[str, tuple[str, Callable]] = {
    "title_t": ("title", FrenchAnalyzer),
    "text_t": ("text", FrenchAnalyzer),
    "exact_t": ("exact", ExactAnalyzer),
    "author_t": ("author", NameAnalyzer),
    "source_t": ("source", NameAnalyzer),
    "section_t": ("section", NameAnalyzer),
    "tags_t": ("tags", NameAnalyzer),  # tags joined with TAG_SEPARATOR, as Whoosh indexes them
    "person_t": ("person", NameAnalyzer),
    "place_t": ("place", NameAnalyzer),
    "org_t": ("org", NameAnalyzer),
}
# With analysis="lucene" these hold the raw text and Solr's French chain analyses it instead.
LUCENE_FIELDS = {"title_t": "title_l", "text_t": "text_l"}
STORED_FIELDS = ("title", "summary", "body", "url", "origin", "author", "source", "section", "language",
                 "content_hash", "collection")
# Absent when the article has no value, so that "unknown" is never a facet value nor a date.
OPTIONAL_FIELDS = ("author_facet", "source_facet", "section_facet", "date", "year", "month", "added", "story")
# Multi-valued columns, joined with TAG_SEPARATOR in document_fields.
LIST_FIELDS = ("person_facet", "place_facet", "org_facet", "person_form", "place_form", "org_form")

# One analyzer of each kind per process (the pool's workers build their own).
_analyzers: dict[Callable, object] = {}


def _analyzer(factory: Callable):
    analyzer = _analyzers.get(factory)
    if analyzer is None:
        analyzer = _analyzers[factory] = factory()
    return analyzer


def _recorded(stream: Iterable, into: list[dict]) -> Iterator:
    """Pass Whoosh's tokens on, appending each one's PreAnalyzedField token to `into` as it goes by.

    A PreAnalyzedField token is the term `t` and, when it is not 1, the position
    increment `i`: Whoosh gives absolute positions, Lucene takes increments (the
    first is the position + 1, Lucene starting at -1; a word's variants get 0).
    Whoosh reuses one token object, so it is read here, before later filters change it.
    """
    last_position = -1
    for token in stream:
        increment = token.pos - last_position
        last_position = token.pos
        into.append({"t": token.text} if increment == 1 else {"t": token.text, "i": increment})
        yield token


def _index_tokens(factory: Callable, text: str):
    return _analyzer(factory)(text, positions=True, mode="index")


def tokens(factory: Callable, text: str) -> list[dict]:
    """The PreAnalyzedField tokens of `text` under the analyzer `factory` builds."""
    found: list[dict] = []
    for _token in _recorded(_index_tokens(factory, text), found):
        pass
    return found


def french_and_exact_tokens(text: str) -> tuple[list[dict], list[dict]]:
    """tokens(FrenchAnalyzer, text) and tokens(ExactAnalyzer, text) in one pass.

    The French chain is the exact chain followed by the stop and stem filters,
    so the words are cut, elided and lowercased once: the full text is analysed
    twice per article, and that is most of an indexing run's time.
    """
    exact_chain, french_chain = _analyzer(ExactAnalyzer), _analyzer(FrenchAnalyzer)
    shared = len(exact_chain.items)
    if french_chain.items[:shared] != exact_chain.items:
        raise RuntimeError("FrenchAnalyzer no longer starts with ExactAnalyzer's chain: analyse them apart")
    french: list[dict] = []
    exact: list[dict] = []
    stream = _recorded(_index_tokens(ExactAnalyzer, text), exact)
    for item in french_chain.items[shared:]:
        stream = item(stream)
    for _token in _recorded(stream, french):
        pass
    return french, exact


def preanalyzed(found: list[dict]) -> str | None:
    """Tokens as a PreAnalyzedField JSON value; None when there is none."""
    if not found:
        return None
    return json.dumps({"v": "1", "tokens": found}, ensure_ascii=False, separators=(",", ":"))


def solr_document(doc: Document, analysis: str = "pre") -> dict:
    """The Solr fields of one Document: the Whoosh fields (document_fields), analysed by Loupe or left to Lucene."""
    fields = document_fields(doc)
    solr = {"id": doc.id, **{name: fields[name] for name in STORED_FIELDS}, "tags": list(doc.tags)}
    solr.update({name: fields[name] for name in OPTIONAL_FIELDS if fields.get(name)})
    if doc.tags:
        solr["tag_facet"] = list(doc.tags)
    solr.update({name: fields[name].split(TAG_SEPARATOR) for name in LIST_FIELDS if fields.get(name)})
    if doc.signature:
        solr["signature"] = base64.b64encode(doc.signature).decode("ascii")
    if doc.entities:
        solr["entities"] = json.dumps(fields["entities"], ensure_ascii=False)
    analysed: dict[str, list[dict]] = {}
    if analysis == "lucene":
        solr.update({LUCENE_FIELDS[name]: fields[PREANALYZED_FIELDS[name][0]] for name in LUCENE_FIELDS})
        analysed["exact_t"] = tokens(ExactAnalyzer, fields["exact"])
    else:
        analysed["title_t"] = tokens(FrenchAnalyzer, fields["title"])
        analysed["text_t"], analysed["exact_t"] = french_and_exact_tokens(fields["text"])
    for name, (source, factory) in PREANALYZED_FIELDS.items():
        if name not in analysed and name not in LUCENE_FIELDS:
            analysed[name] = tokens(factory, fields.get(source, ""))
    solr.update({name: value for name, found in analysed.items() if (value := preanalyzed(found))})
    return solr


def update_body(docs: list[Document], analysis: str = "pre") -> bytes:
    """The JSON body of one /update request adding `docs`."""
    return json.dumps([solr_document(doc, analysis) for doc in docs], ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
