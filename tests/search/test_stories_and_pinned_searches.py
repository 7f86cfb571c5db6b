"""Reprints grouped into stories, searches pinned to a day, trends with coverage: on real indexes.

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

from engines.whoosh import build_index
from indexer.corpus import CorpusSource, read_corpus
from tests.conftest import write_jsonl
from webui.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEEDS = FIXTURES / "seeds"
REPRINTS = FIXTURES / "reprints.jsonl"
HURRICANE = ("32702", "32627")  # earliest first: 2020-08-28, then the update of 2020-08-29
SCHOOLS = ("32160", "34235")
DIFFERENT = ("13137", "13139")
TODAY = date.today().isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


def seed_reprint() -> dict:
    """The Goïta seed page as another paper reprints the dispatch: its own header, source and date."""
    seed = next(d for d in read_corpus([CorpusSource(paths=tuple(sorted(SEEDS.glob("*.txt"))))])
                if d.id == "d275e5cf83198161")
    return {"id": "reprint-goita", "title": "Chine-Mali : " + seed.title, "body": "(AMAP) " + seed.body,
            "source": "L'Essor", "date": "2024-09-05", "url": "https://example.org/essor/goita"}


def client_for(index_dir: Path):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("stories")
    extra = write_jsonl(root / "reprint.jsonl", [seed_reprint()])
    build_index([REPRINTS, SEEDS, extra], root / "index")
    return root / "index"


@pytest.fixture(scope="module")
def client(archive):
    return client_for(archive)


def search(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_copies_of_one_story_are_one_hit_the_earliest_with_the_others_listed(client):
    answer = search(client, q="ouragan Laura")
    assert answer["group"] == "story"
    assert [hit["id"] for hit in answer["hits"]] == [HURRICANE[0]]
    hit = answer["hits"][0]
    assert hit["copies"] == 1 and [copy["id"] for copy in hit["copy_list"]] == [HURRICANE[1]]
    assert answer["total"] == 1
    listed = client.get(hit["copies_url"]).get_json()
    assert [h["id"] for h in listed["hits"]] == list(HURRICANE) and listed["group"] == "none"


def test_every_copy_is_listed_with_group_none(client):
    answer = search(client, q="ouragan Laura", group="none")
    assert sorted(hit["id"] for hit in answer["hits"]) == sorted(HURRICANE)
    assert all(hit["copies"] == 0 and hit["copies_url"] is None for hit in answer["hits"])


def test_a_dispatch_reprinted_by_another_paper_is_grouped_with_the_dated_copy_first(client):
    answer = search(client, q="Goïta FOCAC")
    # The seed page carries no date, so the dated reprint is the earliest copy known: it stands for the story.
    goita = [hit for hit in answer["hits"] if "Goïta" in hit["title"]]
    assert [hit["id"] for hit in goita] == ["reprint-goita"]
    assert goita[0]["source"] == "L'Essor" and goita[0]["copies"] == 1
    assert goita[0]["copy_list"][0]["id"] == "d275e5cf83198161"
    # The two other seed pages are other articles on Mali and China, not copies of it.
    assert {"4a5ab504d1963b33", "473d26122adec643"} <= {hit["id"] for hit in search(client, q="Pékin Bamako")["hits"]}


def test_articles_on_one_topic_that_are_not_copies_stay_apart(client):
    answer = search(client, q="coronavirus", per_page=50)
    ids = {hit["id"] for hit in answer["hits"]}
    assert set(DIFFERENT) <= ids


def test_counting_each_story_once_changes_the_counts_not_the_hits(client):
    articles = search(client, q="", facet_limit=50, group="none", timeline=1)
    stories = search(client, q="", facet_limit=50, group="none", timeline=1, count="story")
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
    answer = search(client, q="ouragan", asof=YESTERDAY)
    assert answer["total"] == 0 and answer["asof"] == YESTERDAY and answer["added_since"] == 1
    today = search(client, q="ouragan", asof=TODAY)
    assert [hit["id"] for hit in today["hits"]] == [HURRICANE[0]] and today["added_since"] == 0


def test_the_pinned_page_says_what_is_left_out_and_a_bad_day_is_a_400(client):
    page = client.get("/search", query_string={"q": "ouragan", "asof": YESTERDAY}).get_data(as_text=True)
    assert "1 article ajouté depuis n’est pas montré." in page
    bad = client.get("/api/v1/search", query_string={"q": "ouragan", "asof": "2026-02-30"})
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_parameter"
    assert client.get("/api/v1/search", query_string={"asof": "hier"}).status_code == 400


def test_an_article_keeps_the_day_it_entered_through_a_rebuild_and_deletions_are_counted(tmp_path):
    first = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "Mali", "body": "La souveraineté du Mali."},
                                             {"id": "b", "title": "Niger", "body": "La souveraineté du Niger."}])
    index_dir = tmp_path / "index"
    build_index([first], index_dir)
    entered = client_for(index_dir).get("/api/v1/documents/a").get_json()
    second = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "title": "Mali", "body": "La souveraineté du Mali."}])
    report = build_index([second], index_dir, rebuild=True, allow_shrink=True)
    assert report.deleted_ids == ["b"]
    client = client_for(index_dir)
    assert client.get("/api/v1/documents/a").get_json()["added"] == entered["added"]
    pinned = search(client, q="souveraineté", asof=YESTERDAY)
    assert pinned["deleted_since"] == 1 and pinned["total"] == 0
    jobs = [json.loads(p.read_text()) for p in (index_dir / "jobs").glob("*.json")] if (index_dir / "jobs").exists() else []
    assert all("deleted_ids" in job.get("report", {}) for job in jobs)


def test_an_incremental_run_puts_a_new_copy_in_the_story_it_belongs_to(tmp_path):
    index_dir = tmp_path / "index"
    build_index([REPRINTS], index_dir)
    before = search(client_for(index_dir), q="ouragan Laura")["hits"][0]["story"]
    records = [json.loads(line) for line in REPRINTS.read_text(encoding="utf-8").splitlines()]
    hurricane = next(r for r in records if r["id"] == HURRICANE[1])
    third = {**hurricane, "id": "copy-3", "url": "https://example.org/copy-3", "source": "Le Soir",
             "title": "États-Unis : " + hurricane["title"], "date": "2020-08-30"}
    build_index([REPRINTS, write_jsonl(tmp_path / "more.jsonl", [third])], index_dir)
    answer = search(client_for(index_dir), q="ouragan Laura")
    assert [hit["id"] for hit in answer["hits"]] == [HURRICANE[0]]
    assert answer["hits"][0]["story"] == before and answer["hits"][0]["copies"] == 2


def test_the_citation_and_the_ris_of_a_search_carry_count_day_and_pinned_permalink(client):
    ris = client.get("/api/v1/export/ris", query_string={"q": "ouragan", "lang": "fr"}).get_data(as_text=True)
    notes = [line for line in ris.splitlines() if line.startswith("N1  - ")]
    assert notes and all("recherche « ouragan »" in n and "1 résultat" in n and f"asof={TODAY}" in n for n in notes)
    bibtex = client.get("/api/v1/export/bibtex", query_string={"q": "ouragan", "asof": TODAY}).get_data(as_text=True)
    assert f"asof={TODAY}" in bibtex and "1 résultat" in bibtex


def test_trends_have_every_period_and_say_where_a_source_is_absent(tmp_path):
    records = [{"id": f"m{n}", "title": "Souveraineté", "body": f"La souveraineté du Mali, {n}.", "source": "Maliweb",
                "date": f"{year}-03-01"} for n, year in enumerate((2016, 2019, 2019))]
    records += [{"id": "r1", "title": "Souveraineté", "body": "La souveraineté du Niger.", "source": "RFI",
                 "date": "2019-05-01"}]
    index_dir = tmp_path / "index"
    build_index([write_jsonl(tmp_path / "t.jsonl", records)], index_dir)
    answer = client_for(index_dir).get("/api/v1/trends?q=souveraineté").get_json()
    assert answer["periods"] == ["2016", "2017", "2018", "2019"]
    assert [p["count"] for p in answer["series"][0]["points"]] == [1, 0, 0, 3]
    assert answer["sources"] == ["Maliweb", "RFI"]
    assert answer["coverage"]["2019"] == {"Maliweb": 2, "RFI": 1}
    assert answer["absent"] == {"2016": ["RFI"], "2017": ["Maliweb", "RFI"], "2018": ["Maliweb", "RFI"]}
    months = client_for(index_dir).get("/api/v1/trends?q=souveraineté&interval=month&date_from=2019").get_json()
    assert months["periods"] == ["2019-03", "2019-04", "2019-05"]
    page = client_for(index_dir).get("/trends?q=souveraineté").get_data(as_text=True)
    assert page.count('class="absent-mark"') == 3
