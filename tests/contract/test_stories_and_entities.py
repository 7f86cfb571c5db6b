"""Reprints grouped into stories, searches pinned to a day, trends with coverage, entities: on both engines.

The texts are real: two pairs of OrangeSum articles labelled as copies of one story
in bench/reprints_labelled.json (an AFP dispatch and its update, an explainer and
its rewrite), a pair labelled different, the three seed pages, and a reprint of a
seed by another outlet made here the way a paper reprints a dispatch.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from indexer.corpus import CorpusSource, read_corpus
from tests.conftest import api_search, facet_counts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS = FIXTURES / "seeds"
REPRINTS = FIXTURES / "reprints.jsonl"
HURRICANE = ("32702", "32627")  # earliest first: 2020-08-28, then the update of 2020-08-29
SCHOOLS = ("32160", "34235")
DIFFERENT = ("13137", "13139")
GOITA_SEED = "d275e5cf83198161"
TODAY = date.today().isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def seed_records() -> list[dict]:
    docs = [d for d in read_corpus([CorpusSource(paths=tuple(sorted(SEEDS.glob("*.txt"))))]) if hasattr(d, "body")]
    return [{"id": d.id, "title": d.title, "body": d.body, "source": d.source, "author": d.author, "url": d.url}
            for d in docs]


def seed_reprint(seeds: list[dict]) -> dict:
    """The Goïta seed page as another paper reprints the dispatch: its own header, source and date."""
    seed = next(d for d in seeds if d["id"] == GOITA_SEED)
    return {"id": "reprint-goita", "title": "Chine-Mali : " + seed["title"], "body": "(AMAP) " + seed["body"],
            "source": "L'Essor", "date": "2024-09-05", "url": "https://example.org/essor/goita"}


def records() -> list[dict]:
    seeds = seed_records()
    reprints = [json.loads(line) for line in REPRINTS.read_text(encoding="utf-8").splitlines()]
    return reprints + seeds + [seed_reprint(seeds)]


@pytest.fixture
def client(make_client):  # the index is built once per engine and session (tests/contract/conftest.py)
    return make_client(records(), entities=True)


def test_copies_of_one_story_are_one_hit_the_earliest_with_the_others_listed(client):
    answer = api_search(client, q="ouragan Laura")
    assert answer["group"] == "story"
    assert [hit["id"] for hit in answer["hits"]] == [HURRICANE[0]]
    hit = answer["hits"][0]
    assert hit["copies"] == 1 and [copy["id"] for copy in hit["copy_list"]] == [HURRICANE[1]]
    assert answer["total"] == 1
    listed = client.get(hit["copies_url"]).get_json()
    assert [h["id"] for h in listed["hits"]] == list(HURRICANE) and listed["group"] == "none"


def test_every_copy_is_listed_with_group_none(client):
    answer = api_search(client, q="ouragan Laura", group="none")
    assert sorted(hit["id"] for hit in answer["hits"]) == sorted(HURRICANE)
    assert all(hit["copies"] == 0 and hit["copies_url"] is None for hit in answer["hits"])


def test_a_dispatch_reprinted_by_another_paper_is_grouped_with_the_dated_copy_first(client):
    answer = api_search(client, q="Goïta FOCAC")
    # The seed page carries no date, so the dated reprint is the earliest copy known: it stands for the story.
    goita = [hit for hit in answer["hits"] if "Goïta" in hit["title"]]
    assert [hit["id"] for hit in goita] == ["reprint-goita"]
    assert goita[0]["source"] == "L'Essor" and goita[0]["copies"] == 1
    assert goita[0]["copy_list"][0]["id"] == "d275e5cf83198161"
    # The two other seed pages are other articles on Mali and China, not copies of it.
    assert {"4a5ab504d1963b33", "473d26122adec643"} <= {hit["id"] for hit in api_search(client, q="Pékin Bamako")["hits"]}


def test_articles_on_one_topic_that_are_not_copies_stay_apart(client):
    answer = api_search(client, q="coronavirus", per_page=50)
    ids = {hit["id"] for hit in answer["hits"]}
    assert set(DIFFERENT) <= ids


def test_counting_each_story_once_changes_the_counts_not_the_hits(client):
    articles = api_search(client, q="", facet_limit=50, group="none", timeline=1)
    stories = api_search(client, q="", facet_limit=50, group="none", timeline=1, count="story")
    assert stories["count"] == "story"
    assert [h["id"] for h in stories["hits"]] == [h["id"] for h in articles["hits"]]
    def by_year(answer: dict) -> dict[str, int]:  # the timeline is by month over few years
        years: dict[str, int] = {}
        for point in answer["timeline"]:
            years[point["period"][:4]] = years.get(point["period"][:4], 0) + point["count"]
        return years

    # 2020 holds both OrangeSum pairs of copies and the pair that is not: six articles, four stories.
    assert by_year(articles)["2020"] == 6 and by_year(stories)["2020"] == 4
    sources = lambda answer: {v["value"]: v["count"] for v in answer["facets"]["source"]}  # noqa: E731
    assert sources(articles)["Orange Actu (actu.orange.fr)"] == 6
    assert sources(stories)["Orange Actu (actu.orange.fr)"] == 4


def test_a_search_pinned_to_a_day_before_the_articles_entered_shows_none_and_says_how_many(client):
    answer = api_search(client, q="ouragan", asof=YESTERDAY)
    assert answer["total"] == 0 and answer["asof"] == YESTERDAY and answer["added_since"] == 1
    today = api_search(client, q="ouragan", asof=TODAY)
    assert [hit["id"] for hit in today["hits"]] == [HURRICANE[0]] and today["added_since"] == 0


def test_the_pinned_page_says_what_is_left_out_and_a_bad_day_is_a_400(client):
    page = client.get("/search", query_string={"q": "ouragan", "asof": YESTERDAY}).get_data(as_text=True)
    assert "1 article ajouté depuis n’est pas montré." in page
    bad = client.get("/api/v1/search", query_string={"q": "ouragan", "asof": "2026-02-30"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_parameter"
    assert "asof must be a real day written YYYY-MM-DD" in bad.get_json()["error"]["message"]
    for wrong in ("hier", "2026-03", "0000-01-01", "٢٠٢٦-٠٣-٠١"):
        assert client.get("/api/v1/search", query_string={"asof": wrong}).status_code == 400, wrong


def test_the_citation_and_the_ris_of_a_search_carry_count_day_and_pinned_permalink(client):
    ris = client.get("/api/v1/export/ris", query_string={"q": "ouragan", "lang": "fr"}).get_data(as_text=True)
    notes = [line for line in ris.splitlines() if line.startswith("N1  - ")]
    assert notes and all("recherche « ouragan »" in n and "1 résultat" in n and f"asof={TODAY}" in n for n in notes)
    bibtex = client.get("/api/v1/export/bibtex", query_string={"q": "ouragan", "asof": TODAY}).get_data(as_text=True)
    assert f"asof={TODAY}" in bibtex and "1 résultat" in bibtex


def test_trends_have_every_period_and_say_where_a_source_is_absent(make_client):
    records = [{"id": f"m{n}", "title": "Souveraineté", "body": f"La souveraineté du Mali, {n}.", "source": "Maliweb",
                "date": f"{year}-03-01"} for n, year in enumerate((2016, 2019, 2019))]
    records += [{"id": "r1", "title": "Souveraineté", "body": "La souveraineté du Niger.", "source": "RFI",
                 "date": "2019-05-01"}]
    client = make_client(records)
    answer = client.get("/api/v1/trends?q=souveraineté").get_json()
    assert answer["periods"] == ["2016", "2017", "2018", "2019"]
    assert [p["count"] for p in answer["series"][0]["points"]] == [1, 0, 0, 3]
    assert answer["sources"] == ["Maliweb", "RFI"]
    assert answer["coverage"]["2019"] == {"Maliweb": 2, "RFI": 1}
    assert answer["absent"] == {"2016": ["RFI"], "2017": ["Maliweb", "RFI"], "2018": ["Maliweb", "RFI"]}
    months = client.get("/api/v1/trends?q=souveraineté&interval=month&date_from=2019").get_json()
    assert months["periods"] == ["2019-03", "2019-04", "2019-05"]
    page = client.get("/trends?q=souveraineté").get_data(as_text=True)
    assert page.count('class="absent-mark"') == 3


def test_the_seeds_people_places_and_organisations_are_facets(client):
    answer = api_search(client, q="", group="none")
    assert facet_counts(answer, "person")["Assimi Goïta"] == 2  # the seed and its reprint
    places = facet_counts(answer, "place")
    assert places["Bamako"] == 4 and places["Pékin"] == 4 and places["Mali"] == 4
    assert "FOCAC" in facet_counts(answer, "org")


def test_an_entity_filter_combines_with_the_others_and_with_words(client):
    goita = api_search(client, person="Assimi Goïta", group="none", sort="date")
    assert [hit["id"] for hit in goita["hits"]] == ["reprint-goita", GOITA_SEED]
    both = api_search(client, place=["Bamako"], org=["FOCAC"], group="none")
    assert GOITA_SEED in {hit["id"] for hit in both["hits"]} and both["total"] <= 4
    # A variant of the name selects the same person: the filter is read by its merged key.
    assert api_search(client, person="ASSIMI GOITA", group="none")["total"] == 2
    assert api_search(client, q="ouragan", place="Bamako")["total"] == 0
    assert api_search(client, person="Assimi Goïta", source="L'Essor")["total"] == 1


def test_entity_query_fields_in_french_and_english(client):
    assert [h["id"] for h in api_search(client, q="personne:Goïta", group="none", sort="date")["hits"]] == [
        "reprint-goita", GOITA_SEED]
    assert api_search(client, q="person:goita")["total"] == 1  # one story
    assert api_search(client, q="lieu:Bamako", group="none")["total"] == 4
    assert api_search(client, q="place:Louisiane", group="none")["total"] >= 1
    assert api_search(client, q="organisation:FOCAC", group="none")["total"] >= 2


def test_an_article_lists_its_people_places_and_organisations_each_linking_to_its_filter(client):
    document = client.get(f"/api/v1/documents/{GOITA_SEED}").get_json()
    assert "Assimi Goïta" in document["entities"]["person"] and "Bamako" in document["entities"]["place"]
    assert document["added"].startswith(TODAY)
    assert document["story"] == client.get("/api/v1/documents/reprint-goita").get_json()["story"]
    page = client.get(f"/articles/{GOITA_SEED}").get_data(as_text=True)
    assert '<a href="/search?person=Assimi+Go%C3%AFta">Assimi Goïta</a>' in page
    assert '<a href="/search?place=Bamako">Bamako</a>' in page
