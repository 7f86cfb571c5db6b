"""Building an index: the report, the `current` swap, pruning, interrupted builds, the lock and stable ids."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engines.whoosh import build_index
from engines.whoosh.writer import LOCK_FILE, build_lock
from indexer.errors import IndexLocked, IndexMissing, IndexShrunk, SourceError
from engines.whoosh.store import CURRENT_LINK, META_FILE, current_build, open_current, read_meta
from engines.whoosh.engine import WhooshEngine
from search.request import SearchRequest
from search.service import run_search
from tests.conftest import write_jsonl

REPO = Path(__file__).resolve().parent.parent.parent
SEEDS = REPO / "tests" / "fixtures" / "seeds"

WORDS = (
    "coopération sécuritaire souveraineté ambassadeur ministre gouvernement élection président "
    "Bamako Pékin Mali Chine Dakar Paris réforme économie santé hôpital école enseignant grève "
    "tribunal procès enquête police incendie forêt climat sécheresse récolte marché prix pétrole "
    "voiture moteur électrique batterie football équipe victoire défaite festival cinéma musique"
).split()


def article(n: int, words: int = 40, **fields) -> dict:
    rng = random.Random(n)
    body = " ".join(rng.choice(WORDS) for _ in range(words)) + f" article{n}."
    return {
        "id": f"{n:05d}",
        "url": f"https://actu.orange.fr/a-{n}.html",
        "title": f"Article {n} : {rng.choice(WORDS)}",
        "date": f"{2016 + n % 5}-0{1 + n % 9}-1{n % 10}",
        "author": "AFP",
        "section": "Monde",
        "body": body,
        **fields,
    }


def search_ids(index_dir: Path, query_text: str) -> list[str]:
    result = run_search(WhooshEngine(index_dir), SearchRequest(query_text=query_text, per_page=100))
    return [hit.id for hit in result.hits]


def all_ids(index_dir: Path) -> list[str]:
    ix, _ = open_current(index_dir)
    with ix.searcher() as searcher:
        return sorted(fields["id"] for fields in searcher.all_stored_fields())


def builds_in(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("build-*"))


def snapshot(build: Path) -> dict[str, tuple[int, int]]:
    return {f.name: (f.stat().st_size, f.stat().st_mtime_ns) for f in build.iterdir()}


# ---------------------------------------------------------------- the report

def test_the_report_counts_added_merged_and_failed_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    lines = [json.dumps(article(n)) for n in range(1, 6)]
    lines.append(json.dumps(article(1)))  # same id as line 1
    lines.append("{not json")
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = build_index([corpus, SEEDS], tmp_path / "index")
    assert report.added == 5 + 3
    assert report.merged == [f"{corpus}:6: same id 00001 as an earlier record"]
    assert len(report.failed) == 1
    assert report.failed[0].startswith(f"{corpus}:7: not valid JSON")
    assert report.seconds > 0
    assert report.docs_per_second == pytest.approx(report.added / report.seconds)
    assert report.index_path == str(tmp_path / "index")


def test_the_report_is_kept_as_json_beside_the_index(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(n) for n in range(3)])
    report = build_index([corpus], tmp_path / "index")
    meta = read_meta(current_build(tmp_path / "index"))
    assert meta["documents"] == 3
    assert meta["report"]["added"] == report.added == 3
    assert meta["report"]["docs_per_second"] == round(report.docs_per_second, 1)
    assert meta["corpus"] == [str(corpus)]


def test_a_run_that_changes_nothing_while_a_file_fails_reports_every_document_still_indexed(tmp_path: Path) -> None:
    kept = write_jsonl(tmp_path / "kept.jsonl", [article(n) for n in range(3)])
    broken = write_jsonl(tmp_path / "broken.jsonl", [article(n) for n in range(10, 12)])
    build_index([kept, broken], tmp_path / "index")
    broken.write_bytes(b"\xff\xfe\x00binary")  # unreadable now: its two articles stay indexed
    report = build_index([kept, broken], tmp_path / "index")
    assert report.added == report.updated == report.deleted == 0 and report.failed
    assert len(all_ids(tmp_path / "index")) == 5
    assert report.documents == 5


def test_progress_is_called_once_per_document_with_its_origin(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(n) for n in range(4)])
    calls: list[tuple[int, str]] = []
    build_index([corpus], tmp_path / "index", progress=lambda count, origin: calls.append((count, origin)))
    assert calls == [(n, f"{corpus}:{n}") for n in range(1, 5)]


# ---------------------------------------------------------------- current, swap and prune

def test_a_build_makes_current_a_symlink_to_a_build_directory(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(1)])
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir)
    link = index_dir / CURRENT_LINK
    assert link.is_symlink()
    assert os.readlink(link).startswith("build-")
    assert not os.path.isabs(os.readlink(link))
    assert (current_build(index_dir) / META_FILE).exists()


def test_a_second_build_swaps_current_and_leaves_no_temporary_link(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "one.jsonl", [article(1)])], index_dir)
    first = os.readlink(index_dir / CURRENT_LINK)
    build_index([write_jsonl(tmp_path / "two.jsonl", [article(2), article(3)])], index_dir)
    second = os.readlink(index_dir / CURRENT_LINK)
    assert second != first
    assert all_ids(index_dir) == ["00002", "00003"]
    assert [p.name for p in index_dir.iterdir() if p.name.startswith(f".{CURRENT_LINK}")] == []


def test_readers_always_find_a_current_index_while_builds_swap_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(n) for n in range(50)])
    build_index([corpus], index_dir)
    errors: list[Exception] = []
    opened = 0
    done = threading.Event()

    def read_continuously() -> None:
        nonlocal opened
        while not done.is_set():
            try:
                ix, _ = open_current(index_dir)
                with ix.searcher() as searcher:
                    assert searcher.doc_count() == 50
                opened += 1
            except Exception as error:  # noqa: BLE001 — any failure is the finding
                errors.append(error)

    reader = threading.Thread(target=read_continuously)
    reader.start()
    try:
        for _ in range(4):
            build_index([corpus], index_dir, rebuild=True)
    finally:
        done.set()
        reader.join(timeout=30)
    assert errors == []
    assert opened > 0


def test_a_new_build_prunes_older_builds_but_keeps_the_previous_one(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(1)])
    names = []
    for _ in range(3):
        build_index([corpus], index_dir, rebuild=True)
        names.append(os.readlink(index_dir / CURRENT_LINK))
    assert len(set(names)) == 3
    assert builds_in(index_dir) == sorted(names[1:])
    assert os.readlink(index_dir / CURRENT_LINK) == names[2]


def test_a_build_that_fails_leaves_the_current_index_untouched(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "c.jsonl", [article(1)])], index_dir)
    before = os.readlink(index_dir / CURRENT_LINK)

    def explode(count: int, origin: str) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        build_index([write_jsonl(tmp_path / "d.jsonl", [article(2)])], index_dir, progress=explode)
    assert os.readlink(index_dir / CURRENT_LINK) == before
    assert builds_in(index_dir) == [before]
    assert all_ids(index_dir) == ["00001"]


def test_a_build_that_finds_no_document_is_refused_and_keeps_the_index_in_use(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "c.jsonl", [article(1)])], index_dir)
    before = os.readlink(index_dir / CURRENT_LINK)
    missing = tmp_path / "typo.jsonl"
    with pytest.raises(SourceError) as refused:
        build_index([missing], index_dir)
    assert str(missing) in str(refused.value)
    assert os.readlink(index_dir / CURRENT_LINK) == before
    assert builds_in(index_dir) == [before]
    assert all_ids(index_dir) == ["00001"]


# ---------------------------------------------------------------- a build killed mid-way

BUILD_SCRIPT = (
    "import sys; from pathlib import Path; from engines.whoosh import build_index; "
    "build_index([Path(sys.argv[1])], Path(sys.argv[2]))"
)


def test_a_build_killed_mid_way_leaves_the_previous_index_current_untouched_and_searchable(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "small.jsonl", [article(n) for n in range(20)])], index_dir)
    old_build = current_build(index_dir)
    old_files = snapshot(old_build)
    old_hits = search_ids(index_dir, "article7")
    assert old_hits == ["00007"]

    big = write_jsonl(tmp_path / "big.jsonl", [article(n, words=150) for n in range(100, 30_100)])
    process = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(big), str(index_dir)], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while builds_in(index_dir) == [old_build.name] and time.monotonic() < deadline:
            assert process.poll() is None, "the build ended before it could be interrupted"
            time.sleep(0.05)
        time.sleep(1.5)  # let it write documents into the new build
        assert process.poll() is None, "the build ended before it could be interrupted; make the corpus larger"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)

    assert process.returncode == -signal.SIGKILL
    assert os.readlink(index_dir / CURRENT_LINK) == old_build.name
    assert snapshot(old_build) == old_files
    half_built = [index_dir / name for name in builds_in(index_dir) if name != old_build.name]
    assert len(half_built) == 1
    assert not (half_built[0] / META_FILE).exists()
    assert search_ids(index_dir, "article7") == old_hits


REBUILD_SCRIPT = BUILD_SCRIPT.replace("Path(sys.argv[2]))", "Path(sys.argv[2]), rebuild=True)")


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_rebuild_leaves_no_writer_process_behind_and_the_next_run_takes_the_lock(tmp_path: Path) -> None:
    # A rebuild writes with one process per core (CI machines have two).
    index_dir = tmp_path / "index"
    small = write_jsonl(tmp_path / "small.jsonl", [article(n) for n in range(20)])
    build_index([small], index_dir)
    big = write_jsonl(tmp_path / "big.jsonl", [article(n, words=150) for n in range(100, 30_100)])
    process = subprocess.Popen([sys.executable, "-c", REBUILD_SCRIPT, str(big), str(index_dir)], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not children_of(process.pid) and time.monotonic() < deadline:
            assert process.poll() is None, "the rebuild ended before it could be interrupted"
            time.sleep(0.05)
        time.sleep(1.0)
        workers = children_of(process.pid)
        assert workers and process.poll() is None, "the rebuild forked no writer process before it ended"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)

    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)], "writer processes outlived the killed rebuild"
    report = build_index([small], index_dir, rebuild=True)  # the lock is free: no "another run holds .lock"
    assert report.documents == 20


def test_a_refused_run_names_the_process_holding_the_lock(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with build_lock(index_dir):
        with pytest.raises(IndexLocked) as refused:
            build_index([write_jsonl(tmp_path / "c.jsonl", [article(1)])], index_dir)
    assert f"process {os.getpid()}" in str(refused.value) and f"kill {os.getpid()}" in str(refused.value)


def test_the_next_build_after_a_killed_one_takes_the_lock_and_removes_the_abandoned_directory(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "small.jsonl", [article(n) for n in range(5)])
    build_index([corpus], index_dir)
    previous = current_build(index_dir).name
    # What a kill -9 leaves: a build directory without loupe.json, and the lock file.
    abandoned = index_dir / "build-20000101T000000000000-1"
    abandoned.mkdir()
    (abandoned / "_MAIN_1.toc").write_bytes(b"half")
    with open(index_dir / LOCK_FILE, "a+"):
        pass
    build_index([corpus], index_dir, rebuild=True)
    assert not abandoned.exists()
    assert builds_in(index_dir) == sorted([previous, current_build(index_dir).name])


# ---------------------------------------------------------------- the lock

def test_a_second_concurrent_build_is_refused_with_a_message_naming_the_lock(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(1)])
    with build_lock(index_dir):
        with pytest.raises(IndexLocked) as refused:
            build_index([corpus], index_dir)
    assert str(index_dir / LOCK_FILE) in str(refused.value)
    assert not (index_dir / CURRENT_LINK).exists()


def test_a_build_from_another_process_is_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(1)])
    script = (
        "import sys; from pathlib import Path; from engines.whoosh import build_index; "
        "from indexer.errors import IndexLocked\n"
        "try:\n    build_index([Path(sys.argv[1])], Path(sys.argv[2]))\n"
        "except IndexLocked as e:\n    print(e); sys.exit(3)\n"
    )
    with build_lock(index_dir):
        done = subprocess.run(
            [sys.executable, "-c", script, str(corpus), str(index_dir)], cwd=REPO, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 3, done.stderr
    assert str(index_dir / LOCK_FILE) in done.stdout


def test_the_lock_is_released_after_a_build(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(1)])
    build_index([corpus], index_dir)
    with build_lock(index_dir):
        pass


# ---------------------------------------------------------------- ids and the store

def test_document_ids_are_the_same_across_two_builds_of_the_same_corpus(tmp_path: Path) -> None:
    records = [article(1)]
    records.append({"url": "https://example.ml/sans-id.html", "title": "Sans id", "body": "Un article sans id."})
    records.append({"title": "Ni id ni url", "body": "Un article sans id ni url."})
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    build_index([corpus, SEEDS], tmp_path / "first")
    build_index([corpus, SEEDS], tmp_path / "second")
    first, second = all_ids(tmp_path / "first"), all_ids(tmp_path / "second")
    assert len(first) == 6
    assert first == second


def test_opening_an_empty_directory_says_to_run_the_index_command(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing) as missing:
        open_current(tmp_path)
    assert "python run.py index" in str(missing.value)
    assert str(tmp_path) in str(missing.value)


def test_opening_a_directory_that_does_not_exist_says_to_run_the_index_command(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing) as missing:
        open_current(tmp_path / "nowhere")
    assert "python run.py index" in str(missing.value)


def test_a_rebuild_that_lost_documents_is_not_swapped_in_unless_allowed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", [article(n) for n in range(6)])
    write_jsonl(corpus / "b.jsonl", [article(n) for n in range(6, 10)])
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir)
    in_use = current_build(index_dir)

    (corpus / "b.jsonl").write_bytes(b"\x00\x01 not json")  # a file broken since the last build
    with pytest.raises(IndexShrunk) as refused:
        build_index([corpus], index_dir, rebuild=True)
    assert "6 documents, the index in use 10" in str(refused.value) and "--allow-shrink" in str(refused.value)
    assert "b.jsonl" in str(refused.value)
    assert current_build(index_dir) == in_use and len(all_ids(index_dir)) == 10
    assert builds_in(index_dir) == [in_use.name]  # the refused build is not left behind

    report = build_index([corpus], index_dir, rebuild=True, allow_shrink=True)
    assert report.documents == 6 and len(all_ids(index_dir)) == 6


def test_the_cli_rebuild_that_would_shrink_the_index_exits_non_zero_and_says_what_to_do(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", [article(n) for n in range(4)])
    index_dir = tmp_path / "index"
    build_index([corpus], index_dir)
    write_jsonl(corpus / "a.jsonl", [article(n) for n in range(2)])
    run = subprocess.run([sys.executable, "run.py", "index", "--corpus", str(corpus), "--index", str(index_dir), "--rebuild"],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert run.returncode != 0
    assert "--allow-shrink" in run.stderr and "Traceback" not in run.stderr
    assert len(all_ids(index_dir)) == 4


def test_a_rebuild_that_runs_out_of_space_says_so_in_one_line_without_tracebacks(tmp_path: Path) -> None:
    import resource

    index_dir = tmp_path / "index"
    corpus = write_jsonl(tmp_path / "c.jsonl", [article(n, words=150) for n in range(3000)])
    build_index([write_jsonl(tmp_path / "small.jsonl", [article(n) for n in range(5)])], index_dir)
    in_use = current_build(index_dir)

    def small_disk() -> None:  # files may not grow past 256 kB: writes fail as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))

    run = subprocess.run([sys.executable, "run.py", "index", "--corpus", str(corpus), "--index", str(index_dir),
                          "--rebuild"], capture_output=True, text=True, cwd=REPO, timeout=300, preexec_fn=small_disk)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert "the index in use is unchanged" in run.stderr
    assert current_build(index_dir) == in_use and len(all_ids(index_dir)) == 5
