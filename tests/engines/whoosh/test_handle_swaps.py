"""A searcher never reads one build's value columns with another build's document numbers."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

from engines.whoosh import build_index
from engines.whoosh.doc_values import doc_values
from engines.whoosh.handle import IndexHandle
from engines.whoosh.store import CURRENT_LINK, current_build
from tests.conftest import write_jsonl


def articles(count: int) -> list[dict]:
    return [
        {"id": f"a{n}", "title": f"Article {n}", "body": "La souveraineté du Mali.", "source": f"Source {n % 3}",
         "date": f"20{10 + n % 10}-01-15", "url": f"https://example.org/{n}"}
        for n in range(count)
    ]


def build_of(tmp_path: Path, name: str, count: int) -> Path:
    corpus = tmp_path / f"{name}.jsonl"
    write_jsonl(corpus, articles(count))
    build_index([corpus], tmp_path / name)
    return current_build(tmp_path / name)


def point_current_at(index_dir: Path, build_name: str) -> None:
    temporary = index_dir / "current.next"
    os.symlink(build_name, temporary)
    os.replace(temporary, index_dir / CURRENT_LINK)


def test_searchers_pair_each_build_with_its_own_value_columns_while_builds_swap(tmp_path: Path) -> None:
    served = tmp_path / "served"
    served.mkdir()
    small, large = build_of(tmp_path, "small", 4), build_of(tmp_path, "large", 60)
    for build in (small, large):
        shutil.copytree(build, served / build.name)
    point_current_at(served, small.name)
    handle = IndexHandle(served, warm=doc_values)

    problems: list[str] = []
    stop = threading.Event()

    def search_in_a_loop() -> None:
        while not stop.is_set():
            searcher = handle.searcher()
            columns = doc_values(searcher)
            size = searcher.doc_count_all()
            if len(columns.date_rank) != size:
                problems.append(f"{len(columns.date_rank)} value rows for a build of {size} documents")
            try:
                columns.facets["source"].count(range(size))
            except IndexError as error:
                problems.append(repr(error))

    readers = [threading.Thread(target=search_in_a_loop) for _ in range(4)]
    for reader in readers:
        reader.start()
    for flip in range(300):
        point_current_at(served, (large if flip % 2 == 0 else small).name)
        handle.searcher()
    stop.set()
    for reader in readers:
        reader.join()

    assert problems == []
    assert handle.searcher().doc_count_all() in (4, 60)
