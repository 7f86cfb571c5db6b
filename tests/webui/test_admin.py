"""The admin console: login, CSRF, reindex jobs in a real subprocess, uploads, audit log."""

from __future__ import annotations

import io
import json
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engines.whoosh.writer import WhooshIndex, build_lock
from indexer.jobs import run_job
from indexer.registry import load_registry
from tests.conftest import write_jsonl
from settings import SettingsError
from webui import admin_auth
from webui.app import create_app

TOKEN = "jeton-de-test-9f2c-7b41e0"
JOB_TIMEOUT_SECONDS = 60


def article(n: int, word: str = "archive") -> dict:
    return {
        "id": f"a{n:04d}",
        "title": f"Article {n}",
        "body": f"Un texte sur la souveraineté et les {word}s, numéro {n}.",
        "url": f"https://example.org/{n}",
        "source": "Journal",
        "date": f"2019-0{1 + n % 9}-15",
    }


@dataclass
class Console:
    app: Flask
    corpus: Path
    index_dir: Path
    registry: Path

    @property
    def folder(self) -> Path:
        return self.corpus / "presse"

    def audit_lines(self) -> list[dict]:
        log = self.index_dir / "admin-audit.log"
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []


def make_console(tmp_path: Path, **config) -> Console:
    corpus = tmp_path / "corpus"
    (corpus / "presse").mkdir(parents=True)
    write_jsonl(corpus / "presse" / "lot-1.jsonl", [article(n) for n in range(5)])
    write_jsonl(corpus / "archive.jsonl", [article(n) for n in range(100, 103)])
    registry = corpus / "sources.toml"
    registry.write_text(
        '[sources.presse]\npath = "presse"\nsource = "Journal"\n\n'
        '[sources.archive]\npath = "archive.jsonl"\n',
        encoding="utf-8",
    )
    index_dir = tmp_path / "index"
    run_job([s.corpus_source(corpus) for s in load_registry(registry)], index_dir, target=WhooshIndex(index_dir))
    app = create_app({"INDEX_DIR": str(index_dir), "REGISTRY_PATH": str(registry), "ADMIN_TOKEN": TOKEN,
                      "TESTING": True, **config})
    return Console(app, corpus, index_dir, registry)


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return make_console(tmp_path)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def logged_in_client(console: Console) -> tuple[FlaskClient, str]:
    client = console.app.test_client()
    form = client.get("/admin/login")
    answer = client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf_from(form.text)})
    assert answer.status_code == 303
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    return client, csrf_from(dashboard.text)


def wait_for_job(client: FlaskClient, job_url: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        job = client.get(job_url + ".json").get_json()
        if job["state"] in ("done", "failed", "interrupted"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_url} did not finish in {JOB_TIMEOUT_SECONDS} s")


def upload(client: FlaskClient, csrf: str, files: list[tuple[bytes, str]], source: str = "presse", **kw):
    data = {"csrf_token": csrf, "source": source, "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post("/admin/upload", data=data, content_type="multipart/form-data", **kw)


# --- access ----------------------------------------------------------------------------------


def test_console_does_not_exist_without_an_admin_token(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("LOUPE_ADMIN_TOKEN", raising=False)
    app = make_console(tmp_path, ADMIN_TOKEN="").app
    client = app.test_client()
    assert client.get("/admin").status_code == 404
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login").status_code == 404
    assert client.post("/admin/login", data={"token": ""}).status_code == 404


def test_dashboard_and_job_data_require_logging_in(console: Console) -> None:
    client = console.app.test_client()
    answer = client.get("/admin/")
    assert answer.status_code == 302
    assert answer.location.endswith("/admin/login")
    assert client.get("/admin/jobs/20260101T000000000000-1.json").status_code == 401
    assert client.get("/admin/login").status_code == 200


def test_wrong_token_is_refused_and_logged(console: Console) -> None:
    client = console.app.test_client()
    form = client.get("/admin/login")
    answer = client.post("/admin/login", data={"token": "devine", "csrf_token": csrf_from(form.text)})
    assert answer.status_code == 403
    assert "Jeton incorrect" in answer.text
    assert client.get("/admin/").status_code == 302
    assert [line["action"] for line in console.audit_lines()] == ["login_failed"]


def test_repeated_wrong_tokens_slow_an_address_down_without_locking_the_right_token_out(console: Console) -> None:
    client = console.app.test_client()
    csrf = csrf_from(client.get("/admin/login").text)
    for attempt in range(admin_auth.FREE_FAILURES):
        assert client.post("/admin/login", data={"token": f"essai-{attempt}", "csrf_token": csrf}).status_code == 403
    # The next attempt, right or wrong, waits a second: the token is not even compared.
    answer = client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf})
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert "Trop de tentatives" in answer.text
    assert client.get("/admin/").status_code == 302
    time.sleep(1.1)
    assert client.post("/admin/login", data={"token": TOKEN, "csrf_token": csrf}).status_code == 303
    assert client.get("/admin/").status_code == 200
    # The right token cleared the count: a new mistake is free again.
    other = console.app.test_client()
    other_csrf = csrf_from(other.get("/admin/login").text)
    assert other.post("/admin/login", data={"token": "encore", "csrf_token": other_csrf}).status_code == 403


def test_the_wait_doubles_with_each_failure_up_to_a_minute(console: Console) -> None:
    with console.app.test_request_context("/admin/login"):
        for _ in range(admin_auth.FREE_FAILURES + 3):
            admin_auth.record_failure("203.0.113.9")
        assert admin_auth.seconds_to_wait("203.0.113.9") == 8
        for _ in range(10):
            admin_auth.record_failure("203.0.113.9")
        assert admin_auth.seconds_to_wait("203.0.113.9") == admin_auth.MAX_WAIT_SECONDS
        assert admin_auth.seconds_to_wait("198.51.100.1") == 0  # per address


def test_failed_logins_are_counted_across_workers(tmp_path: Path) -> None:
    console = make_console(tmp_path)
    second_worker = create_app({"INDEX_DIR": str(console.index_dir), "REGISTRY_PATH": str(console.registry),
                                "ADMIN_TOKEN": TOKEN, "TESTING": True})
    client = console.app.test_client()
    csrf = csrf_from(client.get("/admin/login").text)
    for attempt in range(admin_auth.FREE_FAILURES):
        client.post("/admin/login", data={"token": f"essai-{attempt}", "csrf_token": csrf})
    elsewhere = second_worker.test_client()
    elsewhere_csrf = csrf_from(elsewhere.get("/admin/login").text)
    assert elsewhere.post("/admin/login", data={"token": TOKEN, "csrf_token": elsewhere_csrf}).status_code == 429


def test_sessions_are_signed_with_a_random_secret_kept_beside_the_index_not_with_the_token(tmp_path: Path) -> None:
    console = make_console(tmp_path)
    secret_file = console.index_dir / admin_auth.SECRET_FILE
    assert secret_file.stat().st_mode & 0o777 == 0o600
    secret = secret_file.read_text().strip()
    assert len(secret) == 64 and TOKEN not in secret
    assert console.app.config["SECRET_KEY"] == secret
    # A second worker reads the same key, so a session works whichever worker answers.
    second_worker = create_app({"INDEX_DIR": str(console.index_dir), "ADMIN_TOKEN": TOKEN, "TESTING": True})
    assert second_worker.config["SECRET_KEY"] == secret
    client, _csrf = logged_in_client(console)
    cookie = client.get_cookie("session").value
    forged = second_worker.test_client()
    forged.set_cookie("session", cookie)
    assert forged.get("/admin/").status_code == 200


def test_a_copied_session_cookie_stops_working_once_its_session_logs_out(console: Console) -> None:
    client, csrf = logged_in_client(console)
    copied = console.app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    assert copied.get("/admin/").status_code == 200
    assert client.post("/admin/logout", data={"csrf_token": csrf}).status_code == 303
    assert copied.get("/admin/").status_code == 302


def test_each_login_starts_a_new_session(console: Console) -> None:
    first, _ = logged_in_client(console)
    second, _ = logged_in_client(console)
    assert first.get_cookie("session").value != second.get_cookie("session").value
    assert first.get("/admin/").status_code == 200 and second.get("/admin/").status_code == 200


@pytest.mark.parametrize("token", ["jeton-court", "x" * 32])
def test_the_console_refuses_to_start_with_a_weak_token(tmp_path: Path, token: str) -> None:
    with pytest.raises(SettingsError) as refused:
        create_app({"INDEX_DIR": str(tmp_path / "index"), "ADMIN_TOKEN": token, "TESTING": True})
    assert "at least 20 characters" in str(refused.value) and token not in str(refused.value)


def test_login_then_logout_ends_the_session(console: Console) -> None:
    client, csrf = logged_in_client(console)
    answer = client.post("/admin/logout", data={"csrf_token": csrf})
    assert answer.status_code == 303
    assert client.get("/admin/").status_code == 302


def test_forms_without_the_csrf_token_are_refused_with_400(console: Console) -> None:
    client = console.app.test_client()
    client.get("/admin/login")
    assert client.post("/admin/login", data={"token": TOKEN}).status_code == 400
    client, csrf = logged_in_client(console)
    for path, data in (("/admin/reindex", {}), ("/admin/logout", {}), ("/admin/reindex", {"csrf_token": "faux"})):
        answer = client.post(path, data=data)
        assert answer.status_code == 400
        assert "Formulaire refusé" in answer.text
    assert not list((console.index_dir / "jobs").glob("launch-*.log"))
    assert client.get("/admin/").status_code == 200  # still logged in


def test_dashboard_shows_statistics_sources_with_counts_and_jobs(console: Console) -> None:
    client, _csrf = logged_in_client(console)
    page = client.get("/admin/").text
    assert 'id="stat-documents">8<' in page
    presse = re.search(r'<th scope="row">presse</th>.*?</tr>', page, re.S).group(0)
    assert '<td class="num">5</td>' in presse
    assert "jamais" not in presse  # the fixture's run covered every source
    assert "Réindexer cette source" in presse
    assert "Tout réindexer" in page and "Reconstruire de zéro" in page
    assert re.search(r'<tr class="job-done">', page)
    english = client.get("/admin/?lang=en").text
    assert "Reindex all" in english and "Job history" in english


def test_pages_have_labels_and_no_inline_script_or_style(console: Console) -> None:
    client, _csrf = logged_in_client(console)
    for page in (client.get("/admin/").text, console.app.test_client().get("/admin/login").text):
        assert "<script>" not in page and "style=" not in page and "<style" not in page
        for control_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page):
            assert f'for="{control_id}"' in page


# --- reindex ---------------------------------------------------------------------------------


def test_reindex_of_a_source_runs_a_job_and_the_index_finds_the_new_file(console: Console) -> None:
    client, csrf = logged_in_client(console)
    write_jsonl(console.folder / "lot-2.jsonl", [article(7, word="zanzibar")])
    answer = client.post("/admin/reindex", data={"csrf_token": csrf, "source": "presse"})
    assert answer.status_code == 303
    job_url = answer.location
    assert "/admin/jobs/launch-" in job_url

    job = wait_for_job(client, job_url)
    assert job["state"] == "done", job
    assert job["started_by"] == "admin"
    assert job["scope"] == ["presse"]
    assert job["report"]["added"] == 1
    assert job["report"]["unchanged"] == 5

    hits = client.get("/api/v1/search?q=zanzibar").get_json()
    assert [hit["id"] for hit in hits["hits"]] == ["a0007"]
    page = client.get(job_url, follow_redirects=True).text
    assert 'id="report-added">1<' in page
    assert [line["action"] for line in console.audit_lines()] == ["login", "reindex"]
    assert console.audit_lines()[1]["sources"] == ["presse"]


def test_a_reindex_lists_the_articles_it_took_out_in_the_job_log_and_on_its_page(console: Console) -> None:
    client, csrf = logged_in_client(console)
    write_jsonl(console.folder / "lot-2.jsonl", [article(7, word="zanzibar")])
    assert wait_for_job(client, client.post("/admin/reindex", data={"csrf_token": csrf, "source": "presse"}).location)[
        "state"] == "done"
    (console.folder / "lot-2.jsonl").unlink()
    deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
    while True:  # the first run's process may still be exiting after its job says done
        answer = client.post("/admin/reindex", data={"csrf_token": csrf, "source": "presse"})
        if answer.status_code == 303 or time.monotonic() > deadline:
            break
        assert "déjà en cours" in answer.text, answer.text
        time.sleep(0.2)
    assert answer.status_code == 303, answer.text
    job_url = answer.location
    job = wait_for_job(client, job_url)
    assert job["report"]["deleted"] == 1 and job["report"]["deleted_ids"] == ["a0007"]
    page = client.get(job_url, follow_redirects=True).text
    assert '<ul id="report-deleted" class="admin-problems"><li>a0007</li></ul>' in page


def test_reindex_of_an_unknown_source_is_refused(console: Console) -> None:
    client, csrf = logged_in_client(console)
    answer = client.post("/admin/reindex", data={"csrf_token": csrf, "source": "inconnue"})
    assert answer.status_code == 400
    assert "Aucune source nommée « inconnue »" in answer.text
    assert not list((console.index_dir / "jobs").glob("launch-*.log"))


def test_a_run_that_ended_without_recording_a_job_shows_its_output_as_the_error(console: Console) -> None:
    client, _csrf = logged_in_client(console)
    ended = subprocess.Popen(["true"])
    ended.wait()
    launch_id = f"launch-20260101T000000000000-{ended.pid}"
    (console.index_dir / "jobs" / f"{launch_id}.log").write_text("run.py: error: sources.toml is not valid TOML\n")
    job = client.get(f"/admin/jobs/{launch_id}.json").get_json()
    assert job["state"] == "failed"
    assert job["error"] == "run.py: error: sources.toml is not valid TOML"
    page = client.get(f"/admin/jobs/{launch_id}").text
    assert "sources.toml is not valid TOML" in page and 'id="job-report" class="admin-section" aria-labelledby="report-heading" hidden' in page


def test_a_second_reindex_while_one_runs_is_refused_with_a_message(console: Console) -> None:
    client, csrf = logged_in_client(console)
    first = client.post("/admin/reindex", data={"csrf_token": csrf})
    assert first.status_code == 303
    second = client.post("/admin/reindex", data={"csrf_token": csrf, "rebuild": "1"})
    assert second.status_code == 409
    assert "déjà en cours" in second.text
    assert "Voir la tâche en cours" in second.text
    assert wait_for_job(client, first.location)["state"] == "done"
    assert len(list((console.index_dir / "jobs").glob("launch-*.log"))) == 1


def test_reindex_is_refused_while_another_process_holds_the_index_lock(console: Console) -> None:
    client, csrf = logged_in_client(console)
    with build_lock(console.index_dir):
        answer = client.post("/admin/reindex", data={"csrf_token": csrf})
    assert answer.status_code == 409
    assert "verrou" in answer.text
    assert not list((console.index_dir / "jobs").glob("launch-*.log"))


def test_job_page_without_javascript_has_a_progress_element_and_a_refresh_link(console: Console) -> None:
    client, csrf = logged_in_client(console)
    job_url = client.post("/admin/reindex", data={"csrf_token": csrf}).location
    page = client.get(job_url, follow_redirects=True).text
    assert '<progress id="job-progress"' in page
    assert 'id="job-live"' in page and "data-json-url=" in page
    wait_for_job(client, job_url)
    finished = client.get(job_url, follow_redirects=True).text
    assert 'id="job-refresh" hidden' in finished
    assert 'id="report-unchanged">8<' in finished


# --- uploads ---------------------------------------------------------------------------------


def jsonl_bytes(*numbers: int) -> bytes:
    return "".join(json.dumps(article(n), ensure_ascii=False) + "\n" for n in numbers).encode("utf-8")


def test_upload_of_a_good_jsonl_lands_in_the_source_folder_and_offers_a_reindex(console: Console) -> None:
    client, csrf = logged_in_client(console)
    answer = upload(client, csrf, [(jsonl_bytes(50, 51), "Nouveau Lot.JSONL")])
    assert answer.status_code == 200
    saved = console.folder / "Nouveau_Lot.JSONL"
    assert saved.read_bytes() == jsonl_bytes(50, 51)
    assert "Enregistrés dans la source presse" in answer.text
    assert 'name="source" value="presse"' in answer.text and "Réindexer cette source" in answer.text
    assert not [p for p in console.folder.iterdir() if p.name.startswith(".")]  # no temporary file left
    entry = console.audit_lines()[-1]
    assert entry["action"] == "upload" and entry["saved"] == ["Nouveau_Lot.JSONL"]


def test_uploads_in_windows_1252_and_xz_are_accepted(console: Console) -> None:
    import lzma

    client, csrf = logged_in_client(console)
    latin = "Titre : l'été à Bamako\nUn texte en Windows-1252 avec des accents : é è à ç œ.\n".encode("cp1252")
    answer = upload(client, csrf, [(latin, "ete.txt"), (lzma.compress(jsonl_bytes(60)), "lot.jsonl.xz")])
    assert answer.status_code == 200
    assert (console.folder / "ete.txt").exists() and (console.folder / "lot.jsonl.xz").exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00", "setup.exe", "type de fichier non accepté"),
        (bytes(range(256)) * 40, "lot.jsonl", "UTF-8 ou Windows-1252"),
        (b'{"id": "1"}\n\x00\x00\x00\x01\x02', "lot.jsonl", "données binaires"),
        (b'{"id": "1", "body": "pas compress\xc3\xa9"}\n', "lot.jsonl.xz", "signature"),
        (b"not gzip", "lot.jsonl.gz", "signature"),
        (b'<?xml version="1.0"?><urlset></urlset>', "plan.xml", "flux RSS ou Atom"),
        (b"", "vide.jsonl", "fichier vide"),
        (b"# notes\n", "README.txt", "README"),
    ],
)
def test_a_bad_upload_is_refused_with_a_message_and_nothing_is_written(console: Console, content, name, message) -> None:
    client, csrf = logged_in_client(console)
    before = sorted(p.name for p in console.folder.iterdir())
    answer = upload(client, csrf, [(content, name)])
    assert answer.status_code == 400
    assert message in answer.text
    assert sorted(p.name for p in console.folder.iterdir()) == before
    assert console.audit_lines()[-1]["refused"]


def test_an_oversized_file_or_request_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    console = make_console(tmp_path, UPLOAD_MAX_BYTES=1000)
    client, csrf = logged_in_client(console)
    before = sorted(p.name for p in console.folder.iterdir())
    one_file = upload(client, csrf, [(jsonl_bytes(*range(40)), "gros.jsonl")])
    assert one_file.status_code == 400
    assert "fichier trop gros" in one_file.text
    whole_request = upload(client, csrf, [(jsonl_bytes(*range(2000)), "enorme.jsonl")])
    assert whole_request.status_code == 413
    assert "Envoi refusé" in whole_request.text and "rien n&#39;a été enregistré" in whole_request.text
    assert sorted(p.name for p in console.folder.iterdir()) == before


def test_the_app_wide_body_limit_still_applies_outside_the_upload_route(console: Console) -> None:
    client, csrf = logged_in_client(console)
    answer = client.post("/admin/reindex", data={"csrf_token": csrf, "padding": "x" * (2 * 1024 * 1024)})
    assert answer.status_code == 413
    assert "Envoi refusé" not in answer.text
    assert not list((console.index_dir / "jobs").glob("launch-*.log"))


@pytest.mark.parametrize("name", ["../../evil.jsonl", "..\\..\\evil.jsonl", "/etc/evil.jsonl", "presse/../../evil.jsonl"])
def test_path_traversal_in_a_file_name_is_neutralised(console: Console, name: str) -> None:
    client, csrf = logged_in_client(console)
    answer = upload(client, csrf, [(jsonl_bytes(70), name)])
    assert answer.status_code == 200
    written = [p for p in console.folder.iterdir() if p.name != "lot-1.jsonl"]
    assert len(written) == 1 and written[0].name.endswith("evil.jsonl")
    assert ".." not in written[0].name and "/" not in written[0].name
    assert not (console.corpus / "evil.jsonl").exists()
    assert not (console.corpus.parent / "evil.jsonl").exists()


def test_an_existing_file_is_never_overwritten(console: Console) -> None:
    client, csrf = logged_in_client(console)
    answer = upload(client, csrf, [(jsonl_bytes(80), "lot-1.jsonl")])
    assert answer.status_code == 400
    assert "existe déjà" in answer.text
    assert b"a0080" not in (console.folder / "lot-1.jsonl").read_bytes()


def test_a_single_file_source_takes_no_upload(console: Console) -> None:
    client, csrf = logged_in_client(console)
    answer = upload(client, csrf, [(jsonl_bytes(90), "lot.jsonl")], source="archive")
    assert answer.status_code == 400
    assert "un seul fichier" in answer.text
    assert sorted(p.name for p in console.corpus.iterdir()) == ["archive.jsonl", "presse", "sources.toml"]


def test_a_glob_source_takes_only_files_its_pattern_reads(tmp_path: Path) -> None:
    console = make_console(tmp_path)
    console.registry.write_text('[sources.presse]\npath = "presse/*.txt"\n', encoding="utf-8")
    client, csrf = logged_in_client(console)
    refused = upload(client, csrf, [(jsonl_bytes(91), "lot.jsonl")])
    assert refused.status_code == 400 and "presse/*.txt" in refused.text
    accepted = upload(client, csrf, [("Un article sur la souveraineté.\n".encode(), "article.txt")])
    assert accepted.status_code == 200
    assert (console.folder / "article.txt").exists()


def test_every_action_is_written_to_the_audit_log(console: Console) -> None:
    client, csrf = logged_in_client(console)
    upload(client, csrf, [(jsonl_bytes(95), "lot-3.jsonl")])
    job_url = client.post("/admin/reindex", data={"csrf_token": csrf, "source": "presse"}).location
    wait_for_job(client, job_url)
    client.post("/admin/logout", data={"csrf_token": csrf})
    lines = console.audit_lines()
    assert [line["action"] for line in lines] == ["login", "upload", "reindex", "logout"]
    assert all(line["at"] and line["client"] for line in lines)
