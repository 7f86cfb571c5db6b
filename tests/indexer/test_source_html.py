"""HTML article pages: real OrangeSum pages against their JSONL records, corrupt pages, encodings."""

from __future__ import annotations

import difflib
import functools
import json
import random
import re
from pathlib import Path

import pytest

from engines.whoosh import build_index
from indexer.corpus import format_of, read_file
from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.html import read_html_file
from indexer.sources.outcome import Failure
from engines.whoosh.store import open_current

REPO = Path(__file__).resolve().parents[2]
PAGES_DIR = REPO / "tests" / "fixtures" / "html" / "orangesum"
PAGES = sorted(PAGES_DIR.glob("*.html"))
PAGE_IDS = [page.stem for page in PAGES]


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    """The OrangeSum JSONL record of every fixture page (copied from ../shared beside the pages)."""
    # records.json, not .jsonl, so that indexing the fixture folder reads only the pages.
    records = json.loads((PAGES_DIR / "records.json").read_text(encoding="utf-8"))
    return {record["id"]: record for record in records}


def read_one(path: Path) -> Document:
    [doc] = read_html_file(path)
    return doc


@functools.cache
def extracted(page: Path) -> Document:
    """The sample pages are read once for all the tests that compare them with their record."""
    return read_one(page)


def paragraph_share(expected: str, got: str) -> float:
    paragraphs = expected.split("\n\n")
    found = set(got.split("\n\n"))
    return sum(p in found for p in paragraphs) / len(paragraphs)


def test_the_fixture_holds_twenty_pages_under_one_and_a_half_megabytes() -> None:
    assert len(PAGES) == 20
    assert sum(page.stat().st_size for page in PAGES) < 1.5 * 1024 * 1024


# ---------------------------------------------------------------- against the JSONL records

@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_title_of_each_page_equals_the_title_of_its_jsonl_record(page: Path, records: dict) -> None:
    assert extracted(page).title == records[page.stem]["title"]


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_body_of_each_page_is_the_jsonl_body_without_the_page_chrome(page: Path, records: dict) -> None:
    doc, record = extracted(page), records[page.stem]
    ratio = difflib.SequenceMatcher(None, record["body"], doc.body, autojunk=False).ratio()
    assert ratio >= 0.9
    assert paragraph_share(record["body"], doc.body) >= 0.9
    for chrome in ("A lire aussi", "Fil info", "publié le", "Diaporamas"):
        assert chrome not in doc.body


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_chapo_of_each_page_is_the_jsonl_summary(page: Path, records: dict) -> None:
    assert extracted(page).summary == (records[page.stem]["summary"] or "")


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_author_date_tags_and_url_of_each_page_match_its_jsonl_record(page: Path, records: dict) -> None:
    doc, record = extracted(page), records[page.stem]
    # The credit as printed above the text ("Orange avec AFP"), not the journalists of the meta tag.
    assert doc.author == (record["author"] or "")
    assert doc.published.isoformat() == record["date"][:10]
    assert list(doc.tags) == record["tags"]
    assert doc.url == record["url"]


def test_page_with_a_canonical_link_is_identified_by_its_url() -> None:
    doc = read_one(PAGES[0])
    assert doc.url.startswith("https://actu.orange.fr/")
    assert doc.id == stable_id("url", doc.url)
    assert doc.source == "Orange Actualités"  # the site name of og:site_name
    assert doc.origin == str(PAGES[0])


def test_page_without_canonical_link_is_identified_by_its_file_name(tmp_path: Path) -> None:
    html = PAGES[0].read_text(encoding="utf-8")
    html = re.sub(r'<link[^>]*rel="canonical"[^>]*>|<meta[^>]*property="og:url"[^>]*>', "", html)
    page = tmp_path / "sans-url.html"
    page.write_text(html, encoding="utf-8")
    doc = read_one(page)
    assert doc.url == ""
    assert doc.id == stable_id("html", "sans-url.html")


# ---------------------------------------------------------------- corrupt pages

def _truncated_page() -> bytes:
    data = PAGES[0].read_bytes()
    return data[: len(data) // 3]  # cut inside the navigation, before the article


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (random.Random(5).randbytes(4000), "binary"),
        (_truncated_page(), "cut off"),
        (b"<html><head><title>Titre</title></head><body>\n</body></html>", "no article text"),
        (b"", "empty file"),
        ("Quelques mots sans balise, é à è.".encode(), "not an HTML page"),
    ],
    ids=["binary-junk", "truncated-tags", "empty-body", "empty-file", "no-tags"],
)
def test_corrupt_page_raises_source_error_naming_the_path_and_the_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    page = tmp_path / "abîmée.html"
    page.write_bytes(content)
    with pytest.raises(SourceError, match=re.escape(str(page)) + ".*" + reason):
        read_html_file(page)


def test_corrupt_page_in_a_corpus_is_a_failure_and_the_other_pages_are_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "pages"
    corpus.mkdir()
    for page in PAGES[:2]:
        (corpus / page.name).write_bytes(page.read_bytes())
    broken = corpus / "tronquee.htm"
    broken.write_bytes(_truncated_page())
    assert [type(item) for item in read_file(broken)] == [Failure]

    report = build_index([corpus], tmp_path / "index")

    assert report.failed == [f"{broken}: no article text found and the page is cut off (no </html>); save the whole page again"]
    ix, _ = open_current(tmp_path / "index")
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 2


# ---------------------------------------------------------------- encodings

def test_latin1_page_declared_in_its_meta_reads_like_its_utf8_original(tmp_path: Path) -> None:
    original = read_one(PAGES[0])
    html = PAGES[0].read_text(encoding="utf-8").replace('<meta charset="utf-8"/>', '<meta charset="iso-8859-1"/>')
    page = tmp_path / "latin1.html"
    # Characters outside Latin-1 (’, €) become character references, as a Latin-1 CMS writes them.
    page.write_bytes(html.encode("latin-1", errors="xmlcharrefreplace"))
    with pytest.raises(UnicodeDecodeError):
        page.read_bytes().decode("utf-8")

    doc = read_one(page)

    assert (doc.title, doc.summary, doc.body, doc.author) == (
        original.title, original.summary, original.body, original.author
    )
    assert "priorités" in doc.title


LATIN_PAGE = """<html lang="fr"><head><title>Élection à Besançon</title></head><body>
<nav><a href="/">Accueil</a> <a href="/culture">Culture</a></nav>
<article><h1>Élection à Besançon</h1>
<p>Les électeurs se sont déplacés en nombre à la mairie, où l’œuvre était exposée depuis des semaines.</p>
<p>« Ça a été très réussi », déclare le maire, qui a reçu les félicitations du préfet.</p>
</article><footer>© Le Petit Comtois</footer></body></html>"""


def test_windows_1252_page_without_declared_charset_is_read_right(tmp_path: Path) -> None:
    page = tmp_path / "windows.html"
    page.write_bytes(LATIN_PAGE.encode("cp1252"))
    doc = read_one(page)
    assert doc.title == "Élection à Besançon"
    assert "l’œuvre était exposée" in doc.body
    assert "« Ça a été très réussi »" in doc.body
    assert "Accueil" not in doc.body and "Petit Comtois" not in doc.body


def test_utf8_page_with_bom_has_no_bom_in_its_title(tmp_path: Path) -> None:
    page = tmp_path / "bom.htm"
    page.write_bytes(LATIN_PAGE.encode("utf-8-sig"))
    assert format_of(page) == "html"
    assert read_one(page).title == "Élection à Besançon"


def test_utf8_page_mislabelled_as_latin1_is_read_as_utf8(tmp_path: Path) -> None:
    page = tmp_path / "mislabelled.html"
    page.write_bytes(LATIN_PAGE.replace("<head>", '<head><meta charset="iso-8859-1">').encode("utf-8"))
    assert read_one(page).title == "Élection à Besançon"


def test_h1_repeated_inside_the_article_is_not_part_of_the_body(tmp_path: Path) -> None:
    page = tmp_path / "h1.html"
    page.write_bytes(LATIN_PAGE.encode("utf-8"))
    assert read_one(page).body.startswith("Les électeurs")
