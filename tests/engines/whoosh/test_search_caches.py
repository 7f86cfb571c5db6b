"""The caches kept on a searcher (rankings, counts, value columns, spelling words) never outlive its build."""

from __future__ import annotations

from pathlib import Path

from engines.whoosh import build_index
from tests.conftest import write_jsonl
from webui.app import create_app


def record(doc_id: str, title: str, day: str, source: str = "Maliweb") -> dict:
    return {"id": doc_id, "title": title, "summary": "", "body": f"{title}. Un article de presse.",
            "url": f"https://exemple.ml/{doc_id}", "source": source, "author": "Awa Traoré",
            "date": f"{day}T10:00:00+00:00", "section": "Afrique", "tags": ["Mali"]}


def build_and_serve(tmp_path: Path, records: list[dict]):
    """Index `records` into tmp_path/index; return the corpus file, the index dir and a test client."""
    corpus = write_jsonl(tmp_path / "corpus.jsonl", records)
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir)
    return corpus, index_dir, create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def test_a_repeated_search_answers_from_the_new_build_once_it_lands(tmp_path: Path) -> None:
    corpus, index_dir, client = build_and_serve(tmp_path, [record("c1", "Barrage sur le Niger", "2020-01-02")])
    url = "/api/v1/search?q=barrage&sort=-date&timeline=1"
    first = client.get(url).get_json()
    assert [hit["id"] for hit in first["hits"]] == ["c1"]
    assert client.get(url).get_json()["hits"] == first["hits"]  # answered from the cache

    write_jsonl(corpus, [record("c1", "Barrage sur le Niger", "2020-01-02"),
                         record("c2", "Un second barrage", "2021-03-04", source="Le Républicain")])
    build_index([corpus], index_dir)
    second = client.get(url).get_json()
    assert [hit["id"] for hit in second["hits"]] == ["c2", "c1"]
    assert second["total"] == 2
    assert {v["value"]: v["count"] for v in second["facets"]["source"]} == {"Maliweb": 1, "Le Républicain": 1}
    assert [point["period"] for point in second["timeline"]] == ["2020-01", "2021-03"]


def test_a_misspelling_is_corrected_with_a_word_that_only_the_new_build_holds(tmp_path: Path) -> None:
    corpus, index_dir, client = build_and_serve(tmp_path, [record("c1", "Barrage sur le Niger", "2020-01-02")])
    assert client.get("/api/v1/search?q=tombouctuo").get_json()["suggestion"] is None

    write_jsonl(corpus, [record("c1", "Barrage sur le Niger", "2020-01-02"), record("c2", "Tombouctou en crue", "2021-03-04")])
    build_index([corpus], index_dir)
    assert client.get("/api/v1/search?q=tombouctuo").get_json()["suggestion"]["text"] == "tombouctou"


def test_the_second_page_of_a_cached_search_continues_the_first(tmp_path: Path) -> None:
    _corpus, _index_dir, client = build_and_serve(
        tmp_path, [record(f"p{n:02}", f"Barrage numéro {n}", f"2020-01-{n + 1:02}") for n in range(25)])
    pages = [client.get(f"/api/v1/search?q=barrage&sort=-date&per_page=10&page={page}").get_json() for page in (1, 2, 1, 3)]
    ids = [[hit["id"] for hit in page["hits"]] for page in pages]
    assert ids[0] == [f"p{n:02}" for n in range(24, 14, -1)]
    assert ids[1] == [f"p{n:02}" for n in range(14, 4, -1)]
    assert ids[2] == ids[0]
    assert ids[3] == [f"p{n:02}" for n in range(4, -1, -1)]
