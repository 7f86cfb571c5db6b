"""What the admin pages show: the dashboard's view model, job records as the page and admin.js read them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template, request, url_for

from indexer.corpus import KNOWN_EXTENSIONS
from indexer.errors import IndexCorrupt, IndexMissing
from indexer.intake import megabytes, upload_folder
from indexer.jobs import TERMINAL_STATES, list_jobs
from indexer.registry import RegisteredSource, RegistryError, load_registry
from webui.admin_auth import csrf_token, logged_in
from webui.i18n import choose_language, format_decimal, format_number, strings_for
from webui.pages import lang_param_from
from webui.state import current_engine


def index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


def registry_path() -> Path:
    return Path(current_app.config["REGISTRY_PATH"])


def strings() -> dict[str, str]:
    return strings_for(choose_language(request))


def _lang_arg() -> str | None:
    """The `lang` to carry in links and redirects: only when the user chose one."""
    return lang_param_from(request.args)


def url(endpoint: str, **values) -> str:
    return url_for(endpoint, lang=_lang_arg(), **values)


def _when(iso: str | None) -> str:
    """`2026-03-01T10:20:30+00:00` → `2026-03-01 10:20:30 UTC`."""
    if not iso:
        return ""
    return iso.replace("T", " ").replace("+00:00", " UTC")


def page(template: str, status: int = 200, **context):
    lang = choose_language(request)
    return render_template(
        template, lang=lang, t=strings_for(lang), archive_name=current_app.config["ARCHIVE_NAME"],
        csrf_token=csrf_token(), lang_arg=_lang_arg(), when=_when, logged_in=logged_in(),
        format_number=lambda number: format_number(int(number or 0), lang),
        format_decimal=lambda number: format_decimal(number, lang), **context,
    ), status


def job_json(job: dict, strings: dict[str, str]) -> dict:
    """The job record as the page and admin.js show it: state label, times and report."""
    state = job.get("state", "")
    return {
        "id": job.get("id"),
        "url": url("admin.job_page", job_ref=job.get("id")),
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


@dataclass(frozen=True)
class SourceRow:
    name: str
    path: str
    documents: int
    last_indexed: str
    accepts_uploads: bool


def registered_sources() -> tuple[list[RegisteredSource], str | None]:
    try:
        return load_registry(registry_path()), None
    except RegistryError as error:
        return [], str(error)


def _document_counts(names: list[str]) -> dict[str, int]:
    try:
        counts = current_engine().documents_per_collection()
    except (IndexMissing, IndexCorrupt):
        return {}
    return {name: counts.get(name, 0) for name in names}


def _last_indexed(name: str, jobs: list[dict]) -> str:
    """When the newest finished job covering `name` (its scope, or every source) ended."""
    for job in jobs:
        if job.get("state") == "done" and (not job.get("scope") or name in job["scope"]):
            return job.get("finished_at", "")
    return ""


def _source_rows(sources: list[RegisteredSource], jobs: list[dict]) -> list[SourceRow]:
    counts = _document_counts([s.name for s in sources])
    base = registry_path().parent
    return [SourceRow(s.name, s.path, counts.get(s.name, 0), _last_indexed(s.name, jobs),
                      upload_folder(s, base) is not None) for s in sources]


def dashboard_page(status: int = 200, **extra):
    try:
        stats, stats_error = current_engine().stats(), None
    except (IndexMissing, IndexCorrupt) as error:
        stats, stats_error = None, str(error)
    sources, registry_error = registered_sources()
    jobs = list_jobs(index_dir(), 50)
    running = next((job for job in jobs if job.get("state") == "running"), None)
    labels = strings()
    return page("admin_dashboard.html", status, stats=stats, stats_error=stats_error,
                sources=_source_rows(sources, jobs), registry_error=registry_error,
                registry_path=str(registry_path()), jobs=[job_json(job, labels) for job in jobs],
                running=running, known_extensions=KNOWN_EXTENSIONS,
                upload_limit=megabytes(current_app.config["UPLOAD_MAX_BYTES"]), **extra)
