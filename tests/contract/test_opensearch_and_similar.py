"""/opensearch.xml for browsers, and more-like-this at /api/v1/documents/<id>/similar, on a real index."""

from __future__ import annotations

from urllib.parse import quote, urlsplit
from xml.etree import ElementTree as ET

import lxml.html
import pytest


OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def article(doc_id: str, title: str, body: str, day: str, source: str = "Maliweb") -> dict:
    return {
        "id": doc_id,
        "title": title,
        "summary": "",
        "body": body,
        "url": f"https://exemple.ml/{doc_id}",
        "source": source,
        "author": "Awa Traoré",
        "date": f"{day}T10:00:00+01:00",
        "section": "Société",
        "tags": [],
    }


COTTON = [
    article("c1", "La filière coton attend la récolte",
            "À Sikasso, les égreneuses de coton tournent ; la fibre de coton part vers les filatures.", "2019-10-01"),
    article("c2", "Sikasso : les égreneuses de coton tournent à plein",
            "La récolte de coton est record, les égreneuses et la fibre occupent Sikasso.", "2019-11-02", "RFI"),
    article("c3", "Le prix du coton-graine fixé",
            "Les producteurs de coton de Sikasso et Koutiala connaissent le prix ; fibre et égreneuses suivront.",
            "2020-04-03"),
]
FOOTBALL = [
    article("f1", "Les Aigles qualifiés pour la CAN",
            "Au stade du 26-Mars, les Aigles ont battu leurs adversaires ; le sélectionneur salue les buteurs.",
            "2019-06-01"),
    article("f2", "Le sélectionneur des Aigles dévoile sa liste",
            "Les Aigles préparent la CAN ; le sélectionneur appelle deux buteurs et un gardien au stade.", "2019-07-01",
            "RFI"),
    article("f3", "Stade du 26-Mars : les buteurs à l’honneur",
            "Les buteurs des Aigles et le gardien brillent au stade ; la CAN approche.", "2020-01-05"),
]
FILLER = [
    article("x1", "Le marché rose rouvre", "Le grand marché de Bamako rouvre après des travaux.", "2018-03-01"),
    article("x2", "La saison des pluies", "Les pluies inondent plusieurs quartiers de Bamako.", "2018-08-01"),
]
RECORDS = COTTON + FOOTBALL + FILLER


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def similar_ids(client, doc_id: str) -> list[str]:
    response = client.get(f"/api/v1/documents/{doc_id}/similar")
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["id"] == doc_id
    return [item["id"] for item in answer["similar"]]


def opensearch_root(client) -> ET.Element:
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/opensearchdescription+xml"
    return ET.fromstring(response.get_data())


def test_opensearch_description_is_valid_xml_with_names(client):
    root = opensearch_root(client)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    short_name = root.findtext(f"{OPENSEARCH}ShortName")
    assert short_name and len(short_name) <= 16
    assert root.findtext(f"{OPENSEARCH}Description")
    assert root.findtext(f"{OPENSEARCH}InputEncoding") == "UTF-8"


def test_opensearch_html_template_points_at_the_search_page_with_search_terms(client):
    root = opensearch_root(client)
    html_urls = [u for u in root.findall(f"{OPENSEARCH}Url") if u.get("type") == "text/html"]
    assert len(html_urls) == 1
    template = html_urls[0].get("template")
    assert "{searchTerms}" in template
    parts = urlsplit(template)
    assert parts.scheme in ("http", "https") and parts.netloc
    assert parts.path == "/search"
    assert parts.query == "q={searchTerms}"


def test_opensearch_template_filled_in_runs_a_real_search(client):
    root = opensearch_root(client)
    template = next(u.get("template") for u in root.findall(f"{OPENSEARCH}Url") if u.get("type") == "text/html")
    url = template.replace("{searchTerms}", quote("égreneuses"))
    response = client.get(url.replace("http://localhost", ""))
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert "Sikasso" in page.text_content()


def test_opensearch_json_template_answers_with_search_results(client):
    root = opensearch_root(client)
    json_urls = [u.get("template") for u in root.findall(f"{OPENSEARCH}Url") if u.get("type") == "application/json"]
    for template in json_urls:
        assert "{searchTerms}" in template
        response = client.get(template.replace("{searchTerms}", "coton").replace("http://localhost", ""))
        assert response.status_code == 200
        assert response.is_json


def test_search_pages_advertise_the_opensearch_description(client):
    page = lxml.html.fromstring(client.get("/search?q=coton").get_data(as_text=True))
    links = page.xpath('//link[@rel="search"]')
    assert links
    assert links[0].get("type") == "application/opensearchdescription+xml"
    assert links[0].get("href").endswith("/opensearch.xml")


@pytest.mark.parametrize("topic", [COTTON, FOOTBALL], ids=["cotton", "football"])
def test_similar_articles_of_an_article_start_with_its_topic_and_exclude_itself(client, topic):
    own = [r["id"] for r in topic]
    for doc_id in own:
        ids = similar_ids(client, doc_id)
        assert doc_id not in ids
        assert ids[:2] and set(ids[:2]) == set(own) - {doc_id}, (doc_id, ids)


def test_similar_articles_carry_title_source_and_date(client):
    answer = client.get("/api/v1/documents/c1/similar").get_json()
    by_id = {r["id"]: r for r in RECORDS}
    for item in answer["similar"]:
        record = by_id[item["id"]]
        assert item["title"] == record["title"]
        assert item["source"] == record["source"]
        assert item["published"] == record["date"][:10]


def test_similar_articles_list_has_no_duplicates(client):
    ids = similar_ids(client, "f2")
    assert len(ids) == len(set(ids))


def test_similar_articles_of_an_unknown_id_is_a_404_with_a_message(client):
    response = client.get("/api/v1/documents/nope/similar")
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found"
    assert "nope" in error["message"]


def test_article_page_shows_similar_articles_of_the_same_topic(client):
    page = lxml.html.fromstring(client.get("/articles/c1").get_data(as_text=True))
    hrefs = page.xpath('//aside[contains(@class, "similar")]//a/@href')
    linked = [h.split("?")[0].rsplit("/", 1)[-1] for h in hrefs]
    assert linked == similar_ids(client, "c1")
    assert set(linked[:2]) == {"c2", "c3"}
