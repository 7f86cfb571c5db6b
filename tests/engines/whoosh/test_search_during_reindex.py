"""Researchers keep searching while a librarian reindexes: no error, no duplicate, no gap."""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path

from engines.whoosh import build_index
from tests.conftest import LiveServer, write_jsonl
from webui.app import create_app


def article(n: int, word: str = "archive") -> dict:
    return {
        "id": f"a{n:04d}",
        "title": f"Article {n}",
        "body": f"Un texte sur la souveraineté et les {word}s, numéro {n}.",
        "url": f"https://example.org/{n}",
        "source": "Journal",
        "date": f"20{10 + n % 10}-0{1 + n % 9}-15",
    }


def test_queries_in_a_loop_during_reindexes_never_fail_and_see_the_old_or_the_new_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    index_dir = tmp_path / "index"
    old_records = [article(n) for n in range(300)]
    write_jsonl(corpus, old_records)
    build_index([corpus], index_dir)
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})

    totals: list[int] = []
    problems: list[str] = []
    stop = threading.Event()

    with LiveServer(app) as server:
        def search_in_a_loop() -> None:
            while not stop.is_set():
                try:
                    url = server.url + "/api/v1/search?q=souverainete&per_page=100"
                    with urllib.request.urlopen(url, timeout=10) as response:
                        answer = json.load(response)
                    ids = [hit["id"] for hit in answer["hits"]]
                    if len(ids) != len(set(ids)):
                        problems.append(f"duplicate ids in one page: {ids}")
                    totals.append(answer["total"])
                except Exception as error:  # noqa: BLE001 — any failure is the finding
                    problems.append(repr(error))

        searchers = [threading.Thread(target=search_in_a_loop) for _ in range(3)]
        for thread in searchers:
            thread.start()
        try:
            # An incremental update that adds 50 and deletes 20, then a full rebuild.
            new_records = old_records[20:] + [article(n) for n in range(300, 350)]
            write_jsonl(corpus, new_records)
            update = build_index([corpus], index_dir)
            rebuild = build_index([corpus], index_dir, rebuild=True)
        finally:
            stop.set()
            for thread in searchers:
                thread.join(timeout=30)

        with urllib.request.urlopen(server.url + "/api/v1/search?q=souverainete", timeout=10) as response:
            final_total = json.load(response)["total"]

    assert problems == []
    assert (update.added, update.deleted, update.mode) == (50, 20, "incremental")
    assert rebuild.mode == "rebuild"
    assert len(totals) > 10
    assert set(totals) <= {300, 330}, sorted(set(totals))
    assert final_total == 330
