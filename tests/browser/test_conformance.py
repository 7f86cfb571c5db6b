"""Every page type, in both languages, through axe-core (in Chromium) and the Nu HTML checker (vnu.jar).

axe-core runs every rule it has, experimental ones included, and the test fails on a
serious or critical violation; the Nu checker reads each page's HTML as served and the
test fails on any error. Both come from package.json (`npm ci`; make test runs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import pytest

from tests.conftest import NODE_MODULES, LiveServer
from webui.app import create_app

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING_IMPACTS = {"serious", "critical"}
ADMIN_TOKEN = "conformance-admin-token-0123456789"

PAGES = {  # page type → path
    "search": "/",
    "results": "/search?q=souverainet%C3%A9",
    "zero results": "/search?q=hippopotame+girafe",
    "error 400": "/search?q=%22souverainet%C3%A9",
    "article": "/articles/{article_id}?q=souverainet%C3%A9",
    "404": "/articles/no-such-article",
    "concordance": "/concordance?q=souverainet%C3%A9",
    "trends": "/trends?q=souverainet%C3%A9&q=s%C3%A9curit%C3%A9",
    "integrer": "/integrer",
    "embed": "/embed?q=souverainet%C3%A9",
    "admin login": "/admin/login",
}
LANGS = ("fr", "en")


@pytest.fixture(scope="module")
def server(demo_index):
    app = create_app({"INDEX_DIR": str(demo_index), "TESTING": True, "ADMIN_TOKEN": ADMIN_TOKEN})
    with LiveServer(app) as live:
        yield live


@pytest.fixture(scope="module")
def article_id(server) -> str:
    with urllib.request.urlopen(server.url + "/api/v1/search?q=souverainet%C3%A9&per_page=1") as answer:
        return json.load(answer)["hits"][0]["id"]


def page_url(server, path: str, lang: str, article_id: str) -> str:
    path = path.format(article_id=article_id)
    return f"{server.url}{path}{'&' if '?' in path else '?'}lang={lang}"


def axe_violations(browser, url: str) -> list[dict]:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` at the repository root (make test does)")
    # The pages' CSP forbids inline scripts, which is how Playwright injects axe.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        return page.evaluate("""async () => {
            const rules = Object.fromEntries(axe.getRules().map(rule => [rule.ruleId, {enabled: true}]));
            const results = await axe.run(document, {rules, resultTypes: ["violations"]});
            return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
                                                 count: v.nodes.length}));
        }""")
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(browser, server, article_id, kind, lang):
    url = page_url(server, PAGES[kind], lang, article_id)
    blocking = [v for v in axe_violations(browser, url) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], json.dumps(blocking, ensure_ascii=False, indent=1)


def vnu_errors(files: list) -> dict[str, list[str]]:
    """The Nu HTML checker's errors, by file; one JVM for every page."""
    if not VNU.exists():
        pytest.fail("vnu.jar is missing: run `npm ci` at the repository root (make test does)")
    java = shutil.which("java")
    if java is None:
        pytest.fail("the Nu HTML checker needs Java (make test installs openjdk-17)")
    done = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--stdout", *map(str, files)],
                          capture_output=True, text=True, timeout=240, check=False)
    messages = json.loads(done.stdout)["messages"]
    errors: dict[str, list[str]] = {}
    for message in messages:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            where = message.get("url", "").rsplit("/", 1)[-1]
            errors.setdefault(where, []).append(f"line {message.get('lastLine')}: {message.get('message')}")
    return errors


def test_the_nu_html_checker_finds_no_error_on_any_page(server, article_id, tmp_path):
    files = []
    for kind, path in PAGES.items():
        for lang in LANGS:
            request = urllib.request.Request(page_url(server, path, lang, article_id))
            try:
                with urllib.request.urlopen(request) as answer:
                    body = answer.read()
            except urllib.error.HTTPError as error:  # the 400 and 404 pages are pages too
                body = error.read()
            target = tmp_path / f"{kind.replace(' ', '-')}-{lang}.html"
            target.write_bytes(body)
            files.append(target)
    errors = vnu_errors(files)
    assert errors == {}, json.dumps(errors, ensure_ascii=False, indent=1)
