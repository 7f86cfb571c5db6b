"""Trends of queries over time (per year and month, raw and per 1,000 articles) checked against brute-force counts."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from datetime import date, timedelta

import lxml.html
import pytest


SOURCES = ["Maliweb", "RFI", "Jeune Afrique"]
PHRASES = {
    0: "La souveraineté du pays est en débat.",
    1: "La sécurité des routes inquiète.",
    2: "Souverainetés et sécurité vont de pair.",
    3: "Le marché de Médine ouvre tôt.",
    4: "La Sécurité sociale recrute.",
}


def record(number: int) -> dict:
    day = date(2017, 1, 5) + timedelta(days=(number * 53) % 1400)
    return {
        "id": f"r{number:03d}",
        "title": f"Chronique {number}",
        "summary": "",
        "body": PHRASES[(number * 7) % 5] + f" Note numéro {number}.",
        "url": f"https://exemple.ml/r{number:03d}",
        "source": SOURCES[(number * 5) % 3],
        "author": "Awa Traoré",
        "date": f"{day.isoformat()}T10:00:00+01:00",
        "section": "Politique",
        "tags": ["Chronique"],
    }


RECORDS = [record(n) for n in range(90)]


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def mentions(rec: dict, stem: str) -> bool:
    text = " ".join((rec["title"], rec["summary"], rec["body"]))
    return any(fold(word).startswith(stem) for word in re.findall(r"\w+", text))


STEMS = {"souveraineté": "souverainet", "sécurité": "securit", "marché": "marche"}


def brute(stem: str, period_length: int, records=RECORDS):
    """(articles per period, matching articles per period, matching per (period, source))."""
    articles = Counter(r["date"][:period_length] for r in records)
    matching = [r for r in records if mentions(r, stem)]
    counts = Counter(r["date"][:period_length] for r in matching)
    by_source = Counter((r["date"][:period_length], r["source"]) for r in matching)
    return articles, counts, by_source


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def trends_json(client, params: str) -> dict:
    response = client.get(f"/api/v1/trends?{params}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_fixture_corpus_spans_several_years_and_sources():
    assert len({r["date"][:4] for r in RECORDS}) >= 4
    assert all(sum(mentions(r, stem) for r in RECORDS) > 5 for stem in STEMS.values())


@pytest.mark.parametrize("query_text", ["souveraineté", "sécurité"])
def test_yearly_counts_equal_brute_force_counts(client, query_text):
    articles, counts, _ = brute(STEMS[query_text], 4)
    answer = trends_json(client, f"q={query_text}")
    assert answer["interval"] == "year"
    assert answer["periods"] == sorted(articles)
    assert answer["articles_per_period"] == dict(articles)
    (series,) = answer["series"]
    assert series["query"] == query_text
    assert {p["period"]: p["count"] for p in series["points"]} == {p: counts.get(p, 0) for p in articles}
    assert series["total"] == sum(counts.values())


def test_monthly_counts_equal_brute_force_counts(client):
    articles, counts, _ = brute("souverainet", 7)
    answer = trends_json(client, "q=souveraineté&interval=month")
    assert answer["interval"] == "month"
    assert answer["periods"] == sorted(articles)
    assert all(re.fullmatch(r"\d{4}-\d{2}", p) for p in answer["periods"])
    points = answer["series"][0]["points"]
    assert {p["period"]: p["count"] for p in points} == {p: counts.get(p, 0) for p in articles}


def test_unaccented_query_counts_the_same_articles(client):
    accented = trends_json(client, "q=sécurité")["series"][0]["points"]
    plain = trends_json(client, "q=securite")["series"][0]["points"]
    assert [p["count"] for p in plain] == [p["count"] for p in accented]


def test_per_thousand_is_matches_per_thousand_articles_of_the_period(client):
    articles, counts, _ = brute("securit", 4)
    points = trends_json(client, "q=sécurité")["series"][0]["points"]
    for point in points:
        expected = 1000 * counts.get(point["period"], 0) / articles[point["period"]]
        assert point["per_thousand"] == pytest.approx(expected, abs=0.01)


def test_by_source_splits_the_count_of_each_period(client):
    _, counts, by_source = brute("souverainet", 4)
    points = trends_json(client, "q=souveraineté")["series"][0]["points"]
    for point in points:
        assert sum(point["by_source"].values()) == point["count"]
        expected = {source: n for (period, source), n in by_source.items() if period == point["period"]}
        assert point["by_source"] == expected


def test_up_to_four_queries_are_compared_on_one_answer(client):
    queries = ["souveraineté", "sécurité", "marché", "chronique"]
    answer = trends_json(client, "&".join(f"q={q}" for q in queries))
    assert [s["query"] for s in answer["series"]] == queries
    assert all(len(s["points"]) == len(answer["periods"]) for s in answer["series"])
    assert answer["series"][3]["total"] == len(RECORDS)


def test_five_queries_are_a_400_naming_the_limit(client):
    response = client.get("/api/v1/trends?q=a1&q=b2&q=c3&q=d4&q=e5")
    assert response.status_code == 400
    assert "4" in response.get_json()["error"]["message"]


def test_blank_queries_do_not_count_toward_the_limit(client):
    answer = trends_json(client, "q=souveraineté&q=&q=sécurité&q=%20")
    assert [s["query"] for s in answer["series"]] == ["souveraineté", "sécurité"]


@pytest.mark.parametrize("params, named", [("q=souveraineté&interval=week", "interval"), ("", "q")])
def test_bad_trend_requests_are_a_400_with_a_message(client, params, named):
    for path in ("/api/v1/trends", "/trends.csv"):
        response = client.get(f"{path}?{params}")
        assert response.status_code == 400, path
        assert named in response.get_json()["error"]["message"]


def test_source_filter_narrows_the_trend_and_its_article_counts(client):
    rfi = [r for r in RECORDS if r["source"] == "RFI"]
    articles, counts, _ = brute("souverainet", 4, rfi)
    answer = trends_json(client, "q=souveraineté&source=RFI")
    assert answer["articles_per_period"] == dict(articles)
    points = answer["series"][0]["points"]
    assert {p["period"]: p["count"] for p in points} == {p: counts.get(p, 0) for p in articles}
    assert all(set(p["by_source"]) <= {"RFI"} for p in points)
    for point in points:
        assert point["per_thousand"] == pytest.approx(1000 * point["count"] / articles[point["period"]], abs=0.01)


def test_date_range_filter_narrows_the_trend(client):
    kept = [r for r in RECORDS if "2018-01-01" <= r["date"][:10] <= "2019-06-30"]
    articles, counts, _ = brute("securit", 7, kept)
    answer = trends_json(client, "q=sécurité&interval=month&date_from=2018-01-01&date_to=2019-06-30")
    assert answer["periods"] == sorted(articles)
    assert {p["period"]: p["count"] for p in answer["series"][0]["points"]} == {p: counts.get(p, 0) for p in articles}


def test_csv_carries_the_same_numbers_as_the_json(client):
    params = "q=souveraineté&q=sécurité"
    answer = trends_json(client, params)
    response = client.get(f"/trends.csv?{params}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    totals = {(r["query"], r["period"]): r for r in rows if not r["source"]}
    splits = {(r["query"], r["period"], r["source"]): int(r["source_count"]) for r in rows if r["source"]}
    expected_splits = {}
    for series in answer["series"]:
        for point in series["points"]:
            row = totals[(series["query"], point["period"])]
            assert int(row["count"]) == point["count"]
            assert float(row["per_1000_articles"]) == pytest.approx(point["per_thousand"])
            assert int(row["articles_in_period"]) == answer["articles_per_period"][point["period"]]
            expected_splits.update({(series["query"], point["period"], s): n for s, n in point["by_source"].items()})
    assert len(totals) == sum(len(s["points"]) for s in answer["series"])
    assert splits == expected_splits


def test_trends_page_draws_one_line_per_query_in_an_svg(client):
    response = client.get("/trends?q=souveraineté&q=sécurité")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    svgs = page.xpath("//svg")
    assert len(svgs) == 1
    paths = svgs[0].xpath(".//path")
    assert len(paths) == 2
    assert all(path.get("d", "").startswith("M") for path in paths)
    legend = [li.text_content() for li in page.xpath("//figcaption/ul[@class='legend']/li")]
    assert len(legend) == 2
    assert "souveraineté" in legend[0] and "sécurité" in legend[1]


def test_trends_page_has_an_accessible_table_with_the_numbers(client):
    answer = trends_json(client, "q=souveraineté&q=sécurité")
    page = lxml.html.fromstring(client.get("/trends?q=souveraineté&q=sécurité").get_data(as_text=True))
    svg = page.xpath("//svg")[0]
    assert svg.get("role") == "img"
    labelled = svg.get("aria-labelledby") or ""
    assert labelled and page.xpath(f'//*[@id="{labelled}"]')
    table = page.xpath("//table")[0]
    assert table.xpath("./caption")[0].text_content().strip()
    rows = table.xpath("./tbody/tr")
    assert [row.xpath("./th")[0].text_content().strip() for row in rows] == answer["periods"]
    for row, period in zip(rows, answer["periods"]):
        cells = [td.text_content().strip() for td in row.xpath("./td")]
        assert int(cells[0]) == answer["articles_per_period"][period]
        i = answer["periods"].index(period)
        assert int(cells[1]) == answer["series"][0]["points"][i]["count"]
        assert int(cells[3]) == answer["series"][1]["points"][i]["count"]


def test_trends_page_serves_no_third_party_script_or_stylesheet(client):
    page = lxml.html.fromstring(client.get("/trends?q=souveraineté").get_data(as_text=True))
    assets = page.xpath("//script/@src | //link/@href")
    assert all(not re.match(r"(https?:)?//", href) for href in assets), assets


def test_trends_page_with_five_queries_shows_the_error(client):
    response = client.get("/trends?q=a1&q=b2&q=c3&q=d4&q=e5")
    assert response.status_code == 400
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert "4" in " ".join(page.xpath('//*[@role="alert"]//text()'))


def test_trends_page_links_the_csv_and_json_of_the_same_query(client):
    page = lxml.html.fromstring(client.get("/trends?q=souveraineté&q=sécurité").get_data(as_text=True))
    hrefs = page.xpath("//a/@href")
    csv_link = next(h for h in hrefs if h.startswith("/trends.csv"))
    json_link = next(h for h in hrefs if h.startswith("/api/v1/trends"))
    assert client.get(json_link).get_json() == trends_json(client, "q=souveraineté&q=sécurité")
    assert client.get(csv_link).status_code == 200


def test_per_thousand_scale_plots_normalised_values(client):
    page = lxml.html.fromstring(client.get("/trends?q=souveraineté&scale=per_thousand").get_data(as_text=True))
    titles = [t.text_content() for t in page.xpath("//svg//circle/title")]
    answer = trends_json(client, "q=souveraineté")
    expected = [p["per_thousand"] for p in answer["series"][0]["points"]]
    plotted = [float(t.rsplit(":", 1)[1]) for t in titles]
    assert plotted == pytest.approx(expected)
