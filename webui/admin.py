"""The admin console at /admin: index statistics, sources, reindex jobs with live progress, uploads.

Off (404) unless ADMIN_TOKEN is configured. The console never writes the index
itself: a reindex is `run.py index` in a detached process (indexer.jobs), which
records its job under <index>/jobs/ like any CLI run; the console reads those
records. Uploads are checked and saved by indexer.intake. These are the routes:
the session is admin_auth, the audit log admin_audit, what the pages show admin_view.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from engines.factory import open_target
from indexer.intake import UploadRefused, megabytes, save_upload
from indexer.jobs import LAUNCH_PREFIX, ReindexBusy, find_job, start_reindex
from webui.admin_audit import audit
from webui.admin_auth import (csrf_ok, end_session, forget_failures, logged_in, record_failure, request_client,
                              seconds_to_wait, start_session, token_matches)
from webui.admin_view import (dashboard_page, index_dir, job_json, page, registered_sources, registry_path, strings,
                              url)
from webui.errors import error_response

admin = Blueprint("admin", __name__)

MULTIPART_OVERHEAD_BYTES = 64 * 1024  # boundaries, part headers and the small form fields


def _target():
    config = current_app.config
    return open_target(config.get("ENGINE", "whoosh"), index_dir=index_dir(), solr_url=config.get("SOLR_URL"),
                       solr_collection=config.get("SOLR_COLLECTION", "loupe"))


@admin.before_request
def _guard():
    if not current_app.config.get("ADMIN_TOKEN"):
        abort(404)  # no default credential: without a token the console does not exist
    if request.endpoint not in ("admin.login", "admin.login_form") and not logged_in():
        if request.path.endswith(".json"):
            return error_response("login_required", "log in at /admin/login first", 401)
        return redirect(url("admin.login_form"))
    if request.endpoint == "admin.upload" and request.method == "POST":
        limit = current_app.config["UPLOAD_MAX_BYTES"] + MULTIPART_OVERHEAD_BYTES
        if request.content_length is not None and request.content_length > limit:
            return _upload_too_large()
        # Only this route reads a body bigger than the app-wide MAX_CONTENT_LENGTH.
        request.max_content_length = limit
    if request.method == "POST" and not csrf_ok():
        return page("admin_error.html", 400, message=strings()["admin_csrf_refused"])
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


def _upload_too_large():
    message = strings()["admin_upload_request_too_large"].format(limit=megabytes(current_app.config["UPLOAD_MAX_BYTES"]))
    return page("admin_error.html", 413, message=message)


# --- login and logout ----------------------------------------------------------------------


@admin.get("/login")
def login_form():
    if logged_in():
        return redirect(url("admin.dashboard"))
    return page("admin_login.html")


@admin.post("/login")
def login():
    client = request_client()
    labels = strings()
    wait = seconds_to_wait(client)
    if wait:  # the token is not even compared: waiting is the only way to guess again
        html, status = page("admin_login.html", 429, error=labels["admin_login_throttled"])
        return html, status, {"Retry-After": str(wait)}
    if not token_matches(request.form.get("token", "")):
        record_failure(client)
        audit("login_failed")
        return page("admin_login.html", 403, error=labels["admin_login_wrong"])
    forget_failures(client)
    start_session()
    audit("login")
    return redirect(url("admin.dashboard"), 303)


@admin.post("/logout")
def logout():
    audit("logout")
    end_session()
    return redirect(url("admin.login_form"), 303)


@admin.get("/logout")
def logout_get():
    return redirect(url("admin.dashboard"))  # logging out is a POST with its CSRF token


# --- dashboard, reindex, uploads -----------------------------------------------------------


@admin.get("/")
def dashboard():
    return dashboard_page()


@admin.get("")
def dashboard_without_slash():
    return redirect(url("admin.dashboard"))  # after _guard: 404 with no token, like every admin page


@admin.post("/reindex")
def reindex():
    labels = strings()
    sources, registry_error = registered_sources()
    chosen = request.form.getlist("source")
    rebuild = request.form.get("rebuild") == "1"
    unknown = sorted(set(chosen) - {s.name for s in sources})
    if registry_error or unknown:
        message = registry_error or labels["admin_unknown_source"].format(name=", ".join(unknown))
        return dashboard_page(400, notice_error=message)
    try:
        launch_id = start_reindex(index_dir(), registry_path(), chosen, rebuild, _target())
    except ReindexBusy as busy:
        busy_url = url("admin.job_page", job_ref=busy.job_ref) if busy.job_ref else None
        return dashboard_page(409, notice_error=labels[f"admin_busy_{busy.reason}"], busy_url=busy_url)
    audit("reindex", sources=chosen or "all", rebuild=rebuild, launch=launch_id)
    return redirect(url("admin.job_page", job_ref=launch_id), 303)


@admin.get("/reindex")
@admin.get("/upload")
def back_to_dashboard():
    return redirect(url("admin.dashboard"))


def _file_name(upload: FileStorage) -> str:
    # Browsers send a bare name; a client that sends a path gets its last part, made safe.
    return secure_filename((upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1])


@admin.post("/upload")
def upload():
    labels = strings()
    sources, registry_error = registered_sources()
    name = request.form.get("source", "")
    source = next((s for s in sources if s.name == name), None)
    if source is None:
        message = registry_error or labels["admin_unknown_source"].format(name=name)
        return dashboard_page(400, notice_error=message)
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return dashboard_page(400, notice_error=labels["admin_upload_none"])
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    base = registry_path().parent
    saved, refused = [], []
    for item in uploads:
        try:
            saved.append(save_upload(item.stream, _file_name(item), source, base, limit).name)
        except UploadRefused as why:
            refused.append((item.filename, labels[f"admin_upload_{why.reason}"].format(**why.details)))
        except OSError as error:
            refused.append((item.filename, labels["admin_upload_os_error"].format(error=error.strerror or error)))
    audit("upload", source=source.name, saved=saved, refused=[f"{n}: {why}" for n, why in refused])
    upload_result = {"source": source.name, "saved": saved, "refused": refused}
    return dashboard_page(200 if saved else 400, upload_result=upload_result)


# --- jobs ----------------------------------------------------------------------------------


@admin.get("/jobs/<job_ref>")
def job_page(job_ref: str):
    job = find_job(index_dir(), job_ref)
    if job is None:
        abort(404)
    if job_ref.startswith(LAUNCH_PREFIX) and job.get("id") != job_ref:
        return redirect(url("admin.job_page", job_ref=job["id"]))  # recorded: its own address
    return page("admin_job.html", job=job_json(job, strings()),
                json_url=url("admin.job_json_endpoint", job_ref=job_ref))


@admin.get("/jobs/<job_ref>.json")
def job_json_endpoint(job_ref: str):
    job = find_job(index_dir(), job_ref)
    if job is None:
        return error_response("not_found", f"no job {job_ref!r}", 404)
    return jsonify(job_json(job, strings()))
