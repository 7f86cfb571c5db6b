"""Query syntax as a researcher writes it in the search box, checked through GET /api/v1/search."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from engines.whoosh.schema import build_schema
from engines.query import QuerySyntaxError
from engines.whoosh.compile import compile_plan
from search.matching import plan
from search.query_parser import parse
from search.request import SearchRequest
from search.service import prepare


def parse_query(query_text: str, schema):
    """The Whoosh query a text compiles to, through the parser and the planner."""
    return compile_plan(plan(parse(query_text).tree), schema)


def article(doc_id: str, title: str, body: str, *, source="Maliweb", author="", section="Afrique", tags=(), day="2019-03-04"):
    return {
        "id": doc_id,
        "title": title,
        "summary": "",
        "body": body,
        "url": f"https://exemple.ml/{doc_id}",
        "source": source,
        "author": author,
        "date": f"{day}T10:00:00+01:00",
        "section": section,
        "tags": list(tags),
    }


RECORDS = [
    article("q01", "Coopération sécuritaire Mali–Chine",
            "Bamako et Pékin saluent la souveraineté du Mali et les relations sino-maliennes.",
            author="Awa Traoré", section="Politique", tags=["Sécurité", "Chine"], day="2019-03-04"),
    article("q02", "Le Mali et le Niger signent un accord",
            "Les deux voisins renforcent leur coopération militaire le long de la frontière.",
            source="RFI", author="AFP", section="Afrique", tags=["Sécurité"], day="2019-05-12"),
    article("q03", "Dakar accueille un forum",
            "Le Sénégal et le Mali discutent de transition politique et de souverainetés économiques.",
            source="Jeune Afrique", author="Jean Dupont", section="Économie", tags=["Économie"], day="2020-01-20"),
    article("q04", "Un festival de musique au Niger",
            "Niamey vibre au rythme des guitares touarègues pendant une semaine.",
            source="RFI", author="Awa Traoré", section="Culture", tags=["Musique"], day="2020-06-01"),
    article("q05", "La politique de transition en débat",
            "Au Mali, les partis discutent de la politique de la transition et du calendrier électoral.",
            source="Maliweb", author="Jean Dupont", section="Politique", tags=["Élections"], day="2021-02-02"),
    article("q06", "Les souverainistes en campagne",
            "Un discours souverainiste séduit une partie de l'électorat malien.",
            source="Le Monde", author="AFP", section="Politique", tags=["Élections"], day="2021-04-04"),
    article("q07", "Le souverain reçu à Bamako",
            "Le souverain a été accueilli par une foule nombreuse sur la place de l'Indépendance.",
            source="Maliweb", author="", section="Culture", tags=["Patrimoine"], day="2018-09-09"),
    article("q08", "Coopération sino-africaine",
            "Les investissements sino-africains progressent à Dakar, loin des partenaires malien.",
            source="Jeune Afrique", author="AFP", section="Économie", tags=["Chine"], day="2018-10-10"),
    article("q09", "Frontière Mali-Chine ? Une rumeur démentie",
            "Aucune frontière entre le Mali-Chine n'existe, rappellent les géographes, amusés par la rumeur.",
            source="Le Monde", author="Jean Dupont", section="Culture", tags=["Insolite"], day="2017-01-01"),
    article("q10", "Sans accents",
            "La souverainete alimentaire reste un objectif pour les paysans du Sénégal.",
            source="Maliweb", author="Awa Traoré", section="Économie", tags=["Agriculture"], day="2022-07-07"),
]


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


@pytest.fixture
def found(client):
    """The sorted ids that a query finds."""

    def run(query_text: str) -> list[str]:
        response = client.get("/api/v1/search", query_string={"q": query_text, "per_page": 100})
        assert response.status_code == 200, (query_text, response.get_json())
        return sorted(hit["id"] for hit in response.get_json()["hits"])

    return run


@pytest.fixture
def rejected(client):
    """The error of a query the API refuses with HTTP 400."""

    def run(query_text: str) -> dict:
        response = client.get("/api/v1/search", query_string={"q": query_text})
        assert response.status_code == 400, (query_text, response.status_code, response.get_data(as_text=True))
        assert response.is_json
        error = response.get_json()["error"]
        assert set(error) == {"code", "message"}
        assert error["message"].strip()
        return error

    return run


# ---------------------------------------------------------------- words and operators


def test_all_words_of_a_query_are_required(found):
    assert found("Mali Niger") == ["q02"]
    assert found("Mali") == ["q01", "q02", "q03", "q05", "q09"]


def test_or_finds_articles_with_either_word(found):
    assert found("Niger OR Sénégal") == ["q02", "q03", "q04", "q10"]


def test_ou_is_the_french_spelling_of_or(found):
    assert found("Niger OU Sénégal") == found("Niger OR Sénégal")


def test_lowercase_or_is_a_word_not_an_operator(client):
    # "ou" is a stop word, so this is Niger AND Sénégal: no article has both, and the
    # answer says so, listing the articles with one of them and the word each lacks.
    answer = client.get("/api/v1/search", query_string={"q": "Niger ou Sénégal"}).get_json()
    assert answer["notice"] == "partial_match"
    lacking = {hit["id"]: hit["missing_words"] for hit in answer["hits"]}
    assert lacking == {"q02": ["Sénégal"], "q04": ["Sénégal"], "q03": ["Niger"], "q10": ["Niger"]}


@pytest.mark.parametrize("query_text", ["Mali NOT Niger", "Mali SAUF Niger", "Mali -Niger"])
def test_not_sauf_and_minus_exclude_a_word(found, query_text):
    assert found(query_text) == ["q01", "q03", "q05", "q09"]


def test_a_query_can_start_with_an_excluded_word(found):
    assert found("-Niger Mali") == ["q01", "q03", "q05", "q09"]


def test_parentheses_group_alternatives(found):
    assert found("(Niger OR Sénégal) Mali") == ["q02", "q03"]


def test_a_phrase_matches_the_words_in_that_order_only(found):
    # q03 says "transition politique"; q05 says "politique de transition".
    assert found('"transition politique"') == ["q03"]
    assert found('"politique de transition"') == ["q05"]
    assert found("transition politique") == ["q03", "q05"]


def test_a_phrase_matches_across_stop_words_and_accents(found):
    assert found('"cooperation securitaire"') == ["q01"]


# ---------------------------------------------------------------- fields


@pytest.mark.parametrize("query_text", ["titre:festival", "title:festival", "titre:Festival"])
def test_titre_and_title_search_only_the_title(found, query_text):
    assert found(query_text) == ["q04"]


def test_a_word_in_the_body_is_not_found_by_title(found):
    assert found("Niamey") == ["q04"]
    assert found("titre:Niamey") == []


@pytest.mark.parametrize("query_text", ["auteur:Traoré", "author:traore", "auteur:TRAORÉ"])
def test_auteur_and_author_search_the_author_accents_and_case_ignored(found, query_text):
    assert found(query_text) == ["q01", "q04", "q10"]


def test_source_searches_the_publication(found):
    assert found("source:RFI") == ["q02", "q04"]
    assert found("source:rfi Mali") == ["q02"]


@pytest.mark.parametrize("query_text", ["rubrique:Culture", "section:culture"])
def test_rubrique_and_section_search_the_section(found, query_text):
    assert found(query_text) == ["q04", "q07", "q09"]


def test_tag_searches_the_tags(found):
    assert found("tag:Chine") == ["q01", "q08"]
    assert found("tag:securite") == ["q01", "q02"]


def test_a_phrase_after_a_field_searches_that_field(found):
    assert found('source:"Jeune Afrique"') == ["q03", "q08"]


def test_a_field_combines_with_plain_words_and_not(found):
    assert found("Mali -auteur:AFP") == ["q01", "q03", "q05", "q09"]


# ---------------------------------------------------------------- exact forms and prefixes


def test_exact_matches_only_the_accented_singular_form(found):
    assert found("souveraineté") == ["q01", "q03", "q10"]
    assert found("exact:souveraineté") == ["q01"]


def test_exact_keeps_the_plural(found):
    assert found("exact:souverainetés") == ["q03"]


def test_exact_without_accents_finds_only_the_unaccented_spelling(found):
    assert found("exact:souverainete") == ["q10"]


def test_exact_ignores_case_only(found):
    assert found("exact:Souveraineté") == ["q01"]


def test_a_prefix_finds_every_word_that_starts_with_it(found):
    assert found("souverain*") == ["q01", "q03", "q06", "q07", "q10"]


def test_a_prefix_is_accent_and_case_insensitive(found):
    assert found("Coopér*") == found("cooper*") == ["q01", "q02", "q08"]


# ---------------------------------------------------------------- hyphens and dashes


def test_a_hyphenated_word_finds_the_article_that_contains_it(found):
    assert found("sino-maliennes") == ["q01"]


def test_a_hyphenated_word_is_not_read_as_an_exclusion(found):
    # Read as `sino NOT maliennes` it would find the sino-africaine article q08.
    assert "q08" not in found("sino-maliennes")
    parsed = parse_query("sino-maliennes", build_schema())
    assert not _has_negation(parsed.whoosh_query)


def test_a_hyphenated_word_matches_its_plural_form(found):
    assert found("sino-africaine") == ["q08"]


@pytest.mark.parametrize("query_text", ["Mali–Chine", "Mali-Chine", "mali–chine"])
def test_en_dash_and_hyphen_between_words_find_both_spellings(found, query_text):
    assert found(query_text) == ["q01", "q09"]


def _has_negation(node: wq.Query) -> bool:
    if isinstance(node, (wq.Not, wq.AndNot)):
        return True
    return not node.is_leaf() and any(_has_negation(child) for child in node.children())


# ---------------------------------------------------------------- malformed queries


def test_an_unclosed_quote_is_rejected_with_a_message_about_the_quote(rejected):
    error = rejected('"coopération sécuritaire')
    assert error["code"] == "query_syntax"
    assert '"' in error["message"]


@pytest.mark.parametrize("query_text", ["(Mali OR Niger", "Mali OR Niger)", "((Mali)"])
def test_unbalanced_parentheses_are_rejected_with_a_message_about_them(rejected, query_text):
    error = rejected(query_text)
    assert error["code"] == "query_syntax"
    assert "parenthes" in error["message"].lower()


def test_an_unknown_field_is_named_in_the_message_with_the_known_ones(rejected):
    error = rejected("autor:AFP")
    assert error["code"] == "query_syntax"
    assert "autor" in error["message"]
    assert "auteur" in error["message"] and "author" in error["message"]


def test_a_star_alone_is_rejected_with_advice_to_browse(rejected):
    error = rejected("*")
    assert error["code"] == "query_syntax"
    assert "*" in error["message"]


def test_a_one_letter_prefix_is_rejected_as_too_short(rejected):
    error = rejected("a*")
    assert error["code"] == "query_syntax"
    assert "a*" in error["message"]
    assert "2" in error["message"]


def test_a_query_longer_than_1000_characters_is_rejected_naming_the_limit(rejected, found):
    assert found("Mali " * 199 + "Mali") == ["q01", "q02", "q03", "q05", "q09"]  # 999 characters
    error = rejected("m" * 1001)
    assert "1000" in error["message"]
    assert "1001" in error["message"]


@pytest.mark.parametrize("query_text", ["date:19", "date:2019-13", "date:2019-02-30x", "date:[2019 TO 20]"])
def test_a_malformed_date_is_rejected_with_the_accepted_formats(rejected, query_text):
    error = rejected(query_text)
    assert error["code"] == "query_syntax"
    assert "YYYY" in error["message"]


def test_a_date_prefix_is_rejected_with_the_accepted_formats(rejected):
    error = rejected("date:201*")
    assert "YYYY" in error["message"]


def test_a_field_inside_a_phrase_is_just_text(found):
    assert found('"autor:AFP"') == []


def test_a_url_in_a_query_is_not_taken_for_an_unknown_field(client):
    response = client.get("/api/v1/search", query_string={"q": "https://exemple.ml/q01"})
    assert response.status_code == 200


# ---------------------------------------------------------------- parse_query directly


def test_parse_query_raises_query_syntax_error_for_an_unknown_field():
    with pytest.raises(QuerySyntaxError, match="autor"):
        parse_query("autor:AFP", build_schema())


def test_parse_query_marks_a_stop_words_only_query():
    assert prepare(SearchRequest(query_text="le la les")).only_stop_words is True
    assert prepare(SearchRequest(query_text="le Mali")).only_stop_words is False
