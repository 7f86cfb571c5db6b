"""Loupe's analysis as PreAnalyzedField tokens: the terms and positions the Whoosh index holds, field by field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from hypothesis import given, settings, strategies as st

from engines.solr.analysis import french_and_exact_tokens, solr_document, tokens
from engines.whoosh import build_index
from engines.whoosh.store import open_current
from indexer.analysis import ExactAnalyzer, FrenchAnalyzer, NameAnalyzer
from indexer.document import Document
from tests.conftest import write_jsonl

TEXT = ("L’ambassadeur de la Chine salue la coopération de sécurité et la souveraineté du Mali : "
        "les relations sino-maliennes, aujourd'hui, sont « au beau fixe » à Bamako. Souverainetés !")
ARTICLE = {"id": "a1", "title": "Coopération sécuritaire Mali–Chine", "summary": "", "body": TEXT,
           "url": "https://exemple.ml/a1", "source": "L’Essor", "author": "Awa Traoré", "date": "2019-03-04",
           "section": "Politique", "tags": ["Sécurité", "Chine", "Relations sino-maliennes"]}


def positions(found: list[dict]) -> dict[str, list[int]]:
    """term → its positions, from the increments (Lucene starts at -1)."""
    by_term: dict[str, list[int]] = {}
    position = -1
    for token in found:
        position += token.get("i", 1)
        by_term.setdefault(token["t"], []).append(position)
    return by_term


def whoosh_positions(index_dir: Path, field: str) -> dict[str, list[int]]:
    index, _build = open_current(index_dir)
    with index.searcher() as searcher:
        reader = searcher.reader()
        return {term.decode("utf-8") if isinstance(term, bytes) else term:
                [p for _doc, found in reader.postings(field, term).items_as("positions") for p in found]
                for term in reader.field_terms(field)}


def test_every_term_sits_where_the_whoosh_index_puts_it(tmp_path):
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "a.jsonl", [ARTICLE])], index_dir)
    fields = solr_document(Document(id="a1", title=ARTICLE["title"], body=TEXT, origin="a.jsonl:1",
                                    source="L’Essor", author="Awa Traoré", section="Politique",
                                    tags=tuple(ARTICLE["tags"])))
    for solr_field, whoosh_field in (("text_t", "text"), ("exact_t", "exact"), ("title_t", "title"),
                                     ("tags_t", "tags"), ("author_t", "author"), ("source_t", "source")):
        found = json.loads(fields[solr_field])["tokens"]
        assert positions(found) == whoosh_positions(index_dir, whoosh_field), solr_field


def test_the_variants_of_a_word_share_its_position():
    assert tokens(FrenchAnalyzer, "souveraineté") == [{"t": "souverainet"}, {"t": "souverain", "i": 0}]


def test_stop_words_leave_no_gap_so_a_phrase_matches_across_them():
    # `La` is position 0 and goes; `de` and `la` go without leaving a hole, as in Whoosh.
    assert tokens(FrenchAnalyzer, "La coopération de la sécurité") == [
        {"t": "cooper", "i": 2}, {"t": "securit"}, {"t": "secur", "i": 0}]


def test_names_are_folded_and_tags_stay_apart():
    assert tokens(NameAnalyzer, "Sécurité\x1fChine") == [{"t": "securite"}, {"t": "chine"}]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aàâbcçdeéèêfgilmnoôrstuùxy '’-«».,\n\x1fLÉŒœ0123456789", max_size=200))
def test_one_pass_over_the_text_gives_what_each_analyzer_gives_alone(text):
    assert french_and_exact_tokens(text) == (tokens(FrenchAnalyzer, text), tokens(ExactAnalyzer, text))


def test_a_document_keeps_the_whoosh_fields_and_leaves_unknown_facets_out():
    doc = Document(id="a2", title="Titre", body="Texte", origin="a.jsonl:2", url="https://exemple.ml/a2",
                   tags=("Économie", "Mali"), published=date(2020, 1, 20), collection="demo")
    fields = solr_document(doc)
    assert (fields["id"], fields["title"], fields["body"], fields["collection"]) == ("a2", "Titre", "Texte", "demo")
    assert (fields["tags"], fields["tag_facet"]) == (["Économie", "Mali"], ["Économie", "Mali"])
    assert (fields["date"], fields["year"], fields["month"]) == ("2020-01-20", "2020", "2020-01")
    assert fields["author"] == "" and "author_facet" not in fields and "author_t" not in fields
    undated = solr_document(Document(id="a3", title="T", body="B", origin="a.jsonl:3"))
    assert not {"date", "year", "month", "tag_facet"} & set(undated)


def test_lucene_analysis_leaves_title_and_text_to_solr():
    fields = solr_document(Document(id="a4", title="La souveraineté", body="du Mali", origin="a.jsonl:4"),
                           analysis="lucene")
    assert (fields["title_l"], fields["text_l"]) == ("La souveraineté", "La souveraineté\n\ndu Mali")
    assert "title_t" not in fields and "text_t" not in fields
    assert json.loads(fields["exact_t"])["tokens"][1] == {"t": "souveraineté"}
