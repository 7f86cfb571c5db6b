"""A librarian starts a reindex from the admin console in real Chromium and watches it finish."""

from __future__ import annotations

from pathlib import Path

from engines.whoosh.writer import WhooshIndex
from indexer.jobs import run_job
from indexer.registry import load_registry
from tests.conftest import LiveServer, write_jsonl
from webui.app import create_app

TOKEN = "jeton-navigateur-51d0-c8e2a7"
NEW_ARTICLES = 1200  # a few seconds of indexing: long enough to watch the progress


def article(n: int) -> dict:
    words = " ".join(f"mot{(n * 7 + i) % 997} souveraineté coopération" for i in range(60))
    return {"id": f"b{n:05d}", "title": f"Article {n}", "body": words, "date": "2020-01-02", "source": "Journal"}


def test_reindex_all_shows_live_progress_then_the_report_without_reloading(tmp_path: Path, page) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "presse").mkdir(parents=True)
    write_jsonl(corpus / "presse" / "lot-1.jsonl", [article(n) for n in range(10)])
    registry = corpus / "sources.toml"
    registry.write_text('[sources.presse]\npath = "presse"\n', encoding="utf-8")
    index_dir = tmp_path / "index"
    run_job([s.corpus_source(corpus) for s in load_registry(registry)], index_dir, target=WhooshIndex(index_dir))
    write_jsonl(corpus / "presse" / "lot-2.jsonl", [article(n) for n in range(10, 10 + NEW_ARTICLES)])
    app = create_app({"INDEX_DIR": str(index_dir), "REGISTRY_PATH": str(registry), "ADMIN_TOKEN": TOKEN})

    console_errors: list[str] = []
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    with LiveServer(app) as server:
        page.goto(server.url + "/admin/")
        assert page.url.endswith("/admin/login")
        page.get_by_label("Jeton d'administration").fill(TOKEN)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("heading", name="Console d'administration", level=1).wait_for()

        page.get_by_role("button", name="Tout réindexer").click()
        page.wait_for_url("**/admin/jobs/**")
        progress = page.locator("progress#job-progress")
        assert progress.is_visible()
        assert page.locator("#job-report").is_hidden()  # the run has only just started
        page.evaluate("window.stillTheSamePage = true")

        page.locator("#job-report").wait_for(state="visible", timeout=60_000)
        assert page.evaluate("window.stillTheSamePage") is True  # admin.js updated it in place
        assert page.locator("#job-state").inner_text() == "terminée"
        assert page.locator("#report-added").inner_text().replace("\u202f", "") == str(NEW_ARTICLES)
        assert page.locator("#report-unchanged").inner_text() == "10"
        assert page.locator("#report-failed-count").inner_text() == "0"
        assert progress.evaluate("p => p.value === p.max && p.max > 0")
        assert page.locator("#job-refresh").is_hidden()
        assert page.locator("#job-kind").inner_text() == "incrémentale"
        assert "/admin/jobs/launch-" not in page.url  # the address is now the recorded job's own page

        page.get_by_role("link", name="Retour à la console").click()
        documents = page.locator("#sources tr", has_text="presse").locator("td.num").inner_text()
        assert documents.replace("\u202f", "") == str(10 + NEW_ARTICLES)
    assert not console_errors, console_errors
