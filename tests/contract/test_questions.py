"""Questions and long queries as people type them: read as text, ranked by how many words match.

Checked through GET /api/v1/search and the results page on a small real index.
"""

from __future__ import annotations

import pytest

from tests.contract.test_query import article
from webui.pages import with_exact_form

RECORDS = [
    article("k01", "La Corée divisée depuis 1945",
            "La péninsule coréenne est divisée en deux États depuis la fin de la Seconde Guerre mondiale.",
            section="Monde", day="2019-06-25"),
    article("k02", "Sahel : Pékin renforce sa présence",
            "La Chine s'intéresse de près à la sécurité du Sahel, où elle forme des soldats et finance des routes.",
            section="Monde", day="2019-03-04"),
    article("k03", "Mali : le colonel Goïta dirige la transition",
            "Le colonel Assimi Goïta dirige désormais la transition politique à Bamako.",
            section="Politique", day="2021-05-28"),
    article("k04", "Retraites : ce que pense le gouvernement",
            "En 2019, le gouvernement présente sa réforme des retraites et pense convaincre les syndicats.",
            section="France", day="2019-12-11"),
    article("k05", "La Chine et le Japon signent un accord",
            "Pékin et Tokyo renforcent leur coopération économique et commerciale.",
            section="Monde", day="2018-10-10"),
    article("k06", "Le Sahel sous tension",
            "Les armées du Sahel font face à une insécurité croissante; la sécurité des civils inquiète.",
            section="Afrique", day="2020-01-20"),
    article("k07", "Souveraineté alimentaire",
            "La souveraineté alimentaire et les souverainetés nationales: une souveraineté disputée. Souverainete.",
            section="Économie", day="2020-02-02"),
    article("k08", "Une souveraineté contestée",
            "La souveraineté du pays est contestée par ses voisins.",
            section="Monde", day="2020-03-03"),
]

QUESTIONS = [
    ("pourquoi la Chine s'intéresse-t-elle à la sécurité du Sahel ?", "k02"),
    ("Pourquoi la Chine s’intéresse-t-elle à la sécurité du Sahel?", "k02"),
    ("qui dirige la transition ?", "k03"),
    ("Qui dirige la transition\u202f?", "k03"),
    ("quand la Corée a-t-elle été divisée ?", "k01"),
    ("quand la coree a t elle ete divisee?", "k01"),
    ("que pense le gouvernement de la réforme des retraites en 2019?", "k04"),
    ("Qu'est-ce que le gouvernement pense de la réforme des retraites ?", "k04"),
    ("est-ce que la Corée est divisée depuis 1945 ?", "k01"),
]


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def search(client, query_text: str, **params) -> dict:
    response = client.get("/api/v1/search", query_string={"q": query_text, **params})
    assert response.status_code == 200, (query_text, response.get_json())
    return response.get_json()


@pytest.mark.parametrize("question, expected", QUESTIONS)
def test_a_question_as_typed_finds_the_article_that_answers_it_first(client, question, expected):
    answer = search(client, question)
    assert answer["hits"][0]["id"] == expected


@pytest.mark.parametrize("question", [q for q, _ in QUESTIONS] + [
    "?", "¿ ?", "divisée ?!", "« souveraineté »", "Montebourg : « Il n’est pas trop tard »", "souveraineté…",
    "que pense le gouvernement ?", "comment ?", "où ?", "pourquoi ? comment ?",
])
def test_no_question_is_answered_400(client, question):
    assert client.get("/api/v1/search", query_string={"q": question}).status_code == 200


def test_short_keyword_queries_still_require_every_word(client):
    answer = search(client, "Chine Sahel")
    assert [hit["id"] for hit in answer["hits"]] == ["k02"]
    assert answer["notice"] is None
    assert answer["hits"][0]["missing_words"] == []


def test_a_long_query_needs_half_of_its_words_and_ranks_articles_with_every_word_first(client):
    answer = search(client, "Chine sécurité Sahel soldats routes finance")  # 6 words: 3 required
    ids = [hit["id"] for hit in answer["hits"]]
    assert ids[0] == "k02"  # all six
    assert "k06" not in ids  # Sahel and sécurité only: 2 of 6
    assert answer["hits"][0]["missing_words"] == []
    assert answer["notice"] is None


def test_a_long_query_lists_for_each_hit_the_words_it_lacks(client):
    answer = search(client, "Chine Sahel sécurité armées civils")  # k06 lacks Chine, k02 lacks armées, civils
    lacking = {hit["id"]: hit["missing_words"] for hit in answer["hits"]}
    assert lacking["k06"] == ["Chine"]
    assert lacking["k02"] == ["armées", "civils"]
    assert answer["notice"] == "partial_match"  # no article holds all five


def test_when_no_article_holds_every_word_the_closest_come_with_a_notice(client):
    answer = search(client, "Corée Lamborghini")
    assert answer["notice"] == "partial_match"
    assert [hit["id"] for hit in answer["hits"]] == ["k01"]
    assert answer["hits"][0]["missing_words"] == ["Lamborghini"]


def test_the_partial_match_notice_and_the_missing_words_are_on_the_page(client):
    page = client.get("/search", query_string={"q": "Corée Lamborghini"}).get_data(as_text=True)
    assert "Aucun article ne contient tous les mots ; voici les plus proches." in page
    assert "Absent : <s>Lamborghini</s>" in page
    english = client.get("/search", query_string={"q": "Corée Lamborghini", "lang": "en"}).get_data(as_text=True)
    assert "No article holds all the words; here are the closest." in english
    assert "Missing: <s>Lamborghini</s>" in english


def test_a_phrase_stays_required_in_a_long_query(client):
    answer = search(client, '"sécurité des civils" Chine Sahel soldats routes')
    assert {hit["id"] for hit in answer["hits"]} == {"k06"}


def test_a_question_word_alone_is_still_searched(client):
    assert search(client, "pourquoi")["notice"] is None


def test_forms_list_each_written_form_with_the_number_of_articles_holding_it(client):
    assert search(client, "souverainete")["forms"] == []  # only when asked: it reads every form's postings
    answer = search(client, "souverainete", forms=1)
    assert answer["forms"] == [{"word": "souverainete", "forms": [
        {"form": "souveraineté", "count": 2}, {"form": "souverainete", "count": 1},
        {"form": "souverainetés", "count": 1}]}]


def test_the_forms_panel_links_each_form_to_its_exact_search(client):
    page = client.get("/search", query_string={"q": "souverainete"}).get_data(as_text=True)
    assert "Formes trouvées" in page
    assert "/search?q=exact%3Asouverainet%C3%A9s" in page
    exact = search(client, "exact:souverainetés")
    assert [hit["id"] for hit in exact["hits"]] == ["k07"]


@pytest.mark.parametrize("query_text, word, form, expected", [
    ("souverainete Mali", "souverainete", "souveraineté", "exact:souveraineté Mali"),
    ("l’ambassadeur Chine", "ambassadeur", "ambassadeurs", "exact:ambassadeurs Chine"),
    ('"la souveraineté alimentaire"', "souveraineté", "souverainetés", '"la souveraineté alimentaire" exact:souverainetés'),
])
def test_with_exact_form_replaces_the_typed_word_or_adds_the_form(query_text, word, form, expected):
    assert with_exact_form(query_text, word, form) == expected
