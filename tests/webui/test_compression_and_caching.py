"""Compressed answers (br, gzip) decompress to the very bytes of the plain one; caches are told how to keep them."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import lxml.html
import pytest

from tests.conftest import REPO
from webui.assets import UNVERSIONED_MAX_AGE_SECONDS, VERSIONED_MAX_AGE_SECONDS, asset_version

DECODERS = {"gzip": gzip.decompress, "br": brotli.decompress}
TEXT_ANSWERS = [
    "/",
    "/search?q=souveraineté",
    "/api/v1/search?q=souveraineté",
    "/api/v1/openapi.json",
    "/api/v1/export/csv?q=souveraineté",
    "/api/v1/export/ris?q=souveraineté",
    "/api/v1/concordance?q=souveraineté",
    "/search.atom?q=souveraineté",
    "/widget.js",
    "/static/loupe.css",
    "/static/loupe.js",
    "/favicon.ico",
]


def plain(client, path: str):
    return client.get(path, headers={"Accept-Encoding": "identity"})


def without_timings(body: bytes) -> bytes:
    """The answer without the search time it reports, the one part that differs from one call to the next."""
    return re.sub(rb'(en|in) [^<]{1,12} ms|"took_ms": ?[0-9.]+', b"", body)


@pytest.mark.parametrize("encoding", list(DECODERS))
@pytest.mark.parametrize("path", TEXT_ANSWERS)
def test_a_compressed_answer_decompresses_to_the_plain_bytes(demo_client, path, encoding):
    expected = without_timings(plain(demo_client, path).get_data())
    answer = demo_client.get(path, headers={"Accept-Encoding": encoding})
    assert answer.status_code == 200
    assert "Accept-Encoding" in answer.headers["Vary"]
    if len(expected) < 500:  # too small to be worth it: sent as is
        assert "Content-Encoding" not in answer.headers and without_timings(answer.get_data()) == expected
        return
    assert answer.headers["Content-Encoding"] == encoding
    assert without_timings(DECODERS[encoding](answer.get_data())) == expected
    assert len(answer.get_data()) < len(expected)


@pytest.mark.parametrize("path", TEXT_ANSWERS)
def test_a_client_that_asks_for_no_compression_gets_the_plain_answer_and_the_vary_header(demo_client, path):
    for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "compress"}):
        answer = demo_client.get(path, headers=headers)
        assert answer.status_code == 200
        assert "Content-Encoding" not in answer.headers
        assert "Accept-Encoding" in answer.headers["Vary"]


def test_a_browser_that_accepts_everything_gets_brotli(demo_client):
    answer = demo_client.get("/", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert answer.headers["Content-Encoding"] == "br"


def test_the_api_keeps_vary_origin_beside_vary_accept_encoding(demo_client):
    vary = {v.strip() for v in demo_client.get("/api/v1/search").headers["Vary"].split(",")}
    assert {"Origin", "Accept-Encoding"} <= vary


def test_an_export_stays_a_named_download_when_compressed(demo_client):
    answer = demo_client.get("/api/v1/export/csv?q=souveraineté", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.mimetype == "text/csv"


@pytest.mark.parametrize("encoding", list(DECODERS))
@pytest.mark.parametrize("path", ["/static/loupe.css", "/widget.js"])
def test_a_compressed_asset_has_its_own_etag_and_answers_304_to_it(demo_client, path, encoding):
    first = demo_client.get(path, headers={"Accept-Encoding": encoding})
    etag = first.headers["ETag"]
    assert etag.endswith(f':{encoding}"')
    assert etag != plain(demo_client, path).headers["ETag"]  # a cache never mixes the encodings
    again = demo_client.get(path, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert "Cache-Control" in again.headers


def test_pages_link_static_assets_by_versioned_urls_cached_for_a_year(demo_client):
    page = lxml.html.fromstring(demo_client.get("/").get_data(as_text=True))
    links = page.xpath("//link[@rel='stylesheet']/@href | //script/@src | //link[@rel='icon']/@href")
    assert links
    for link in links:
        match = re.fullmatch(r"/static/([\w.-]+)\?v=(\w+)", link)
        assert match, link
        assert match.group(2) == asset_version(match.group(1))
        answer = demo_client.get(link)
        assert answer.status_code == 200
        assert answer.cache_control.public and answer.cache_control.immutable
        assert answer.cache_control.max_age == VERSIONED_MAX_AGE_SECONDS


@pytest.mark.parametrize("path", ["/static/loupe.css", "/static/loupe.css?v=old", "/favicon.ico"])
def test_an_unversioned_asset_url_is_cached_for_an_hour_only(demo_client, path):
    answer = demo_client.get(path)
    assert answer.cache_control.public and not answer.cache_control.immutable
    assert answer.cache_control.max_age == UNVERSIONED_MAX_AGE_SECONDS
    assert not answer.cache_control.no_cache


def test_the_favicon_is_the_svg_icon(demo_client):
    answer = demo_client.get("/favicon.ico")
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    assert answer.get_data() == (REPO / "webui" / "static" / "favicon.svg").read_bytes()


def test_the_readme_gives_the_widget_size_as_served_gzipped(demo_client):
    served = demo_client.get("/widget.js", headers={"Accept-Encoding": "gzip"}).get_data()
    readme = Path(REPO / "README.md").read_text(encoding="utf-8")
    claimed = re.search(r"\*\*([\d.]+) kB gzipped\*\*", readme)
    assert claimed, "README no longer states the widget's gzipped size"
    assert float(claimed.group(1)) == round(len(served) / 1000, 1)
