"""Indexing jobs: their records, the one rule that says a job is alive, and detached runs started and found again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engines.whoosh.writer import WhooshIndex, build_lock
from indexer.jobs import JOBS_DIR, ReindexBusy, find_job, get_job, list_jobs, new_job, run_job, start_reindex
from indexer.registry import load_registry
from tests.conftest import write_jsonl

REPO = Path(__file__).resolve().parent.parent.parent
JOB_TIMEOUT_SECONDS = 60


def corpus_with_registry(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "presse").mkdir(parents=True)
    write_jsonl(corpus / "presse" / "lot-1.jsonl",
                [{"id": f"a{n}", "title": f"Article {n}", "body": "Un texte sur la souveraineté."} for n in range(3)])
    registry = corpus / "sources.toml"
    registry.write_text('[sources.presse]\npath = "presse"\n', encoding="utf-8")
    return registry


def write_running_record(index_dir: Path, job_id: str, pid: int) -> None:
    jobs = index_dir / JOBS_DIR
    jobs.mkdir(parents=True, exist_ok=True)
    (jobs / f"{job_id}.json").write_text(json.dumps({"id": job_id, "state": "running", "pid": pid}), encoding="utf-8")


def wait_until_finished(index_dir: Path, job_ref: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job = find_job(index_dir, job_ref)
        if job and job["state"] in ("done", "failed", "interrupted"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_ref} did not finish in {JOB_TIMEOUT_SECONDS} s")


def test_a_finished_job_is_recorded_as_done_and_leaves_no_lock_file(tmp_path: Path) -> None:
    registry = corpus_with_registry(tmp_path)
    index_dir = tmp_path / "index"
    run_job([s.corpus_source(registry.parent) for s in load_registry(registry)], index_dir, target=WhooshIndex(index_dir),
            started_by="test")
    [job] = list_jobs(index_dir)
    assert job["state"] == "done" and job["started_by"] == "test" and job["report"]["added"] == 3
    assert get_job(index_dir, job["id"]) == job
    assert sorted(p.suffix for p in (index_dir / JOBS_DIR).iterdir()) == [".json"]


def test_a_job_is_running_while_its_block_holds_its_lock(tmp_path: Path) -> None:
    with new_job(tmp_path, "incremental", None, "test") as job:
        assert [j["state"] for j in list_jobs(tmp_path)] == ["running"]
        job.write(state="done")
    assert [j["state"] for j in list_jobs(tmp_path)] == ["done"]


def test_a_job_whose_process_died_without_a_last_word_is_interrupted(tmp_path: Path) -> None:
    dies = ("import os, sys\nfrom pathlib import Path\nfrom indexer.jobs import new_job\n"
            "with new_job(Path(sys.argv[1]), 'rebuild', None, 'cli'):\n    os._exit(9)\n")
    subprocess.run([sys.executable, "-c", dies, str(tmp_path)], cwd=REPO, check=False)
    [job] = list_jobs(tmp_path)
    assert job["state"] == "interrupted"


def test_a_running_record_is_interrupted_even_if_another_process_now_has_its_pid(tmp_path: Path) -> None:
    write_running_record(tmp_path, "20260101T000000000000-1", pid=os.getpid())  # a live pid, but no job lock
    assert get_job(tmp_path, "20260101T000000000000-1")["state"] == "interrupted"


def test_start_reindex_is_refused_while_another_process_holds_the_index_lock(tmp_path: Path) -> None:
    registry = corpus_with_registry(tmp_path)
    index_dir = tmp_path / "index"
    with build_lock(index_dir), pytest.raises(ReindexBusy) as busy:
        start_reindex(index_dir, registry, [], False, WhooshIndex(index_dir))
    assert (busy.value.reason, busy.value.job_ref) == ("lock", None)
    assert not list((index_dir / JOBS_DIR).glob("launch-*.log"))


def test_start_reindex_is_refused_while_a_job_runs_and_names_it(tmp_path: Path) -> None:
    registry = corpus_with_registry(tmp_path)
    index_dir = tmp_path / "index"
    with new_job(index_dir, "incremental", None, "cli") as job, pytest.raises(ReindexBusy) as busy:
        start_reindex(index_dir, registry, [], False, WhooshIndex(index_dir))
    assert (busy.value.reason, busy.value.job_ref) == ("job", job.state["id"])
    assert "wait for it to finish" in str(busy.value)


def test_a_started_reindex_is_found_by_its_launch_id_and_ends_as_its_recorded_job(tmp_path: Path) -> None:
    registry = corpus_with_registry(tmp_path)
    index_dir = tmp_path / "index"
    launch_id = start_reindex(index_dir, registry, ["presse"], True, WhooshIndex(index_dir))
    assert launch_id.startswith("launch-")
    assert find_job(index_dir, launch_id)["state"] in ("starting", "running", "done")
    job = wait_until_finished(index_dir, launch_id)
    assert job["state"] == "done", job
    assert (job["started_by"], job["kind"], job["scope"]) == ("admin", "rebuild", ["presse"])
    assert job["id"] != launch_id and find_job(index_dir, job["id"]) == job


def test_a_launch_that_ended_without_a_record_failed_with_the_end_of_its_output(tmp_path: Path) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    launch_id = f"launch-20260101T000000000000-{ended.pid}"
    (tmp_path / JOBS_DIR).mkdir()
    (tmp_path / JOBS_DIR / f"{launch_id}.log").write_text("starting\n\nrun.py: error: no such registry\n")
    job = find_job(tmp_path, launch_id)
    assert (job["state"], job["error"], job["started_at"]) == ("failed", "starting\nrun.py: error: no such registry",
                                                               "2026-01-01T00:00:00+00:00")


@pytest.mark.parametrize("job_ref", ["", "../../etc/passwd", "launch-20260101T000000000000-1", "20260101T000000-1"])
def test_an_unknown_or_malformed_job_ref_finds_nothing(tmp_path: Path, job_ref: str) -> None:
    assert find_job(tmp_path, job_ref) is None
