"""CORS on /api/v1, the iframe page /embed, /widget.js and the "Intégrer / Embed" page, through the test client."""

from __future__ import annotations

import gzip
import html
import re

import pytest

from webui.app import create_app
from webui.cors import parse_origins

HOST = "https://journal.example"
OTHER = "https://intrus.example"
RECORDS = [
    {
        "id": "s01",
        "title": "La souveraineté alimentaire en débat",
        "summary": "",
        "body": "Les députés discutent de souveraineté alimentaire et de semences paysannes.",
        "url": "https://exemple.ml/s01",
        "source": "Maliweb",
        "author": "Awa Traoré",
        "date": "2019-03-12T10:00:00+01:00",
        "section": "Politique",
        "tags": ["Agriculture"],
    },
    {
        "id": "s02",
        "title": "Souveraineté monétaire : le franc CFA",
        "summary": "",
        "body": "La souveraineté monétaire revient dans le débat sur le franc CFA.",
        "url": "javascript:alert(1)",
        "source": "RFI",
        "author": "Jean Dupont",
        "date": "2020-06-01T10:00:00+02:00",
        "section": "Économie",
        "tags": [],
    },
]


@pytest.fixture
def index_dir(make_index):
    return str(make_index(RECORDS))


def client_for(index_dir: str, **config):
    return create_app({"INDEX_DIR": index_dir, "TESTING": True, **config}).test_client()


def test_allowed_origin_gets_its_origin_echoed_and_vary(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    response = client.get("/api/v1/search?q=souverainete", headers={"Origin": HOST})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == HOST
    assert "Origin" in response.headers["Vary"]
    assert response.get_json()["total"] == 2


def test_other_origin_gets_no_cors_header_so_its_browser_blocks_the_answer(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    response = client.get("/api/v1/search?q=souverainete", headers={"Origin": OTHER})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_no_origin_is_allowed_by_default(index_dir):
    client = client_for(index_dir)
    response = client.get("/api/v1/search?q=souverainete", headers={"Origin": HOST})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_headers_also_come_with_api_errors_so_the_widget_can_show_the_message(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    response = client.get('/api/v1/search?q="souverainete', headers={"Origin": HOST})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == HOST
    assert response.get_json()["error"]["message"]


def test_pages_outside_the_api_get_no_cors_header(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    response = client.get("/search?q=souverainete", headers={"Origin": HOST})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_from_an_allowed_origin_is_answered_with_methods_and_headers(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    response = client.options(
        "/api/v1/search",
        headers={"Origin": HOST, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "content-type"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == HOST
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_preflight_from_another_origin_gets_no_permission(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    response = client.options("/api/v1/search", headers={"Origin": OTHER, "Access-Control-Request-Method": "GET"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


def test_preflight_is_not_counted_by_the_rate_limit(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST], RATE_LIMIT_PER_MINUTE=1, RATE_LIMIT_BURST=1)
    for _ in range(3):
        preflight = client.options("/api/v1/search", headers={"Origin": HOST, "Access-Control-Request-Method": "GET"})
        assert preflight.status_code == 204
    assert client.get("/api/v1/search?q=mali", headers={"Origin": HOST}).status_code == 200
    limited = client.get("/api/v1/search?q=mali", headers={"Origin": HOST})
    assert limited.status_code == 429
    assert limited.headers["Access-Control-Allow-Origin"] == HOST  # the widget can read "try again in N s"


def test_wildcard_lets_every_origin_in(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=["*"])
    response = client.get("/api/v1/search?q=souverainete", headers={"Origin": OTHER})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_origins_from_environment_as_a_comma_list_or_json(index_dir, monkeypatch):
    monkeypatch.setenv("LOUPE_CORS_ORIGINS", f"{HOST}, https://autre.example/")
    client = client_for(index_dir)
    assert client.get("/api/v1/search", headers={"Origin": "https://autre.example"}).headers[
        "Access-Control-Allow-Origin"] == "https://autre.example"
    monkeypatch.setenv("LOUPE_CORS_ORIGINS", f'["{HOST}"]')
    client = client_for(index_dir)
    assert client.get("/api/v1/search", headers={"Origin": HOST}).headers["Access-Control-Allow-Origin"] == HOST


def test_origin_list_drops_entries_that_are_not_origins():
    assert parse_origins(["https://a.example/", "HTTPS://B.example:8443", "a b", "https://x; script-src *", ""]) == [
        "https://a.example", "https://b.example:8443"]
    assert parse_origins("https://a.example,*") == ["https://a.example", "*"]
    assert parse_origins(None) == []


def frame_ancestors(response) -> str:
    directives = dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
    return directives["frame-ancestors"]


def test_embed_cannot_be_framed_when_no_site_is_configured(index_dir):
    response = client_for(index_dir).get("/embed?q=souverainete")
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_frame_ancestors_follow_cors_origins_and_drop_the_deny(index_dir):
    response = client_for(index_dir, CORS_ORIGINS=[HOST]).get("/embed?q=souverainete")
    assert frame_ancestors(response) == HOST
    assert "X-Frame-Options" not in response.headers
    # The rest of the strict policy stays.
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_embed_frame_ancestors_has_its_own_setting(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST], EMBED_FRAME_ANCESTORS=["self", OTHER])
    response = client.get("/embed?q=souverainete")
    assert frame_ancestors(response) == f"'self' {OTHER}"
    only_self = client_for(index_dir, EMBED_FRAME_ANCESTORS=["self"]).get("/embed")
    assert only_self.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_other_pages_still_refuse_framing(index_dir):
    response = client_for(index_dir, CORS_ORIGINS=[HOST]).get("/search?q=souverainete")
    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_embed_lists_highlighted_results_that_open_in_the_top_window_without_javascript(index_dir):
    response = client_for(index_dir).get("/embed?q=souverainete&source=Maliweb&lang=en")
    page = response.get_data(as_text=True)
    assert "<script" not in page
    assert '<html lang="en">' in page
    assert re.findall(r'<a href="/articles/(\w+)\?[^"]*" target="_top">', page) == ["s01"]
    assert "<mark>souveraineté</mark>" in page
    # The fixed filter and the language survive the next search from the frame.
    assert '<input type="hidden" name="source" value="Maliweb">' in page
    assert '<input type="hidden" name="lang" value="en">' in page


def test_embed_says_what_is_wrong_with_a_bad_query(index_dir):
    response = client_for(index_dir).get('/embed?q="souverainete')
    assert response.status_code == 400
    assert 'role="alert"' in response.get_data(as_text=True)


def test_widget_script_is_javascript_cached_and_small(index_dir):
    response = client_for(index_dir).get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert "max-age=" in response.headers["Cache-Control"]
    assert "customElements.define(\"loupe-search\"" in response.get_data(as_text=True)
    assert len(gzip.compress(response.get_data(), 9)) < 10 * 1024


def code_block(page: str, block_id: str) -> str:
    found = re.search(rf'<pre class="code" id="{block_id}"[^>]*><code>(.*?)</code></pre>', page, re.S)
    assert found, block_id
    return html.unescape(found.group(1))


def test_integrate_page_shows_the_snippet_with_the_archive_address(index_dir):
    client = client_for(index_dir, CORS_ORIGINS=[HOST])
    for path in ("/integrer", "/embed-help"):
        response = client.get(path, base_url="https://archives.example")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        snippet = code_block(page, "widget-code")
        assert '<script src="https://archives.example/widget.js" defer></script>' in snippet
        assert '<loupe-search endpoint="https://archives.example">' in snippet
        assert '<form action="https://archives.example/search" method="get"' in snippet
        assert 'src="https://archives.example/embed"' in code_block(page, "iframe-code")
        assert "<loupe-search endpoint=\"https://archives.example\">" in page  # the live preview
        assert HOST in page  # which sites are allowed today
        assert re.search(r"widget\.js : \d+,\d Ko", page)


def test_integrate_options_change_the_snippet_and_bad_values_are_dropped(index_dir):
    client = client_for(index_dir)
    response = client.get(
        "/integrer?widget-lang=en&facets=source,year,nope&filter-source=RFI&link-target=original"
        "&per-page=99&accent=red;x&placeholder=<b>",
        base_url="https://archives.example",
    )
    snippet = code_block(response.get_data(as_text=True), "widget-code")
    assert ('<loupe-search endpoint="https://archives.example" lang="en" placeholder="&lt;b&gt;" facets="source,year"'
            ' filter-source="RFI" link-target="original">') in snippet
    assert '<input type="hidden" name="source" value="RFI">' in snippet
    assert "per-page" not in snippet and "--loupe-accent" not in snippet
    assert "<button>Search</button>" in snippet
