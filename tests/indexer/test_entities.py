"""People, places and organisations: the merge rule, the cache by content hash, the CLI switch (seeds + OrangeSum)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engines.whoosh import build_index
from indexer.entities import entity_key, merge_mentions
from tests.conftest import api_search, client_for, facet_counts, write_jsonl

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
REPRINTS = FIXTURES / "reprints.jsonl"
GOITA_SEED = "d275e5cf83198161"


def test_titles_case_accents_and_articles_do_not_split_a_name():
    assert entity_key("Colonel Assimi Goïta") == entity_key("ASSIMI GOITA") == "assimi goita"
    assert entity_key("Général de Division Daoud Aly Mohammedine") == "daoud aly mohammedine"
    assert entity_key("L’Ambassadeur LI Xiang") == entity_key("Li Xiang") == "li xiang"
    assert entity_key("M. Macron") == entity_key("macron")
    assert entity_key("la Chine") == "chine" and entity_key("Jean-Yves Le Drian") == "jean yves le drian"


def test_a_surname_alone_is_the_full_name_of_the_same_article_shown_in_full():
    entities = merge_mentions([("PER", "Emmanuel Macron"), ("PER", "Macron"), ("PER", "M. Macron"),
                               ("LOC", "Bamako"), ("ORG", "ONU"), ("MISC", "Covid")])
    assert [(e.type, e.key, e.form) for e in entities] == [
        ("org", "onu", "ONU"), ("person", "emmanuel macron", "Emmanuel Macron"), ("place", "bamako", "Bamako")]


def test_two_people_sharing_a_surname_keep_it_apart_and_lower_case_or_common_words_are_dropped():
    entities = merge_mentions([("PER", "Marine Le Pen"), ("PER", "Jean-Marie Le Pen"), ("PER", "Pen"),
                               ("PER", "géopolitique recomposé"), ("LOC", "État"), ("LOC", "Américains")])
    assert sorted(e.key for e in entities) == ["jean marie le pen", "marine le pen", "pen"]


def test_a_name_tagged_with_two_types_takes_the_one_given_most_often():
    entities = merge_mentions([("LOC", "Li Xiang"), ("PER", "Li Xiang"), ("PER", "LI Xiang")])
    assert [(e.type, e.form) for e in entities] == [("person", "Li Xiang")]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("entities")
    report = build_index([SEEDS, REPRINTS], root / "index", entities=True)
    return root / "index", report


def test_every_article_is_read_by_the_model_once(archive):
    assert archive[1].entities_extracted == 9  # the facets, filters and fields: tests/contract/test_stories_and_entities.py


def test_a_rebuild_reads_entities_from_the_cache_and_an_incremental_run_only_the_new_article(archive, tmp_path):
    index_dir, _ = archive
    again = build_index([SEEDS, REPRINTS], index_dir, entities=True, rebuild=True)
    assert again.entities_extracted == 0
    new = write_jsonl(tmp_path / "new.jsonl", [{"id": "new", "title": "Visite à Dakar",
                                                "body": "Le président Macky Sall a reçu à Dakar le chef de l'ONU."}])
    more = build_index([SEEDS, REPRINTS, new], index_dir, entities=True)
    assert more.added == 1 and more.entities_extracted == 1
    answer = api_search(client_for(index_dir), q="Dakar")
    assert facet_counts(answer, "place").get("Dakar") == 1


def test_the_cli_finds_entities_by_default_and_skips_them_when_asked(tmp_path):
    def index(*options: str) -> Path:
        index_dir = tmp_path / f"index{len(options)}"
        env = {**os.environ, "LOUPE_ENTITIES": "true"}
        done = subprocess.run([sys.executable, "run.py", "index", "--corpus", str(SEEDS), "--index", str(index_dir),
                               *options], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return index_dir

    def places(index_dir: Path) -> dict[str, int]:
        return facet_counts(api_search(client_for(index_dir), q=""), "place")

    assert places(index())["Bamako"] == 3
    assert places(index("--no-entities")) == {}


def test_a_first_name_alone_is_the_one_full_name_starting_with_it():
    entities = merge_mentions([("PER", "Dahbia Amrane"), ("PER", "Dahbia"), ("PER", "Dahbia")])
    assert [(e.key, e.form) for e in entities] == [("dahbia amrane", "Dahbia Amrane")]


def test_an_elided_article_is_dropped_from_a_one_word_name_and_movements_are_not_people():
    entities = merge_mentions([("LOC", "d'Orly"), ("ORG", "l’Intérieur"), ("PER", "Gilets jaunes")])
    assert [(e.type, e.form) for e in entities] == [("place", "Orly")]


def test_a_damaged_entity_cache_is_set_aside_and_the_run_reads_the_model_again(tmp_path):
    index_dir = tmp_path / "index"
    (index_dir / "cache").mkdir(parents=True)
    damaged = index_dir / "cache" / "entities.sqlite"
    damaged.write_bytes(b"not a database, half a page of a disk that failed" * 100)
    report = build_index([SEEDS], index_dir, entities=True)
    assert report.documents == 3 and report.entities_extracted == 3
    assert (index_dir / "cache" / "entities.sqlite.corrupt").read_bytes().startswith(b"not a database")
    assert facet_counts(api_search(client_for(index_dir), q=""), "place")["Bamako"] == 3
    assert build_index([SEEDS], index_dir, entities=True, rebuild=True).entities_extracted == 0
