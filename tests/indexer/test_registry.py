"""The source registry: load, add, remove, CSV column mapping, defaults and per-source reindex."""

from __future__ import annotations

from pathlib import Path

import pytest

from engines.whoosh import build_index
from indexer.registry import RegisteredSource, RegistryError, add_source, load_registry, remove_source
from engines.whoosh.store import open_current


def test_a_registry_round_trips_through_add_and_remove(tmp_path: Path) -> None:
    registry = tmp_path / "sources.toml"
    add_source(registry, RegisteredSource("seeds", "seeds/*.txt", source="Presse malienne", section="Afrique"))
    add_source(registry, RegisteredSource("exports", "exports/", columns=(("body", "texte"), ("published", "parution"))))
    loaded = load_registry(registry)
    assert [s.name for s in loaded] == ["seeds", "exports"]
    assert loaded[0].source == "Presse malienne" and loaded[0].section == "Afrique"
    assert dict(loaded[1].columns) == {"body": "texte", "published": "parution"}
    remove_source(registry, "seeds")
    assert [s.name for s in load_registry(registry)] == ["exports"]


def test_adding_a_source_twice_or_removing_an_unknown_one_says_what_to_do(tmp_path: Path) -> None:
    registry = tmp_path / "sources.toml"
    add_source(registry, RegisteredSource("a", "a/"))
    with pytest.raises(RegistryError, match="remove it first"):
        add_source(registry, RegisteredSource("a", "b/"))
    with pytest.raises(RegistryError, match="registered: a"):
        remove_source(registry, "zzz")
    with pytest.raises(RegistryError, match="must be letters"):
        add_source(registry, RegisteredSource("../evil", "x"))


def test_a_malformed_registry_is_reported_with_its_path(tmp_path: Path) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text("[sources.a]\npath = \n", encoding="utf-8")
    with pytest.raises(RegistryError, match="sources.toml is not valid TOML"):
        load_registry(registry)
    registry.write_text('[sources.a]\npath = "x"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown keys"):
        load_registry(registry)


def test_registry_defaults_and_csv_columns_reach_the_index_and_one_source_reindexes_alone(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "a.csv").write_text(
        "ident;titre;texte;parution\n1;Premier;La souveraineté du Mali;2020-01-02\n", encoding="utf-8"
    )
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "n.jsonl").write_text('{"id": "n1", "title": "Note", "body": "Une note"}\n', encoding="utf-8")
    registry = tmp_path / "sources.toml"
    columns = (("id", "ident"), ("title", "titre"), ("body", "texte"), ("published", "parution"))
    add_source(registry, RegisteredSource("exports", "exports", source="Journal du Mali", section="Politique", columns=columns))
    add_source(registry, RegisteredSource("notes", "notes"))
    sources = [s.corpus_source(tmp_path) for s in load_registry(registry)]
    index_dir = tmp_path / "index"
    report = build_index(sources, index_dir)
    assert report.added == 2 and report.failed == []

    ix, _build = open_current(index_dir)
    with ix.searcher() as searcher:
        stored = searcher.stored_fields(searcher.document_number(id="1"))
    assert (stored["source"], stored["section"], stored["date"], stored["collection"]) == (
        "Journal du Mali", "Politique", "2020-01-02", "exports")

    # Reindexing only "notes" after its file is gone deletes its document and keeps the others.
    (tmp_path / "notes" / "n.jsonl").unlink()
    (tmp_path / "notes" / "m.jsonl").write_text('{"id": "n2", "title": "Autre", "body": "Une autre note"}\n', encoding="utf-8")
    notes_only = [s.corpus_source(tmp_path) for s in load_registry(registry) if s.name == "notes"]
    report = build_index(notes_only, index_dir, scope={"notes"})
    assert (report.added, report.deleted) == (1, 1)
    ix, _build = open_current(index_dir)
    with ix.searcher() as searcher:
        assert sorted(f["id"] for f in searcher.all_stored_fields()) == ["1", "n2"]


def test_indexing_a_registry_file_again_with_corpus_updates_its_articles_instead_of_adding_them_twice(tmp_path: Path) -> None:
    from indexer.corpus import CorpusSource

    registry = tmp_path / "sources.toml"
    (tmp_path / "notes").mkdir()
    notes = tmp_path / "notes" / "n.jsonl"
    notes.write_text('{"id": "n1", "title": "Note", "body": "Une note sur Bamako"}\n'
                     '{"id": "n2", "title": "Autre", "body": "Une autre note"}\n', encoding="utf-8")
    add_source(registry, RegisteredSource("notes", "notes"))
    index_dir = tmp_path / "index"
    build_index([s.corpus_source(tmp_path) for s in load_registry(registry)], index_dir)

    # `run.py index --corpus notes/n.jsonl`: the unnamed part of the index, scope {""}.
    notes.write_text('{"id": "n1", "title": "Note", "body": "Une note sur Bamako et Gao"}\n'
                     '{"id": "n2", "title": "Autre", "body": "Une autre note"}\n', encoding="utf-8")
    report = build_index([CorpusSource(paths=(notes,))], index_dir, scope={""})
    assert (report.added, report.updated, report.unchanged, report.deleted) == (0, 1, 1, 0)
    ix, _build = open_current(index_dir)
    with ix.searcher() as searcher:
        stored = list(searcher.all_stored_fields())
    assert sorted(f["id"] for f in stored) == ["n1", "n2"]
    assert next(f for f in stored if f["id"] == "n1")["body"].endswith("Gao")
