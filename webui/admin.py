"""The admin console at /admin: index statistics, sources, reindex jobs with live progress, uploads.

Off (404) unless ADMIN_TOKEN is configured. The console never writes the index
itself: a reindex is `run.py index` in a detached process, which records its
job under <index>/jobs/ like any CLI run; the console reads those records.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, session,
                   url_for)
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from indexer.build import build_lock
from indexer.corpus import KNOWN_EXTENSIONS, format_of
from indexer.errors import IndexCorrupt, IndexLocked, IndexMissing
from indexer.jobs import JOBS_DIR, KEPT_JOBS, get_job, list_jobs
from indexer.registry import RegisteredSource, RegistryError, load_registry
from webui.i18n import choose_language, format_decimal, format_number, strings_for
from webui.pages import lang_param_from
from webui.json_errors import error_response
from webui.ratelimit import client_address

admin = Blueprint("admin", __name__)

REPO = Path(__file__).resolve().parent.parent
AUDIT_LOG = "admin-audit.log"
SESSION_SECONDS = 12 * 3600
FAILED_LOGIN_DELAY_SECONDS = 0.5
FAILED_LOGIN_LIMIT = 10  # per client address, per process, within the window
FAILED_LOGIN_WINDOW_SECONDS = 600
MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers and the small form fields
TERMINAL_STATES = ("done", "failed", "interrupted")
LAUNCH_PREFIX = "launch-"
JOB_REF = re.compile(r"^(launch-)?(\d{8}T\d{12})-(\d{1,10})$")
COMPRESSED_MAGIC = {".xz": b"\xfd7zXZ\x00", ".gz": b"\x1f\x8b"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
SECRET_VARIABLES = ("LOUPE_ADMIN_TOKEN", "LOUPE_SECRET_KEY")
GLOB_CHARACTERS = "*?["

_failed_logins_lock = threading.Lock()


class UploadRefused(Exception):
    """One uploaded file is not saved; the message (already translated) says why and what to do."""


# --- paths and configuration ---------------------------------------------------------------


def _index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


def _registry_path() -> Path:
    return Path(current_app.config["REGISTRY_PATH"])


def _strings() -> dict[str, str]:
    return strings_for(choose_language(request))


def _lang_arg() -> str | None:
    """The `lang` to carry in links and redirects: only when the user chose one."""
    return lang_param_from(request.args)


def _url(endpoint: str, **values) -> str:
    return url_for(endpoint, lang=_lang_arg(), **values)


# --- session, login, CSRF ------------------------------------------------------------------


def _token_fingerprint() -> str:
    """Stored in the session, so changing ADMIN_TOKEN logs every session out."""
    return hashlib.sha256(b"loupe-admin\0" + str(current_app.config["ADMIN_TOKEN"]).encode()).hexdigest()


def _logged_in() -> bool:
    fingerprint = session.get("admin", "")
    since = session.get("admin_since", 0)
    return (
        isinstance(fingerprint, str)
        and hmac.compare_digest(fingerprint, _token_fingerprint())
        and isinstance(since, (int, float))
        and time.time() - since < SESSION_SECONDS
    )


def csrf_token() -> str:
    if not isinstance(session.get("csrf"), str):
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    return bool(sent) and isinstance(expected, str) and hmac.compare_digest(sent.encode(), expected.encode())


def _client() -> str:
    return client_address(bool(current_app.config.get("TRUST_PROXY", False)))


def _recent_failures(client: str) -> deque:
    per_client = current_app.extensions.setdefault("loupe_admin_failed_logins", {})
    failures = per_client.setdefault(client, deque())
    while failures and time.monotonic() - failures[0] > FAILED_LOGIN_WINDOW_SECONDS:
        failures.popleft()
    return failures


def _too_many_failures(client: str) -> bool:
    with _failed_logins_lock:
        return len(_recent_failures(client)) >= FAILED_LOGIN_LIMIT


def _record_failure(client: str) -> None:
    with _failed_logins_lock:
        _recent_failures(client).append(time.monotonic())
    # Slows guessing down a little; the counter above stops it after a few tries.
    time.sleep(FAILED_LOGIN_DELAY_SECONDS)


@admin.before_request
def _guard():
    if not current_app.config.get("ADMIN_TOKEN"):
        abort(404)  # no default credential: without a token the console does not exist
    if request.endpoint not in ("admin.login", "admin.login_form") and not _logged_in():
        if request.path.endswith(".json"):
            return error_response("login_required", "log in at /admin/login first", 401)
        return redirect(_url("admin.login_form"))
    if request.endpoint == "admin.upload" and request.method == "POST":
        limit = current_app.config["UPLOAD_MAX_BYTES"] + MULTIPART_OVERHEAD_BYTES
        if request.content_length is not None and request.content_length > limit:
            return _upload_too_large()
        # Only this route reads a body bigger than the app-wide MAX_CONTENT_LENGTH.
        request.max_content_length = limit
    if request.method == "POST" and not _csrf_ok():
        return _page("admin_error.html", 400, message=_strings()["admin_csrf_refused"])
    return None


@admin.after_request
def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@admin.errorhandler(RequestEntityTooLarge)
def _too_large(error: RequestEntityTooLarge):
    if request.endpoint == "admin.upload":
        return _upload_too_large()
    return error  # other forms are small: the app-wide MAX_CONTENT_LENGTH stands


# --- audit log -----------------------------------------------------------------------------


def audit(action: str, **details) -> None:
    """One JSON line per action in <index>/admin-audit.log, and the same line in the app log."""
    entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "action": action,
             "client": _client(), **details}
    line = json.dumps(entry, ensure_ascii=False)
    level = current_app.logger.warning if action == "login_failed" else current_app.logger.info
    level("admin: %s", line)
    index_dir = _index_dir()
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / AUDIT_LOG, "a", encoding="utf-8") as log:
        log.write(line + "\n")


# --- rendering -----------------------------------------------------------------------------


def _when(iso: str | None) -> str:
    """`2026-03-01T10:20:30+00:00` → `2026-03-01 10:20:30 UTC`."""
    if not iso:
        return ""
    return iso.replace("T", " ").replace("+00:00", " UTC")


def _page(template: str, status: int = 200, **context):
    lang = choose_language(request)
    strings = strings_for(lang)
    return render_template(
        template, lang=lang, t=strings, archive_name=current_app.config["ARCHIVE_NAME"],
        csrf_token=csrf_token(), lang_arg=_lang_arg(), when=_when, logged_in=_logged_in(),
        format_number=lambda number: format_number(int(number or 0), lang),
        format_decimal=lambda number: format_decimal(number, lang), **context,
    ), status


# --- login and logout ----------------------------------------------------------------------


@admin.get("/login")
def login_form():
    if _logged_in():
        return redirect(_url("admin.dashboard"))
    return _page("admin_login.html")


@admin.post("/login")
def login():
    client = _client()
    strings = _strings()
    if _too_many_failures(client):
        return _page("admin_login.html", 429, error=strings["admin_login_throttled"])
    sent = request.form.get("token", "")
    if not hmac.compare_digest(sent.encode(), str(current_app.config["ADMIN_TOKEN"]).encode()):
        _record_failure(client)
        audit("login_failed")
        return _page("admin_login.html", 403, error=strings["admin_login_wrong"])
    with _failed_logins_lock:
        _recent_failures(client).clear()
    session.clear()  # a fresh session (and CSRF token) after login: no fixation
    session["admin"] = _token_fingerprint()
    session["admin_since"] = time.time()
    audit("login")
    return redirect(_url("admin.dashboard"), 303)


@admin.post("/logout")
def logout():
    audit("logout")
    session.clear()
    return redirect(_url("admin.login_form"), 303)


@admin.get("/logout")
def logout_get():
    return redirect(_url("admin.dashboard"))  # logging out is a POST with its CSRF token


# --- jobs: start, find, describe -----------------------------------------------------------


def _launch_running(log: Path) -> bool:
    """Is the run that writes `log` still going? It holds a lock on its log for as long as it lives.

    The console locks the log before starting the run, which inherits the lock
    with its output file: no pid to trust (no pid reuse, no fork-before-exec race),
    and every server process sees the same answer.
    """
    try:
        with open(log, "rb") as output:
            try:
                fcntl.flock(output, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(output, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def _launches(jobs_dir: Path) -> list[tuple[str, str, int]]:
    """(launch id, stamp, pid) of the runs this console started, newest first."""
    found = []
    for log in sorted(jobs_dir.glob(f"{LAUNCH_PREFIX}*.log"), reverse=True):
        match = JOB_REF.match(log.stem)
        if match:
            found.append((log.stem, match.group(2), int(match.group(3))))
    return found


def _running_reason(index_dir: Path) -> tuple[str, str | None] | None:
    """(message key, job ref) when a reindex is running, else None."""
    jobs_dir = index_dir / JOBS_DIR
    running = next((job for job in list_jobs(index_dir, 20) if job.get("state") == "running"), None)
    if running:
        return "admin_busy_job", running.get("id")
    for launch_id, _stamp, _pid in _launches(jobs_dir)[:20]:
        if _launch_running(jobs_dir / f"{launch_id}.log"):
            return "admin_busy_job", launch_id
    try:
        with build_lock(index_dir):
            pass
    except IndexLocked:
        return "admin_busy_lock", None
    return None


class ReindexBusy(Exception):
    def __init__(self, message_key: str, job_ref: str | None) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.job_ref = job_ref


def _prune_launch_logs(jobs_dir: Path) -> None:
    for old in _launches(jobs_dir)[KEPT_JOBS:]:
        (jobs_dir / f"{old[0]}.log").unlink(missing_ok=True)


def start_reindex(index_dir: Path, registry: Path, sources: list[str], rebuild: bool) -> str:
    """Start `run.py index` detached; its launch id. Raises ReindexBusy if a reindex runs."""
    jobs_dir = index_dir / JOBS_DIR
    jobs_dir.mkdir(parents=True, exist_ok=True)
    # Two clicks (or two workers) at once: the check and the start happen under one lock.
    with open(jobs_dir / ".launch.lock", "a+") as launch_lock:
        fcntl.flock(launch_lock, fcntl.LOCK_EX)
        busy = _running_reason(index_dir)
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
            fcntl.flock(log, fcntl.LOCK_EX)  # inherited by the run with its output: see _launch_running
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       cwd=str(REPO), env=env, start_new_session=True, close_fds=True)
        launch_id = f"{LAUNCH_PREFIX}{stamp}-{process.pid}"
        pending_log.rename(jobs_dir / f"{launch_id}.log")
    # Reap the child when it ends: a zombie would look alive to list_jobs, a "running" job forever.
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
    """A job record by its id, or by the launch id of a run this console started.

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
    if _launch_running(log):
        return {"id": job_ref, "state": "starting", "started_at": started_at, "started_by": "admin",
                "done": 0, "total": None, "scope": [], "kind": ""}
    job = recorded()  # it may have written its record just before ending
    return job or {"id": job_ref, "state": "failed", "started_at": started_at, "started_by": "admin",
                   "done": 0, "total": None, "scope": [], "kind": "", "error": _log_tail(log)}


def job_json(job: dict, strings: dict[str, str]) -> dict:
    """The job record as the page and admin.js show it: state label, times and report."""
    state = job.get("state", "")
    return {
        "id": job.get("id"),
        "url": _url("admin.job_page", job_ref=job.get("id")),
        "kind": job.get("kind", ""),
        "kind_label": strings.get(f"admin_kind_{job.get('kind', '')}", job.get("kind", "")),
        "scope": job.get("scope", []),
        "started_by": job.get("started_by", ""),
        "state": state,
        "state_label": strings.get(f"admin_state_{state}", state),
        "finished": state in TERMINAL_STATES,
        "started_at": _when(job.get("started_at")),
        "finished_at": _when(job.get("finished_at")),
        "done": job.get("done") or 0,
        "total": job.get("total"),
        "current": job.get("current", ""),
        "error": job.get("error", ""),
        "report": job.get("report"),
    }


# --- sources and uploads -------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    name: str
    path: str
    documents: int
    last_indexed: str
    accepts_uploads: bool


def upload_folder(source: RegisteredSource, base: Path) -> Path | None:
    """The folder uploads for `source` go to: its directory, or the fixed part of its glob; None for one file."""
    if any(ch in source.path for ch in GLOB_CHARACTERS):
        fixed = []
        for part in Path(source.path).parts:
            if any(ch in part for ch in GLOB_CHARACTERS):
                break
            fixed.append(part)
        return base.joinpath(*fixed)
    path = base / source.path
    return path if path.is_dir() else None


def _glob_regex(pattern: str) -> re.Pattern:
    """Path.glob's pattern language as a regex (Python 3.11's PurePath.match has no `**`)."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            out.append("[" + pattern[i + 1:end].replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _extension_of(name: str) -> str | None:
    lowered = name.lower()
    return next((ext for ext in sorted(KNOWN_EXTENSIONS, key=len, reverse=True) if lowered.endswith(ext)), None)


def check_content(content: bytes, extension: str, strings: dict[str, str]) -> None:
    """Raise UploadRefused unless `content` looks like a file of that type."""
    for suffix, magic in COMPRESSED_MAGIC.items():
        if extension.endswith(suffix):
            if not content.startswith(magic):
                raise UploadRefused(strings["admin_upload_bad_compressed"].format(ext=suffix))
            return
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRefused(strings["admin_upload_bad_encoding"])
    if CONTROL_CHARACTERS.search(text):
        raise UploadRefused(strings["admin_upload_binary"])


def save_upload(upload: FileStorage, source: RegisteredSource, base: Path, limit: int,
                strings: dict[str, str]) -> Path:
    """Check one uploaded file and save it into the source's folder; UploadRefused says why not."""
    # Browsers send a bare name; a client that sends a path gets its last part, made safe.
    name = secure_filename((upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    extension = _extension_of(name)
    if not name or extension is None:
        raise UploadRefused(strings["admin_upload_bad_type"].format(types=", ".join(KNOWN_EXTENSIONS)))
    if name.lower().startswith("readme"):
        raise UploadRefused(strings["admin_upload_readme"])
    folder = upload_folder(source, base)
    if folder is None:
        raise UploadRefused(strings["admin_upload_single_file"].format(path=source.path))
    if any(ch in source.path for ch in GLOB_CHARACTERS):
        relative = (folder / name).relative_to(base).as_posix()
        if not _glob_regex(Path(source.path).as_posix()).match(relative):
            raise UploadRefused(strings["admin_upload_glob"].format(pattern=source.path))
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise UploadRefused(strings["admin_upload_too_large"].format(limit=_megabytes(limit)))
    if not content.strip():
        raise UploadRefused(strings["admin_upload_empty"])
    check_content(content, extension, strings)
    destination = folder / name
    if destination.exists():
        raise UploadRefused(strings["admin_upload_exists"].format(name=name))
    folder.mkdir(parents=True, exist_ok=True)
    # A hidden temporary file (the indexer skips those), then a link that fails rather than overwrite.
    partial = folder / f".upload-{secrets.token_hex(8)}-{name}"
    try:
        partial.write_bytes(content)
        if format_of(partial) is None:  # an .xml that is not an RSS/Atom feed, say
            raise UploadRefused(strings["admin_upload_not_feed"])
        os.link(partial, destination)
    except FileExistsError:
        raise UploadRefused(strings["admin_upload_exists"].format(name=name)) from None
    finally:
        partial.unlink(missing_ok=True)
    return destination


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def _upload_too_large():
    strings = _strings()
    message = strings["admin_upload_request_too_large"].format(limit=_megabytes(current_app.config["UPLOAD_MAX_BYTES"]))
    return _page("admin_error.html", 413, message=message)


def _registry() -> tuple[list[RegisteredSource], str | None]:
    try:
        return load_registry(_registry_path()), None
    except RegistryError as error:
        return [], str(error)


def _document_counts(names: list[str]) -> dict[str, int]:
    handle = current_app.extensions["loupe_index"]
    try:
        reader = handle.searcher().reader()
    except (IndexMissing, IndexCorrupt):
        return {}
    return {name: reader.doc_frequency("collection", name) for name in names}


def _last_indexed(name: str, jobs: list[dict]) -> str:
    """When the newest finished job covering `name` (its scope, or every source) ended."""
    for job in jobs:
        if job.get("state") == "done" and (not job.get("scope") or name in job["scope"]):
            return job.get("finished_at", "")
    return ""


def _source_rows(sources: list[RegisteredSource], jobs: list[dict]) -> list[SourceRow]:
    counts = _document_counts([s.name for s in sources])
    base = _registry_path().parent
    return [SourceRow(s.name, s.path, counts.get(s.name, 0), _last_indexed(s.name, jobs),
                      upload_folder(s, base) is not None) for s in sources]


def _dashboard(status: int = 200, **extra):
    index_dir = _index_dir()
    handle = current_app.extensions["loupe_index"]
    try:
        stats, stats_error = handle.stats(), None
    except (IndexMissing, IndexCorrupt) as error:
        stats, stats_error = None, str(error)
    sources, registry_error = _registry()
    jobs = list_jobs(index_dir, 50)
    running = next((job for job in jobs if job.get("state") == "running"), None)
    strings = _strings()
    return _page("admin_dashboard.html", status, stats=stats, stats_error=stats_error,
                 sources=_source_rows(sources, jobs), registry_error=registry_error,
                 registry_path=str(_registry_path()), jobs=[job_json(job, strings) for job in jobs],
                 running=running, known_extensions=KNOWN_EXTENSIONS,
                 upload_limit=_megabytes(current_app.config["UPLOAD_MAX_BYTES"]), **extra)


# --- routes --------------------------------------------------------------------------------


@admin.get("/")
def dashboard():
    return _dashboard()


@admin.get("")
def dashboard_without_slash():
    return redirect(_url("admin.dashboard"))  # after _guard: 404 with no token, like every admin page


@admin.post("/reindex")
def reindex():
    strings = _strings()
    sources, registry_error = _registry()
    chosen = request.form.getlist("source")
    rebuild = request.form.get("rebuild") == "1"
    unknown = sorted(set(chosen) - {s.name for s in sources})
    if registry_error or unknown:
        message = registry_error or strings["admin_unknown_source"].format(name=", ".join(unknown))
        return _dashboard(400, notice_error=message)
    try:
        launch_id = start_reindex(_index_dir(), _registry_path(), chosen, rebuild)
    except ReindexBusy as busy:
        busy_url = _url("admin.job_page", job_ref=busy.job_ref) if busy.job_ref else None
        return _dashboard(409, notice_error=strings[busy.message_key], busy_url=busy_url)
    audit("reindex", sources=chosen or "all", rebuild=rebuild, launch=launch_id)
    return redirect(_url("admin.job_page", job_ref=launch_id), 303)


@admin.get("/reindex")
@admin.get("/upload")
def back_to_dashboard():
    return redirect(_url("admin.dashboard"))


@admin.post("/upload")
def upload():
    strings = _strings()
    sources, registry_error = _registry()
    name = request.form.get("source", "")
    source = next((s for s in sources if s.name == name), None)
    if source is None:
        message = registry_error or strings["admin_unknown_source"].format(name=name)
        return _dashboard(400, notice_error=message)
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return _dashboard(400, notice_error=strings["admin_upload_none"])
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    base = _registry_path().parent
    saved, refused = [], []
    for item in uploads:
        try:
            saved.append(save_upload(item, source, base, limit, strings).name)
        except UploadRefused as why:
            refused.append((item.filename, str(why)))
        except OSError as error:
            refused.append((item.filename, strings["admin_upload_os_error"].format(error=error.strerror or error)))
    audit("upload", source=source.name, saved=saved, refused=[f"{n}: {why}" for n, why in refused])
    upload_result = {"source": source.name, "saved": saved, "refused": refused}
    return _dashboard(200 if saved else 400, upload_result=upload_result)


@admin.get("/jobs/<job_ref>")
def job_page(job_ref: str):
    job = find_job(_index_dir(), job_ref)
    if job is None:
        abort(404)
    if job_ref.startswith(LAUNCH_PREFIX) and job.get("id") != job_ref:
        return redirect(_url("admin.job_page", job_ref=job["id"]))  # recorded: its own address
    return _page("admin_job.html", job=job_json(job, _strings()),
                 json_url=_url("admin.job_json_endpoint", job_ref=job_ref))


@admin.get("/jobs/<job_ref>.json")
def job_json_endpoint(job_ref: str):
    job = find_job(_index_dir(), job_ref)
    if job is None:
        return error_response("not_found", f"no job {job_ref!r}", 404)
    return jsonify(job_json(job, _strings()))
