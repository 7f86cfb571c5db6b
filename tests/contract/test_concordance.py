"""Concordance (KWIC) lines, their sorting, the CSV export and the HTML page, on a real index."""

from __future__ import annotations

import csv
import io
import re
import unicodedata

import lxml.html
import pytest


RECORDS = [
    {
        "id": "k1",
        "title": "La souveraineté alimentaire en question",
        "summary": "un deux trois quatre souveraineté cinq six sept huit",
        "body": "Les Souverainetés nationales abeille souveraineté monétaire. "
        "Le débat sur la souverainete reste ouvert.",
        "url": "https://exemple.ml/k1",
        "source": "Maliweb",
        "author": "Awa Traoré",
        "date": "2021-03-04T10:00:00+01:00",
        "section": "Politique",
        "tags": ["Souveraineté"],
    },
    {
        "id": "k2",
        "title": "Coton et semences",
        "summary": "",
        "body": "Un zèbre souveraineté économique. Puis Élan souveraineté populaire.",
        "url": "https://exemple.ml/k2",
        "source": "RFI",
        "author": "Jean Dupont",
        "date": "2019-07-01T10:00:00+02:00",
        "section": "Économie",
        "tags": ["Coton"],
    },
    {
        "id": "k3",
        "title": "Le Mali et sa souveraineté",
        "summary": "",
        "body": "Une été souveraineté retrouvée. La souveraineté est au cœur des discours officiels du gouvernement.",
        "url": "https://exemple.ml/k3",
        "source": "Jeune Afrique",
        "author": "Haoua SANGARÉ",
        "date": "2020-11-20T10:00:00+01:00",
        "section": "Politique",
        "tags": ["Mali"],
    },
    {
        "id": "k4",
        "title": "Récolte de mangues",
        "summary": "",
        "body": "Les mangues de Sikasso partent vers l’Europe.",
        "url": "https://exemple.ml/k4",
        "source": "Maliweb",
        "author": "Awa Traoré",
        "date": "2022-04-01T10:00:00+02:00",
        "section": "Économie",
        "tags": ["Agriculture"],
    },
]
BY_ID = {r["id"]: r for r in RECORDS}


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def occurrences(records, stem: str) -> list[tuple[str, str]]:
    """(doc_id, word) for every word of title, summary and body starting with the folded stem."""
    found = []
    for record in records:
        for part in (record["title"], record["summary"], record["body"]):
            found += [(record["id"], word) for word in re.findall(r"\w+", part) if fold(word).startswith(stem)]
    return found


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def lines_of(client, params: str) -> list[dict]:
    response = client.get(f"/api/v1/concordance?{params}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["lines"]


def test_concordance_finds_every_occurrence_including_accent_folded_and_plural_forms(client):
    lines = lines_of(client, "q=souverainete")
    found = sorted((line["doc_id"], line["keyword"]) for line in lines)
    assert found == sorted(occurrences(RECORDS, "souverainet"))
    keywords = {line["keyword"] for line in lines}
    assert {"souveraineté", "Souverainetés", "souverainete"} <= keywords


def test_accented_and_unaccented_queries_give_the_same_lines(client):
    key = lambda line: (line["doc_id"], line["left"], line["keyword"], line["right"])  # noqa: E731
    assert sorted(map(key, lines_of(client, "q=souverainete"))) == sorted(map(key, lines_of(client, "q=souveraineté")))


def test_concordance_reports_how_many_articles_it_read(client):
    answer = client.get("/api/v1/concordance?q=souveraineté").get_json()
    assert answer["documents"] == 3
    assert answer["truncated"] is False


def test_each_line_gives_width_words_of_left_and_right_context(client):
    lines = lines_of(client, "q=souveraineté&width=3")
    line = next(kwic for kwic in lines if kwic["doc_id"] == "k1" and kwic["left"].endswith("quatre"))
    assert line["left"] == "deux trois quatre"
    assert line["keyword"] == "souveraineté"
    assert line["right"] == "cinq six sept"
    assert line["title"] == BY_ID["k1"]["title"]
    assert line["source"] == "Maliweb"
    assert line["published"] == "2021-03-04"


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_no_line_has_more_than_width_words_on_either_side(client, width):
    lines = lines_of(client, f"q=souveraineté&width={width}")
    assert lines
    for line in lines:
        assert len(words(line["left"])) <= width, line
        assert len(words(line["right"])) <= width, line
    long_enough = [kwic for kwic in lines if kwic["doc_id"] == "k1" and kwic["left"].endswith("quatre")]
    assert len(words(long_enough[0]["left"])) == width
    assert len(words(long_enough[0]["right"])) == width


def test_context_is_cut_at_the_start_and_end_of_the_text(client):
    lines = lines_of(client, "q=souveraineté&width=5")
    title_line = next(kwic for kwic in lines if kwic["doc_id"] == "k3" and kwic["keyword"] == "souveraineté" and kwic["right"] == "")
    assert title_line["left"] == "Le Mali et sa"


def test_sorting_by_left_context_orders_by_the_word_nearest_the_keyword(client):
    lines = lines_of(client, "q=souveraineté&width=3&sort_lines=left")
    nearest = [fold(words(kwic["left"])[-1]) if words(kwic["left"]) else "" for kwic in lines]
    assert nearest == sorted(nearest)
    # Accented words sort with their plain letters, not after z.
    order = [fold(w) for w in nearest if fold(w) in ("abeille", "elan", "ete", "zebre")]
    assert order == ["abeille", "elan", "ete", "zebre"]


def test_sorting_by_left_context_breaks_ties_with_the_next_word_to_the_left(client):
    lines = lines_of(client, "q=souveraineté&width=3&sort_lines=left")
    keys = [[fold(w) for w in reversed(words(kwic["left"]))] for kwic in lines]
    assert keys == sorted(keys)


def test_sorting_by_right_context_orders_by_keyword_then_right_words(client):
    lines = lines_of(client, "q=souveraineté&width=3&sort_lines=right")
    keys = [(fold(kwic["keyword"]), [fold(w) for w in words(kwic["right"])]) for kwic in lines]
    assert keys == sorted(keys)
    assert [fold(kwic["keyword"]) for kwic in lines][-1] == "souverainetes"


def test_sorting_by_source_groups_lines_by_source_then_date(client):
    lines = lines_of(client, "q=souveraineté&sort_lines=source")
    keys = [(kwic["source"], kwic["published"]) for kwic in lines]
    assert keys == sorted(keys)
    assert [kwic["source"] for kwic in lines][0] == "Jeune Afrique"


def test_sorting_by_date_lists_oldest_lines_first_by_default(client):
    answer = client.get("/api/v1/concordance?q=souveraineté").get_json()
    assert answer["sort"] == "date"
    dates = [kwic["published"] for kwic in answer["lines"]]
    assert dates == sorted(dates)
    assert dates[0] == "2019-07-01"


def test_concordance_respects_the_search_filters(client):
    lines = lines_of(client, "q=souveraineté&source=RFI")
    assert {kwic["doc_id"] for kwic in lines} == {"k2"}
    assert len(lines) == len(occurrences([BY_ID["k2"]], "souverainet"))
    assert {kwic["doc_id"] for kwic in lines_of(client, "q=souveraineté&year=2020")} == {"k3"}


def test_concordance_csv_has_the_same_lines_as_the_json(client):
    params = "q=souveraineté&width=3&sort_lines=left"
    response = client.get(f"/concordance.csv?{params}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["left", "keyword", "right", "id", "title", "source", "published"]
    from_csv = [(r["left"], r["keyword"], r["right"], r["id"], r["title"], r["source"], r["published"]) for r in rows]
    from_json = [
        (kwic["left"], kwic["keyword"], kwic["right"], kwic["doc_id"], kwic["title"], kwic["source"], kwic["published"])
        for kwic in lines_of(client, params)
    ]
    assert from_csv == from_json


@pytest.mark.parametrize(
    "params, named",
    [
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=souveraineté&width=0", "width"),
        ("q=souveraineté&width=31", "width"),
        ("q=souveraineté&width=large", "width"),
        ("q=souveraineté&sort_lines=bogus", "sort"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/concordance", "/concordance.csv"])
def test_bad_concordance_requests_are_a_400_with_a_message(client, path, params, named):
    response = client.get(f"{path}?{params}")
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert named in message


def test_concordance_page_lists_the_lines_in_a_table_with_the_keyword_marked(client):
    response = client.get("/concordance?q=souverainete&width=3")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    rows = page.xpath("//table//tbody/tr")
    lines = lines_of(client, "q=souverainete&width=3")
    assert len(rows) == len(lines)
    marked = [row.xpath(".//mark")[0].text_content() for row in rows]
    assert marked == [kwic["keyword"] for kwic in lines]
    first = rows[0].xpath("./td")
    assert first[0].text_content().strip() == lines[0]["left"]
    assert first[2].text_content().strip() == lines[0]["right"]
    headers = [th.text_content().strip() for th in page.xpath("//table//thead//th")]
    assert len(headers) == 4


def test_concordance_page_rows_link_to_the_article(client):
    page = lxml.html.fromstring(client.get("/concordance?q=souveraineté&source=RFI").get_data(as_text=True))
    hrefs = page.xpath("//table//tbody/tr/td/a/@href")
    assert hrefs and all(href.startswith("/articles/k2") for href in hrefs)


def test_concordance_page_keeps_the_chosen_sort_and_links_the_csv(client):
    page = lxml.html.fromstring(client.get("/concordance?q=souveraineté&sort_lines=right&width=4").get_data(as_text=True))
    assert page.xpath('//select[@name="sort_lines"]/option[@selected]/@value') == ["right"]
    assert page.xpath('//input[@name="width"]/@value') == ["4"]
    csv_links = [href for href in page.xpath("//a/@href") if href.startswith("/concordance.csv")]
    assert csv_links and "sort_lines=right" in csv_links[0] and "width=4" in csv_links[0]


def test_concordance_page_without_a_query_shows_the_form_only(client):
    response = client.get("/concordance")
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    assert page.xpath('//form//input[@name="q"]')
    assert not page.xpath("//table")


@pytest.mark.parametrize("params, named", [("width=0", "width"), ("sort_lines=bogus", "sort")])
def test_concordance_page_with_a_bad_parameter_is_a_400_with_the_message_on_screen(client, params, named):
    response = client.get(f"/concordance?q=souveraineté&{params}")
    assert response.status_code == 400
    page = lxml.html.fromstring(response.get_data(as_text=True))
    alert = " ".join(page.xpath('//*[@role="alert"]//text()'))
    assert named in alert


def test_a_near_query_centres_lines_on_its_first_word_where_the_other_is_close(client):
    # k3: "La souveraineté est au cœur des discours officiels du gouvernement": gouvernement is 7 words on.
    answer = client.get("/api/v1/concordance", query_string={"q": "souveraineté NEAR/8 gouvernement", "width": 8}).get_json()
    assert [(line["doc_id"], line["keyword"]) for line in answer["lines"]] == [("k3", "souveraineté")]
    assert "gouvernement" in answer["lines"][0]["right"]
    # Too far apart for NEAR/3: no article matches, so no line.
    assert client.get("/api/v1/concordance", query_string={"q": "souveraineté NEAR/3 gouvernement"}).get_json()["lines"] == []
    # Words outside the NEAR group centre lines wherever they occur.
    both = client.get("/api/v1/concordance", query_string={"q": "souveraineté NEAR/8 gouvernement Mali"}).get_json()
    assert {line["keyword"] for line in both["lines"]} == {"souveraineté", "Mali"}
