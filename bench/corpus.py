"""Prepare the benchmark corpus: OrangeSum without duplicates, limited or replicated, as plain JSONL."""

from __future__ import annotations

import json
import lzma
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ORANGESUM = REPO.parent / "shared" / "corpus" / "orangesum" / "articles.jsonl.xz"
WORK_DIR = REPO / "bench" / "work"  # git-ignored: corpora and indexes of a run


def unique_records(source: Path = ORANGESUM, limit: int = 0) -> Iterator[dict]:
    """Records of the OrangeSum file, skipping `duplicate_of` ones; the first `limit` if given."""
    count = 0
    with lzma.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("duplicate_of"):
                continue
            yield record
            count += 1
            if limit and count >= limit:
                return


def replica(record: dict, copy: int) -> dict:
    """Copy number `copy` of a record with a new id, url and one nonsense word at the end of the body.

    Loupe merges records with the same id, url, or title and text; the added word
    (`benchcopy1`) matches no query.
    """
    if copy == 0:
        return record
    return {**record, "id": f"{record['id']}-r{copy}", "url": f"{record['url']}#r{copy}",
            "body": f"{record['body']}\n\nbenchcopy{copy}"}


def edited(record: dict) -> dict:
    """The record as an editor changed it: one nonsense word added at the end of the body."""
    return {**record, "body": f"{record['body']}\n\nbenchedit"}


def write_corpus(records: list[dict], path: Path, scale: int = 1) -> Path:
    """Write `records` × `scale` (new ids for the copies) as one plain JSONL file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(scale):
            for record in records:
                out.write(json.dumps(replica(record, copy), ensure_ascii=False) + "\n")
    return path


def timed_incremental_run(corpus: Path, records: list[tuple[int, dict]], run: Callable[[], object]) -> float:
    """Seconds of `run()` (an incremental indexing run returning its BuildReport) after (position, record)
    pairs changed in the corpus file.

    As `run.py index` would do it: the whole file is read again and only the
    changed articles are written. The edited file takes the corpus's place for
    the run (the same source path), then the original is put back.
    """
    changed = dict(records)
    original = corpus.with_suffix(".original")
    os.replace(corpus, original)
    try:
        write_corpus([changed.get(i, r) for i, r in enumerate(read_corpus(original))], corpus)
        started = time.perf_counter()
        report = run()
        seconds = time.perf_counter() - started
    finally:
        os.replace(original, corpus)
    # An edited article that Loupe had merged into an identical one may come back as added.
    if report.mode != "incremental" or report.updated + report.added < 0.99 * len(changed):
        raise RuntimeError(f"incremental update wrote {report.updated} of {len(changed)} changes ({report.mode})")
    return seconds


def read_corpus(path: Path) -> Iterator[dict]:
    """Records of a JSONL file written by write_corpus."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def year_of(record: dict) -> int:
    return int((record.get("date") or "0000")[:4])


def day_of(record: dict) -> int:
    """`2020-07-02T…` → 20200702, for integer date ranges in the reference engines."""
    return int((record.get("date") or "0000-00-00")[:10].replace("-", ""))


def full_text(record: dict) -> str:
    """Title, summary and body, as Loupe's `text` field joins them."""
    return "\n\n".join(part for part in (record.get("title"), record.get("summary"), record.get("body")) if part)
