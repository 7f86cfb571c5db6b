"""The Atom feed of a search (/search.atom) on a real index, read back with feedparser."""

from __future__ import annotations

import time
from datetime import date, timedelta
from xml.etree import ElementTree as ET

import feedparser
import pytest

from tests.contract.atom_rules import atom_problems

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SOURCES = ["Maliweb", "RFI", "Jeune Afrique"]


def barrage(number: int) -> dict:
    # Dates are shuffled against ids so that "newest first" is not the insertion order.
    day = date(2019, 1, 1) + timedelta(days=(number * 37) % 400)
    return {
        "id": f"b{number:02d}",
        "title": f"Le barrage de Sélingué, note {number}",
        "summary": f"Le barrage de Sélingué alimente Bamako (note {number}).",
        "body": "Le niveau du barrage baisse pendant la saison sèche. " * (1 + number % 3),
        "url": f"https://exemple.ml/b{number:02d}",
        "source": SOURCES[number % 3],
        "author": ["Awa Traoré", "Jean Dupont"][number % 2],
        "date": f"{day.isoformat()}T08:00:00+01:00",
        "section": "Environnement",
        "tags": ["Énergie"],
    }


BARRAGES = [barrage(n) for n in range(12)]
MARKUP_TITLE = "Le <b>barrage</b> & la crue : l’eau monte à <Ségou>"
MARKUP = {
    "id": "m01",
    "title": MARKUP_TITLE,
    "summary": "Un barrage & des vannes <ouvertes>.",
    "body": "Le barrage de Markala ouvre ses vannes.",
    "url": "https://exemple.ml/m01",
    "source": "Le Républicain",
    "author": "Haoua SANGARÉ",
    "date": "2018-06-01T10:00:00+02:00",
    "section": "Environnement",
    "tags": ["Eau"],
}
UNRELATED = {
    "id": "u01",
    "title": "Récolte de mangues à Sikasso",
    "summary": "",
    "body": "Les mangues de Sikasso partent vers l’Europe.",
    "url": "https://exemple.ml/u01",
    "source": "Maliweb",
    "author": "Awa Traoré",
    "date": "2021-04-01T10:00:00+02:00",
    "section": "Économie",
    "tags": ["Agriculture"],
}
RECORDS = BARRAGES + [MARKUP, UNRELATED]
BY_ID = {r["id"]: r for r in RECORDS}


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def feed_of(client, params: str):
    response = client.get(f"/search.atom?{params}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def entry_id(entry) -> str:
    return entry.link.rstrip("/").rsplit("/", 1)[-1]


def test_feed_of_a_search_is_valid_atom(client):
    parsed = feed_of(client, "q=barrage")
    assert parsed.version == "atom10"
    assert parsed.entries


def test_feed_lists_every_matching_article_newest_first(client):
    parsed = feed_of(client, "q=barrage")
    matching = [r for r in RECORDS if r["id"] != "u01"]
    expected = [r["id"] for r in sorted(matching, key=lambda r: r["date"], reverse=True)]
    assert [entry_id(e) for e in parsed.entries] == expected
    published = [e.published_parsed for e in parsed.entries]
    assert published == sorted(published, reverse=True)


def test_feed_respects_the_source_filter(client):
    parsed = feed_of(client, "q=barrage&source=RFI")
    ids = [entry_id(e) for e in parsed.entries]
    assert sorted(ids) == sorted(r["id"] for r in BARRAGES if r["source"] == "RFI")


def test_feed_respects_year_and_author_filters(client):
    parsed = feed_of(client, "q=barrage&year=2019&author=Jean+Dupont")
    ids = {entry_id(e) for e in parsed.entries}
    expected = {r["id"] for r in BARRAGES if r["date"].startswith("2019") and r["author"] == "Jean Dupont"}
    assert ids == expected
    assert expected


def test_feed_entry_links_point_to_the_article_on_the_archive(client):
    parsed = feed_of(client, "q=barrage")
    for entry in parsed.entries:
        assert entry.link.startswith("http://localhost/articles/")
        doc_id = entry_id(entry)
        assert doc_id in BY_ID
        assert client.get(f"/articles/{doc_id}").status_code == 200
        assert entry.id == entry.link


def test_feed_entry_carries_title_date_author_and_original_link(client):
    parsed = feed_of(client, "q=barrage")
    entry = next(e for e in parsed.entries if entry_id(e) == "b04")
    record = BY_ID["b04"]
    assert entry.title == record["title"]
    assert entry.published.startswith(record["date"][:10])
    assert entry.author == record["author"]
    related = [link.href for link in entry.links if link.rel == "related"]
    assert related == [record["url"]]


def test_titles_with_markup_and_ampersands_come_through_as_text(client):
    response = client.get("/search.atom?q=barrage")
    root = ET.fromstring(response.get_data())
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert MARKUP_TITLE in titles
    entry = next(e for e in feed_of(client, "q=barrage").entries if entry_id(e) == "m01")
    assert entry.title_detail.type == "text/plain"
    assert entry.title == MARKUP_TITLE


def test_entry_summary_is_plain_text_without_mark_tags(client):
    root = ET.fromstring(client.get("/search.atom?q=barrage").get_data())
    for entry in root.iter(f"{ATOM}entry"):
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "text"
        assert "<mark>" not in summary.text and "&lt;mark" not in summary.text
        assert "barrage" in summary.text.lower()


def test_feed_has_a_self_link_an_html_alternate_a_title_and_updated(client):
    parsed = feed_of(client, "q=barrage&source=RFI")
    links = {link.rel: link for link in parsed.feed.links}
    assert links["self"].href == "http://localhost/search.atom?q=barrage&source=RFI"
    assert links["self"].type == "application/atom+xml"
    alternate = links["alternate"].href
    assert alternate.startswith("http://localhost/search?") or alternate.startswith("http://localhost/?")
    assert "q=barrage" in alternate and "source=RFI" in alternate
    assert "barrage" in parsed.feed.title
    newest = max(r["date"][:10] for r in BARRAGES if r["source"] == "RFI")
    assert parsed.feed.updated.startswith(newest)
    assert parsed.feed.id


def test_feed_of_a_search_matching_nothing_is_valid_and_empty(client):
    parsed = feed_of(client, "q=hippopotame")
    assert parsed.entries == []
    assert parsed.feed.updated


def test_feed_with_a_bad_parameter_is_a_400_with_a_message(client):
    response = client.get("/search.atom?q=barrage&date_from=hier")
    assert response.status_code == 400
    assert "date_from" in response.get_json()["error"]["message"]


# --- RFC 4287, as feed readers and the W3C feed validator read it (tests/webui/atom_rules.py) ---

UNDATED = dict(BARRAGES[0], id="n01", title="Le barrage sans date", date="", url="https://exemple.ml/n01")


@pytest.fixture
def undated_client(make_client):
    return make_client(RECORDS + [UNDATED, dict(UNRELATED, id="s01", title="Sécurité du barrage", url="https://exemple.ml/s01", language="en")])


@pytest.mark.parametrize("params", ["q=barrage", "q=s%C3%A9curit%C3%A9", "q=barrage&source=RFI&year=2019",
                                    "q=hippopotame", "", "q=%22barrage+de%22&sort=date"])
def test_feed_breaks_no_rule_of_rfc_4287(undated_client, params):
    url = "http://localhost/search.atom" + ("?" + params if params else "")
    body = undated_client.get(url).get_data()
    assert atom_problems(body, url) == []


def test_feed_id_and_self_link_are_the_url_as_fetched_percent_encoded(undated_client):
    for fetched in ("/search.atom?q=s%C3%A9curit%C3%A9", "/search.atom?q=sécurité"):
        root = ET.fromstring(undated_client.get(fetched).get_data())
        self_link = next(link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self")
        assert self_link.get("href") == "http://localhost/search.atom?q=s%C3%A9curit%C3%A9"
        assert root.findtext(f"{ATOM}id") == self_link.get("href")


def test_an_undated_article_keeps_the_same_updated_at_every_fetch(undated_client):
    first = undated_client.get("/search.atom?q=barrage").get_data()
    time.sleep(1.1)
    second = undated_client.get("/search.atom?q=barrage").get_data()
    assert first == second
    entry = next(e for e in ET.fromstring(first).iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == UNDATED["title"])
    assert entry.findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"
    assert entry.find(f"{ATOM}published") is None


def test_a_feed_with_no_dated_entry_has_a_stable_updated(undated_client):
    first = undated_client.get("/search.atom?q=hippopotame").get_data()
    assert ET.fromstring(first).findtext(f"{ATOM}updated") == "1970-01-01T00:00:00Z"


def test_feed_declares_french_and_an_entry_in_another_language_its_own(undated_client):
    root = ET.fromstring(undated_client.get("/search.atom?q=sécurité").get_data())
    assert root.get(XML_LANG) == "fr"
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == "Sécurité du barrage")
    assert entry.get(XML_LANG) == "en"


def test_the_checker_catches_what_the_feed_validator_rejected():
    raw = ('<feed xmlns="http://www.w3.org/2005/Atom"><id>http://localhost/search.atom?q=sécurité</id>'
           '<title>t</title><updated>2019-01-01T00:00:00Z</updated>'
           '<link rel="self" href="http://localhost/search.atom?q=sécurité"/></feed>').encode()
    problems = atom_problems(raw, "http://localhost/search.atom?q=s%C3%A9curit%C3%A9")
    assert any("id is not percent-encoded" in p for p in problems)
    assert any("self link" in p for p in problems)
    assert atom_problems(b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "http://x/") != []
