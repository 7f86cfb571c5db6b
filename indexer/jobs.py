"""Indexing jobs: run a build and keep its progress and report as JSON under index/jobs/.

The CLI and the admin console both start builds through `run_job`, so both
leave the same record: state, progress, and the final report with per-file errors.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from indexer.build import BuildReport, build_index
from indexer.corpus import CorpusSource, count_documents
from indexer.errors import LoupeError

JOBS_DIR = "jobs"
JobProgressCallback = Callable[[int, int, str], None]  # (documents so far, expected total, origin)
PROGRESS_EVERY_SECONDS = 0.5
KEPT_JOBS = 200


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class JobLog:
    """One job's JSON file, rewritten atomically as the job goes."""

    path: Path
    state: dict = field(default_factory=dict)

    def write(self, **changes) -> None:
        self.state.update(changes)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(self.path)


JOB_ID = re.compile(r"\d{8}T\d{12}-\d+")  # as new_job names them: UTC time to the microsecond, pid


def new_job(index_dir: Path, kind: str, scope: list[str] | None, started_by: str) -> JobLog:
    jobs = index_dir / JOBS_DIR
    jobs.mkdir(parents=True, exist_ok=True)
    job_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    job = JobLog(jobs / f"{job_id}.json")
    job.write(id=job_id, kind=kind, scope=scope or [], started_by=started_by, state="running",
              started_at=_now(), pid=os.getpid(), done=0, total=None, current="")
    return job


def run_job(
    sources: list[CorpusSource],
    index_dir: Path,
    *,
    rebuild: bool = False,
    scope: set[str] | None = None,
    started_by: str = "cli",
    progress: JobProgressCallback | None = None,
) -> BuildReport:
    """Build (incrementally unless `rebuild`) and record the job; re-raises failures.

    The corpus is counted once, here, for both the job log and `progress`.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    job = new_job(index_dir, "rebuild" if rebuild else "incremental", sorted(scope) if scope else None, started_by)
    total = count_documents(p for s in sources for p in s.paths)
    job.write(total=total)
    last_write = 0.0

    def on_progress(count: int, origin: str) -> None:
        nonlocal last_write
        if progress:
            progress(count, total, origin)
        now = time.monotonic()
        if now - last_write >= PROGRESS_EVERY_SECONDS:
            job.write(done=count, current=origin)
            last_write = now

    try:
        report = build_index(sources, index_dir, progress=on_progress, rebuild=rebuild, scope=scope)
    except (LoupeError, OSError) as error:
        job.write(state="failed", finished_at=_now(), error=str(error))
        raise
    except BaseException as error:
        job.write(state="failed", finished_at=_now(), error=f"interrupted ({type(error).__name__})")
        raise
    job.write(state="done", finished_at=_now(), done=report.read, report=report.as_dict())
    _prune_jobs(index_dir / JOBS_DIR)
    return report


def _prune_jobs(jobs: Path) -> None:
    for old in sorted(jobs.glob("*.json"), reverse=True)[KEPT_JOBS:]:
        old.unlink(missing_ok=True)


def _load_job(path: Path) -> dict | None:
    """A job's state, or None if its file is gone or unreadable; a 'running' job whose process is gone is interrupted."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("state") == "running" and not _pid_alive(int(state.get("pid", 0))):
        state["state"] = "interrupted"
    return state


def list_jobs(index_dir: Path, limit: int = 50) -> list[dict]:
    """Jobs newest first."""
    paths = sorted((index_dir / JOBS_DIR).glob("*.json"), reverse=True)[:limit]
    return [state for state in map(_load_job, paths) if state is not None]


def get_job(index_dir: Path, job_id: str) -> dict | None:
    """One job by id (its file is named after it), or None."""
    if not JOB_ID.fullmatch(job_id):
        return None
    state = _load_job(index_dir / JOBS_DIR / f"{job_id}.json")
    return state if state is not None and state.get("id") == job_id else None
