"""The <loupe-search> widget in real headless Chromium, embedded in a page of another origin (another port)."""

from __future__ import annotations

import html
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import LiveServer
from webui.app import create_app

HOST_PAGE = Path(__file__).resolve().parent.parent / "fixtures" / "widget_host.html"
HOSTILE_CSS = """<style>
  * { display: inline !important; color: red !important; font-size: 40px !important;
      font-family: "Comic Sans MS", cursive !important; font-weight: 900 !important; line-height: 3 !important;
      letter-spacing: 5px !important; text-transform: uppercase !important; text-align: right !important;
      background: yellow !important; direction: rtl !important; cursor: wait !important; }
  head, script, style { display: none !important; }
  input, button, select, ul, li, a, mark, span, div, form { all: unset !important; border: 4px dotted green !important; }
  mark { background: black !important; }
  [role=listbox], [role=option], .box { display: none !important; }
</style>"""
WIDGET = "loupe-search"
INPUT = f"{WIDGET} input[role=combobox]"
OPTIONS = f"{WIDGET} [role=option]"


class HostSite:
    """Another site, on its own port: serves the host page with the archive's address filled in."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                args = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                archive = html.escape(args.get("archive", ""))
                page = (HOST_PAGE.read_text(encoding="utf-8")
                        .replace("{{archive}}", archive)
                        .replace("{{endpoint}}", html.escape(args.get("endpoint", "")) or archive)
                        .replace("{{host_css}}", HOSTILE_CSS if args.get("hostile") else ""))
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def page_url(self, archive: str, **args: str) -> str:
        return self.origin + "/?" + urlencode({"archive": archive, **args})

    def __enter__(self) -> "HostSite":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def host() -> Iterator[HostSite]:
    with HostSite() as site:
        yield site


@pytest.fixture(scope="module")
def stranger() -> Iterator[HostSite]:
    """A site the archive does not list in CORS_ORIGINS."""
    with HostSite() as site:
        yield site


@pytest.fixture(scope="module")
def archive(demo_index, host) -> Iterator[LiveServer]:
    app = create_app({"INDEX_DIR": str(demo_index), "TESTING": True, "CORS_ORIGINS": [host.origin]})
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    seen: list[str] = []

    def record(dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return seen


def type_query(page: Page, text: str) -> None:
    field = page.locator(INPUT)
    field.click()
    field.press_sequentially(text, delay=20)


def test_typing_in_the_widget_on_another_site_shows_highlighted_results(page, host, archive):
    page.goto(host.page_url(archive.url))
    type_query(page, "souverainete")
    expect(page.locator(OPTIONS)).to_have_count(5)
    marked = {text.lower() for text in page.locator(f"{OPTIONS} mark").all_inner_texts()}
    assert marked == {"souveraineté"}
    expect(page.locator(f"{WIDGET} [role=status]")).to_have_text("5 sur 11 résultats affichés")
    expect(page.locator(INPUT)).to_have_attribute("aria-expanded", "true")
    # The fallback form in the light DOM is no longer shown.
    expect(page.locator(f"{WIDGET} > form")).to_be_hidden()


def test_more_results_appends_the_next_page(page, host, archive):
    page.goto(host.page_url(archive.url))
    type_query(page, "souverainete")
    expect(page.locator(OPTIONS)).to_have_count(5)
    first_titles = page.locator(f"{OPTIONS} a").all_inner_texts()
    page.get_by_role("button", name="Plus de résultats").click()
    expect(page.locator(OPTIONS)).to_have_count(10)
    assert page.locator(f"{OPTIONS} a").all_inner_texts()[:5] == first_titles
    page.get_by_role("button", name="Plus de résultats").click()
    expect(page.locator(OPTIONS)).to_have_count(11)
    expect(page.get_by_role("button", name="Plus de résultats")).to_be_hidden()
    expect(page.locator(f"{WIDGET} [role=status]")).to_have_text("11 résultats")


def test_arrow_keys_move_through_results_and_enter_opens_the_article_on_the_archive(page, host, archive):
    page.goto(host.page_url(archive.url))
    type_query(page, "souverainete")
    field, options = page.locator(INPUT), page.locator(OPTIONS)
    expect(options).to_have_count(5)
    page.keyboard.press("ArrowDown")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", options.nth(0).get_attribute("id"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(field).to_be_focused()  # focus stays in the field: aria-activedescendant points at the option
    title = options.nth(1).locator("a").inner_text()
    href = options.nth(1).locator("a").get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    url = urlsplit(page.url)
    assert f"{url.scheme}://{url.netloc}" == archive.url
    assert url.path.startswith("/articles/") and page.url == href
    assert parse_qs(url.query)["q"] == ["souverainete"]
    expect(page.locator("#article-title")).to_have_text(title)


def test_escape_closes_the_list_and_arrow_down_opens_it_again(page, host, archive):
    page.goto(host.page_url(archive.url))
    type_query(page, "souverainete")
    expect(page.locator(OPTIONS)).to_have_count(5)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    field = page.locator(INPUT)
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(page.locator(f"{WIDGET} [role=listbox]")).to_be_hidden()
    assert field.get_attribute("aria-activedescendant") is None
    expect(field).to_have_value("souverainete")
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.locator(OPTIONS).nth(0)).to_have_attribute("aria-selected", "true")


STYLE_PROPERTIES = [
    "display", "color", "background-color", "font-size", "font-family", "font-weight", "line-height",
    "letter-spacing", "text-transform", "text-align", "direction", "cursor", "visibility",
    "border-top-width", "border-top-style", "padding-top", "margin-top",
]
INSIDE = [".box", "input", "button[type=submit]", "[role=status]", "[role=listbox]", "[role=option]",
          "[role=option] a", "[role=option] .meta", "[role=option] mark", "button.link", "select"]


def widget_styles(page: Page) -> dict[str, dict[str, str]]:
    return page.evaluate(
        """([selectors, properties]) => {
            const root = document.querySelector("loupe-search").shadowRoot;
            const styles = {};
            for (const selector of selectors) {
                const style = getComputedStyle(root.querySelector(selector));
                styles[selector] = Object.fromEntries(properties.map(p => [p, style.getPropertyValue(p)]));
            }
            return styles;
        }""",
        [INSIDE, STYLE_PROPERTIES],
    )


def test_a_hostile_host_stylesheet_does_not_change_the_widget(page, host, archive):
    styles = {}
    boxes = {}
    for hostile in ("", "1"):
        page.goto(host.page_url(archive.url, hostile=hostile) if hostile else host.page_url(archive.url))
        type_query(page, "souverainete")
        expect(page.locator(OPTIONS)).to_have_count(5)
        page.locator(f"{WIDGET} select").first.wait_for(state="visible")
        styles[hostile] = widget_styles(page)
        boxes[hostile] = page.locator(f"{OPTIONS} mark").first.bounding_box()
    # The hostile sheet did reach the host page itself...
    assert page.evaluate("getComputedStyle(document.getElementById('after')).color") == "rgb(255, 0, 0)"
    # ...but nothing inside the widget moved.
    assert styles["1"] == styles[""]
    assert styles[""][".box"]["color"] != "rgb(255, 0, 0)"
    assert styles[""]["[role=option] mark"]["background-color"] == "rgb(255, 226, 122)"
    assert boxes["1"]["height"] == boxes[""]["height"]
    expect(page.locator(OPTIONS).first).to_be_visible()


def test_a_site_outside_the_allowlist_gets_a_clear_message_instead_of_hanging(page, stranger, archive):
    page.goto(stranger.page_url(archive.url))
    started = time.monotonic()
    type_query(page, "souverainete")
    alert = page.locator(f"{WIDGET} [role=alert]")
    expect(alert).to_contain_text("pas autorisé à interroger l’archive", timeout=9000)
    assert time.monotonic() - started < 9
    expect(page.locator(OPTIONS)).to_have_count(0)
    # The message offers the archive itself, with the query.
    link = alert.get_by_role("link", name="Chercher sur l’archive")
    assert link.get_attribute("href").startswith(archive.url + "/search?q=souverainete")


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_archive_that_cannot_be_reached_is_reported(page, host, archive):
    page.goto(host.page_url(archive.url, endpoint=f"http://127.0.0.1:{closed_port()}"))
    type_query(page, "souverainete")
    expect(page.locator(f"{WIDGET} [role=alert]")).to_contain_text("L’archive ne répond pas", timeout=9000)


def test_an_error_from_the_archive_is_shown_with_its_message(page, host, archive):
    page.goto(host.page_url(archive.url))
    type_query(page, '"souverainete')
    expect(page.locator(f"{WIDGET} [role=status]")).to_contain_text("L’archive a répondu par une erreur")
    expect(page.locator(OPTIONS)).to_have_count(0)


def test_choosing_a_facet_filters_the_results(page, host, archive):
    page.goto(host.page_url(archive.url))
    type_query(page, "souverainete")
    expect(page.locator(OPTIONS)).to_have_count(5)
    year = page.locator(f"{WIDGET} select[name=year]")
    value = year.locator("option").nth(1).get_attribute("value")
    count = int(year.locator("option").nth(1).inner_text().rsplit("(", 1)[1].rstrip(")"))
    year.select_option(value)
    expect(page.locator(f"{WIDGET} [role=status]")).to_have_text(f"{count} résultats" if count > 1 else "1 résultat")
    expect(page.locator(OPTIONS)).to_have_count(min(count, 5))
    for meta in page.locator(f"{OPTIONS} .meta").all_inner_texts():
        assert value in meta


HOSTILE_TITLE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def xss_archive(make_index, host) -> Iterator[LiveServer]:
    index_dir = make_index([
        {
            "id": "x1",
            "title": HOSTILE_TITLE,
            "summary": "<img src=y onerror=alert(2)> La souveraineté en question.",
            "body": "<script>alert(3)</script> Un débat sur la souveraineté <b onmouseover=alert(4)>nationale</b>.",
            "url": "javascript:alert(5)",
            "source": "<svg onload=alert(6)>",
            "author": "Awa Traoré",
            "date": "2021-05-04T10:00:00+02:00",
            "section": "Politique",
            "tags": [],
        },
    ])
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "CORS_ORIGINS": [host.origin]})
    with LiveServer(app) as server:
        yield server


def test_an_article_titled_with_html_shows_as_text_and_runs_nothing(page, host, xss_archive, dialogs):
    page.goto(host.page_url(xss_archive.url))
    type_query(page, "souverainete")
    option = page.locator(OPTIONS)
    expect(option).to_have_count(1)
    expect(option.locator("a")).to_have_text(HOSTILE_TITLE)
    expect(option.locator(".meta")).to_contain_text("<svg onload=alert(6)>")
    expect(option.locator("mark").first).to_have_text("souveraineté")
    # The HTML in the body is shown as text inside the snippet too.
    expect(option.locator(".snip")).to_contain_text("<script>alert(3)</script>")
    assert page.locator(f"{WIDGET} img, {WIDGET} svg, {WIDGET} script, {WIDGET} b").count() == 0
    # Hovering and opening the article runs nothing either.
    option.locator(".snip").hover()
    page.wait_for_timeout(300)
    assert dialogs == []


def test_the_snippet_filter_keeps_only_text_and_bare_marks(page, host, archive):
    page.goto(host.page_url(archive.url))
    page.wait_for_function("!!customElements.get('loupe-search')")
    kept = page.evaluate(
        """() => {
            const fragment = customElements.get("loupe-search").markOnly(
                'a <mark onclick="alert(1)" class=x>b</mark> <img src=x onerror=alert(1)><b>c</b><mark><i>d</i></mark>');
            const box = document.createElement("div");
            box.append(fragment);
            return box.innerHTML;
        }"""
    )
    assert kept == "a <mark>b</mark> <mark>d</mark>"


def test_without_javascript_the_fallback_form_searches_on_the_archive(browser, host, archive):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(host.page_url(archive.url))
        page.get_by_role("searchbox", name="Rechercher dans les archives").fill("souverainete")
        with page.expect_navigation():
            page.get_by_role("button", name="Rechercher").click()
        assert page.url.startswith(archive.url + "/search?q=souverainete")
        expect(page.locator(".hit").first).to_be_visible()
    finally:
        context.close()


def embed_frame(page: Page, archive_url: str):
    page.evaluate(
        """src => { const frame = document.createElement("iframe");
                    frame.src = src; frame.title = "Recherche"; document.body.append(frame); }""",
        archive_url + "/embed?q=souverainete",
    )
    return page.frame_locator("iframe")


def test_an_allowed_site_can_frame_the_embed_page_and_another_cannot(page, host, stranger, archive):
    page.goto(host.page_url(archive.url))
    expect(embed_frame(page, archive.url).locator(".embed-hits mark").first).to_have_text(
        "souveraineté", ignore_case=True)
    page.goto(stranger.page_url(archive.url))
    frame = embed_frame(page, archive.url)
    page.wait_for_timeout(1000)
    expect(frame.locator(".embed-hits")).to_have_count(0)


def test_integrate_page_updates_the_snippet_and_the_preview_as_options_change(page, archive):
    page.goto(archive.url + "/integrer")
    expect(page.locator("#widget-code")).to_contain_text(f'<loupe-search endpoint="{archive.url}">')
    page.locator("#opt-lang").select_option("en")
    page.locator("#opt-facets").fill("year")
    expect(page.locator("#widget-code")).to_contain_text(f'<loupe-search endpoint="{archive.url}" lang="en" facets="year">')
    preview = page.locator(f"#widget-preview {INPUT}")
    expect(preview).to_have_attribute("placeholder", "Search the archive…")
    preview.click()
    preview.press_sequentially("souverainete", delay=20)
    expect(page.locator(f"#widget-preview {WIDGET} [role=status]")).to_have_text("5 of 11 results shown")
    assert "widget-lang=en" in page.url
