"""Indexing jobs: run a build and keep its progress and report as JSON under index/jobs/; start one detached.

The CLI and the admin console both start builds through `run_job`, so both
leave the same record: state, progress, and the final report with per-file errors.
The console starts `run.py index` in a detached process (`start_reindex`) and
finds it again by its launch id (`find_job`), before and after it records its job.

One rule says whether a job is alive, for every record and every launch: its
process holds a lock on the job's lock file (`<job id>.lock` for a record, the
launch's output log for a launch not yet recorded). The kernel drops the lock
when the process ends, however it ends, so there is no pid to trust: no pid
reuse, no zombie, no fork-before-exec race, and every process sees the same answer.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from indexer.build import BuildReport, build_index
from indexer.target import IndexTarget
from indexer.corpus import CorpusSource, count_documents
from indexer.errors import IndexLocked, LoupeError

REPO = Path(__file__).resolve().parent.parent
JOBS_DIR = "jobs"
JobProgressCallback = Callable[[int, int, str], None]  # (documents so far, expected total, origin)
PROGRESS_EVERY_SECONDS = 0.5
KEPT_JOBS = 200
LOCK_SUFFIX = ".lock"
TERMINAL_STATES = ("done", "failed", "interrupted")
LAUNCH_PREFIX = "launch-"
JOB_REF = re.compile(r"^(launch-)?(\d{8}T\d{12})-(\d{1,10})$")
SECRET_VARIABLES = ("LOUPE_ADMIN_TOKEN", "LOUPE_SECRET_KEY")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _held(lock: Path) -> bool:
    """Is the job whose lock file is `lock` still going? The one liveness rule: see the module docstring."""
    try:
        with open(lock, "rb") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(file, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


@contextmanager
def _holding(lock: Path) -> Iterator[None]:
    """Hold a lock on `lock` while the block runs; the file goes when it ends (a crash leaves it, unlocked)."""
    with open(lock, "ab") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)  # before the lock is released: a reader then finds the final record


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


@contextmanager
def new_job(index_dir: Path, kind: str, scope: list[str] | None, started_by: str) -> Iterator[JobLog]:
    """A 'running' job record, alive (its lock held) until the block ends."""
    jobs = index_dir / JOBS_DIR
    jobs.mkdir(parents=True, exist_ok=True)
    job_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f") + f"-{os.getpid()}"
    job = JobLog(jobs / f"{job_id}.json")
    with _holding(job.path.with_suffix(LOCK_SUFFIX)):
        job.write(id=job_id, kind=kind, scope=scope or [], started_by=started_by, state="running",
                  started_at=_now(), pid=os.getpid(), done=0, total=None, current="")
        yield job


def run_job(
    sources: list[CorpusSource],
    index_dir: Path,
    *,
    target: IndexTarget,
    rebuild: bool = False,
    scope: set[str] | None = None,
    allow_shrink: bool = False,
    started_by: str = "cli",
    progress: JobProgressCallback | None = None,
    entities: bool = False,
) -> BuildReport:
    """Build (incrementally unless `rebuild`) and record the job; re-raises failures.

    The corpus is counted once, here, for both the job log and `progress`.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    kind = "rebuild" if rebuild else "incremental"
    with new_job(index_dir, kind, sorted(scope) if scope else None, started_by) as job:
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
            report = build_index(sources, target, progress=on_progress, rebuild=rebuild, scope=scope,
                                 allow_shrink=allow_shrink, entities=entities)
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
        old.with_suffix(LOCK_SUFFIX).unlink(missing_ok=True)  # left by a run that crashed


def _read_job(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load_job(path: Path) -> dict | None:
    """A job's state, or None if its file is gone or unreadable; a 'running' job whose process is gone is interrupted."""
    state = _read_job(path)
    if state is not None and state.get("state") == "running" and not _held(path.with_suffix(LOCK_SUFFIX)):
        state = _read_job(path)  # it may have written its end just before letting go of its lock
        if state is not None and state.get("state") == "running":
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


# --- detached runs: start one, find it again ---------------------------------------------------


class ReindexBusy(LoupeError):
    """A reindex cannot start now. `reason` is 'job' (a job runs: `job_ref`) or 'lock' (the index lock is held)."""

    code = "reindex_busy"
    http_status = 409

    def __init__(self, reason: str, job_ref: str | None) -> None:
        what = f"job {job_ref} is running" if job_ref else "another indexing run holds the index lock"
        super().__init__(f"{what}: wait for it to finish before starting another")
        self.reason = reason
        self.job_ref = job_ref


def _launches(jobs_dir: Path) -> list[tuple[str, str, int]]:
    """(launch id, stamp, pid) of the runs `start_reindex` started, newest first."""
    found = []
    for log in sorted(jobs_dir.glob(f"{LAUNCH_PREFIX}*.log"), reverse=True):
        match = JOB_REF.match(log.stem)
        if match:
            found.append((log.stem, match.group(2), int(match.group(3))))
    return found


def _running_reason(index_dir: Path, target: IndexTarget) -> tuple[str, str | None] | None:
    """(reason, job ref) as ReindexBusy takes them when a reindex is running, else None."""
    jobs_dir = index_dir / JOBS_DIR
    running = next((job for job in list_jobs(index_dir, 20) if job.get("state") == "running"), None)
    if running:
        return "job", running.get("id")
    for launch_id, _stamp, _pid in _launches(jobs_dir)[:20]:
        if _held(jobs_dir / f"{launch_id}.log"):
            return "job", launch_id
    try:
        with target.lock():
            pass
    except IndexLocked:
        return "lock", None
    return None


def _prune_launch_logs(jobs_dir: Path) -> None:
    for old in _launches(jobs_dir)[KEPT_JOBS:]:
        (jobs_dir / f"{old[0]}.log").unlink(missing_ok=True)


def start_reindex(index_dir: Path, registry: Path, sources: list[str], rebuild: bool, target: IndexTarget) -> str:
    """Start `run.py index` detached, as the admin console; its launch id. Raises ReindexBusy if a reindex runs.

    `target` is where that run writes: its lock held by another run (the CLI's, say) refuses the start too.
    """
    jobs_dir = index_dir / JOBS_DIR
    jobs_dir.mkdir(parents=True, exist_ok=True)
    # Two clicks (or two workers) at once: the check and the start happen under one lock.
    with open(jobs_dir / ".launch.lock", "a+") as launch_lock:
        fcntl.flock(launch_lock, fcntl.LOCK_EX)
        busy = _running_reason(index_dir, target)
        if busy:
            raise ReindexBusy(*busy)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        command = [sys.executable, str(REPO / "run.py"), "index", "--index", str(index_dir), "--registry", str(registry)]
        for name in sources:
            command += ["--source", name]
        if rebuild:
            command.append("--rebuild")
        env = {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}
        env["LOUPE_JOB_STARTED_BY"] = "admin"
        pending_log = jobs_dir / f".{LAUNCH_PREFIX}{stamp}.log"
        with open(pending_log, "ab") as log:
            fcntl.flock(log, fcntl.LOCK_EX)  # inherited by the run with its output: the launch's lock for _held
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       cwd=str(REPO), env=env, start_new_session=True, close_fds=True)
        launch_id = f"{LAUNCH_PREFIX}{stamp}-{process.pid}"
        pending_log.rename(jobs_dir / f"{launch_id}.log")
    # Reap the child when it ends, so that a finished run leaves no zombie behind in this process.
    threading.Thread(target=process.wait, name=f"reap-{process.pid}", daemon=True).start()
    _prune_launch_logs(jobs_dir)
    return launch_id


def _log_tail(path: Path, lines: int = 5) -> str:
    """The last lines of a run's output: `run.py: error: …` when it stopped before recording a job."""
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 4096))
            text = log.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join([line for line in text.splitlines() if line.strip()][-lines:])


def find_job(index_dir: Path, job_ref: str) -> dict | None:
    """A job record by its id, or by the launch id of a run `start_reindex` started.

    A launch not yet recorded is 'starting' while its process lives; if the process
    ended without a record (a bad registry, say), it failed and its log says why.
    """
    match = JOB_REF.match(job_ref)
    if not match:
        return None
    if not match.group(1):
        return get_job(index_dir, job_ref)
    stamp, pid = match.group(2), int(match.group(3))
    log = index_dir / JOBS_DIR / f"{job_ref}.log"
    if not log.exists():
        return None

    def recorded() -> dict | None:
        return next((job for job in list_jobs(index_dir, KEPT_JOBS)
                     if job.get("pid") == pid and str(job.get("id", "")) >= stamp), None)

    job = recorded()
    if job:
        return job
    started_at = datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc).isoformat(timespec="seconds")
    if _held(log):
        return {"id": job_ref, "state": "starting", "started_at": started_at, "started_by": "admin",
                "done": 0, "total": None, "scope": [], "kind": ""}
    job = recorded()  # it may have written its record just before ending
    return job or {"id": job_ref, "state": "failed", "started_at": started_at, "started_by": "admin",
                   "done": 0, "total": None, "scope": [], "kind": "", "error": _log_tail(log)}
