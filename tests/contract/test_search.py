"""Search through GET /api/v1/search on a small real index: facets, sorting, dates, French matching, suggestions."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest



def article(
    doc_id: str,
    title: str,
    body: str,
    *,
    source: str,
    author: str,
    section: str,
    tags: list[str],
    day: str | None,
    summary: str = "",
) -> dict:
    """One OrangeSum-style record; `day` is YYYY-MM-DD or None for an undated article."""
    return {
        "id": doc_id,
        "title": title,
        "summary": summary,
        "body": body,
        "url": f"https://exemple.ml/articles/{doc_id}",
        "source": source,
        "author": author,
        "date": f"{day}T10:00:00+01:00" if day else None,
        "section": section,
        "tags": tags,
    }


RECORDS = [
    article(
        "a01",
        "Coopération sécuritaire Mali–Chine : Bamako et Pékin renforcent leur partenariat",
        "À Bamako, le ministre de la Sécurité a reçu l’Ambassadeur de Chine. La souveraineté du Mali "
        "a été au cœur des échanges sur les relations sino-maliennes.",
        source="Maliweb", author="Awa Traoré", section="Afrique", tags=["Mali", "Sécurité"], day="2017-05-10",
    ),
    article(
        "a02",
        "Les partenaires régionaux se retrouvent au sommet",
        "Les coopérations régionales se multiplient à Bamako, où les délégations ont signé trois accords.",
        source="Jeune Afrique", author="Jean Dupont", section="Politique", tags=["Mali", "Diplomatie"], day="2018-01-15",
    ),
    article(
        "a03",
        "Le corridor routier entre Dakar et Bamako",
        "Une cooperation economique entre Dakar et Bamako doit desservir le port et les marchés.",
        source="RFI", author="AFP", section="Économie", tags=["Économie", "Mali"], day="2018-06-20",
    ),
    article(
        "a04",
        "Visite officielle à Dakar",
        "Reçu au palais, l'ambassadeur de France a évoqué les échanges universitaires et la pêche.",
        source="Le Monde", author="Jean Dupont", section="Politique", tags=["Diplomatie"], day="2018-12-31",
    ),
    article(
        "a05",
        "Élections municipales : Bamako vote dans le calme",
        "Les bureaux de vote de Bamako ont ouvert à l’heure, selon les observateurs.",
        source="Maliweb", author="AFP", section="Afrique", tags=["Mali", "Élections"], day="2019-01-01",
    ),
    article(
        "a06",
        "Débat public sur les frontières",
        "Les souverainetés nationales en débat à Bamako : juristes et historiens confrontent leurs lectures.",
        source="Maliweb", author="Awa Traoré", section="Politique", tags=["Mali", "Souveraineté"], day="2019-03-01",
    ),
    article(
        "a07",
        "Festival sur le Niger à Ségou",
        "Musiciens et griots se produisent sur les berges du fleuve pendant trois jours.",
        source="RFI", author="", section="Culture", tags=["Musique"], day="2019-03-31",
    ),
    article(
        "a08",
        "Le coton malien cherche des acheteurs",
        "À Bamako, les producteurs de coton espèrent une meilleure récolte et de nouveaux acheteurs.",
        source="Jeune Afrique", author="AFP", section="Économie", tags=["Économie"], day="2019-04-01",
    ),
    article(
        "a09",
        "Concert géant au stade",
        "Un concert géant a rassemblé la jeunesse de Bamako autour des grandes voix du pays.",
        source="Le Monde", author="Awa Traoré", section="Culture", tags=["Musique", "Mali"], day="2019-06-15",
    ),
    article(
        "a10",
        "Patrouilles conjointes dans le Liptako",
        "Les armées du Niger et du Mali annoncent des patrouilles conjointes le long de la frontière.",
        source="Maliweb", author="Jean Dupont", section="Afrique", tags=["Sécurité"], day="2019-07-01",
    ),
    article(
        "a11",
        "Nouvel accord de défense",
        "Signé à Bamako, l’accord de défense prévoit des formations et des échanges de renseignement.",
        source="RFI", author="AFP", section="Politique", tags=["Diplomatie", "Sécurité"], day="2020-02-29",
    ),
    article(
        "a12",
        "Le port de Dakar bat un record",
        "Le trafic de conteneurs a progressé de douze pour cent sur l'année.",
        source="Le Monde", author="", section="Économie", tags=["Transport"], day="2020-11-11",
    ),
    article(
        "a13",
        "Un souverain dans la ville",
        "Le souverain du royaume voisin a été accueilli à Bamako par une foule nombreuse.",
        source="Jeune Afrique", author="Jean Dupont", section="Afrique", tags=["Mali"], day="2021-01-05",
    ),
    article(
        "a14",
        "Cinéma : le Fespaco couronne un film malien",
        "Le jury a salué une fresque familiale tournée entre Ségou et Mopti.",
        source="Maliweb", author="Awa Traoré", section="Culture", tags=["Cinéma"], day="2021-08-08",
    ),
    article(
        "a15",
        "Tombouctou et ses manuscrits",
        "Les bibliothèques de Tombouctou conservent des manuscrits anciens.",
        source="RFI", author="AFP", section="Société", tags=["Mali", "Patrimoine"], day=None,
    ),
]
BY_ID = {r["id"]: r for r in RECORDS}
FACETS = ("source", "author", "section", "tag", "year")


# ---------------------------------------------------------------- helpers


def contains_word(record: dict, word: str) -> bool:
    text = " ".join([record["title"], record["summary"], record["body"]]).lower()
    return re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text) is not None


def day_of(record: dict) -> str:
    return record["date"][:10] if record["date"] else ""


def facet_values(record: dict, facet: str) -> list[str]:
    """What a record contributes to a facet: nothing for an unknown author or date."""
    if facet == "tag":
        return list(record["tags"])
    if facet == "year":
        return [day_of(record)[:4]] if record["date"] else []
    return [record[facet]] if record[facet] else []


def brute_force_counts(records: list[dict], facet: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for record in records:
        counts.update(facet_values(record, facet))
    return dict(counts)


def passes(record: dict, filters: dict[str, list[str]]) -> bool:
    """OR within a facet, AND across facets."""
    return all(set(facet_values(record, facet)) & set(values) for facet, values in filters.items())


def counts_in(answer: dict, facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"][facet]}


def ids(answer: dict) -> list[str]:
    return [hit["id"] for hit in answer["hits"]]


def newest_first(records: list[dict]) -> list[str]:
    return [r["id"] for r in sorted(records, key=day_of, reverse=True)]


def oldest_first(records: list[dict]) -> list[str]:
    return [r["id"] for r in sorted(records, key=day_of)]


def dated_between(low: str, high: str) -> list[dict]:
    """Records published from `low` to `high` inclusive, bounds as YYYY-MM-DD."""
    return [r for r in RECORDS if r["date"] and low <= day_of(r) <= high]


BAMAKO = [r for r in RECORDS if contains_word(r, "bamako")]


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


@pytest.fixture
def search(client):
    def run(**params) -> dict:
        params.setdefault("per_page", 100)
        params.setdefault("facet_limit", 100)
        response = client.get("/api/v1/search", query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    return run


# ---------------------------------------------------------------- facet counts


def test_the_hand_made_corpus_has_the_shape_the_tests_rely_on():
    assert len(BAMAKO) == 9
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)


@pytest.mark.parametrize("facet", FACETS)
def test_facet_counts_for_a_query_equal_a_brute_force_count_over_the_matching_articles(search, facet):
    answer = search(q="Bamako")
    assert sorted(ids(answer)) == sorted(r["id"] for r in BAMAKO)
    assert counts_in(answer, facet) == brute_force_counts(BAMAKO, facet)


@pytest.mark.parametrize("facet", FACETS)
def test_facet_counts_when_browsing_everything_equal_a_brute_force_count_over_the_corpus(search, facet):
    answer = search(q="")
    assert answer["total"] == len(RECORDS)
    assert counts_in(answer, facet) == brute_force_counts(RECORDS, facet)


@pytest.mark.parametrize("facet", FACETS)
def test_facet_counts_cover_every_matching_article_not_only_the_page(search, facet):
    answer = search(q="Bamako", per_page=2)
    assert len(answer["hits"]) == 2
    assert counts_in(answer, facet) == brute_force_counts(BAMAKO, facet)


@pytest.mark.parametrize("first", ["years", "range"])
def test_a_year_filter_and_the_same_date_range_keep_their_own_year_counts_in_either_order(search, first):
    # Both select the same articles, but a selected year still counts the other years (to add
    # one), a date range does not: one cached answer must never serve the other.
    years = {"q": "Bamako", "year": ["2019", "2020"]}
    date_range = {"q": "Bamako", "date_from": "2019", "date_to": "2020"}
    in_range = [r for r in BAMAKO if "2019" <= day_of(r)[:4] <= "2020"]
    answers = {}
    for name in ([first] + [n for n in ("years", "range") if n != first]) * 2:
        answers.setdefault(name, []).append(search(**(years if name == "years" else date_range)))
    for name, expected in (("years", brute_force_counts(BAMAKO, "year")), ("range", brute_force_counts(in_range, "year"))):
        for answer in answers[name]:
            assert sorted(ids(answer)) == sorted(r["id"] for r in in_range)
            assert counts_in(answer, "year") == expected, name
    assert brute_force_counts(BAMAKO, "year") != brute_force_counts(in_range, "year")


def test_an_article_with_several_tags_counts_once_under_each_tag(search):
    answer = search(q="souveraineté")  # a01 (Mali, Sécurité) and a06 (Mali, Souveraineté)
    assert sorted(ids(answer)) == ["a01", "a06"]
    assert counts_in(answer, "tag") == {"Mali": 2, "Sécurité": 1, "Souveraineté": 1}


# ---------------------------------------------------------------- combining facets


def test_two_values_of_one_facet_combine_with_or(search):
    answer = search(q="Bamako", section=["Afrique", "Culture"])
    expected = [r["id"] for r in BAMAKO if passes(r, {"section": ["Afrique", "Culture"]})]
    assert sorted(ids(answer)) == sorted(expected) == ["a01", "a05", "a09", "a13"]
    assert answer["total"] == 4


def test_different_facets_combine_with_and(search):
    answer = search(q="", section="Politique", year="2019")
    expected = [r["id"] for r in RECORDS if passes(r, {"section": ["Politique"], "year": ["2019"]})]
    assert ids(answer) == expected == ["a06"]


def test_two_sections_and_a_year_give_the_articles_in_either_section_that_year(search):
    filters = {"section": ["Politique", "Économie"], "year": ["2019", "2020"]}
    answer = search(q="", **filters)
    expected = newest_first([r for r in RECORDS if passes(r, filters)])
    assert ids(answer) == expected == ["a12", "a11", "a08", "a06"]


def test_a_selected_facet_still_lists_its_other_values_with_the_counts_they_would_add(search):
    answer = search(q="Bamako", section="Afrique")
    # The section facet ignores its own filter: every section of the matching articles.
    assert counts_in(answer, "section") == brute_force_counts(BAMAKO, "section")
    # The other facets count the articles inside the selected section.
    in_afrique = [r for r in BAMAKO if r["section"] == "Afrique"]
    for facet in ("source", "author", "tag", "year"):
        assert counts_in(answer, facet) == brute_force_counts(in_afrique, facet), facet


def test_each_selected_facet_counts_its_values_under_the_other_facets_filters(search):
    filters = {"section": ["Afrique"], "year": ["2019"]}
    answer = search(q="Bamako", **filters)
    assert sorted(ids(answer)) == ["a05"]
    section_others = [r for r in BAMAKO if passes(r, {"year": ["2019"]})]
    year_others = [r for r in BAMAKO if passes(r, {"section": ["Afrique"]})]
    assert counts_in(answer, "section") == brute_force_counts(section_others, "section")
    assert counts_in(answer, "year") == brute_force_counts(year_others, "year")
    both = [r for r in BAMAKO if passes(r, filters)]
    assert counts_in(answer, "source") == brute_force_counts(both, "source")


def test_selected_facet_values_are_marked_selected_and_the_others_are_not(search):
    answer = search(q="Bamako", section=["Afrique", "Culture"], year="2019")
    selected = {
        facet: sorted(v["value"] for v in answer["facets"][facet] if v["selected"]) for facet in FACETS
    }
    assert selected == {"source": [], "author": [], "section": ["Afrique", "Culture"], "tag": [], "year": ["2019"]}


def test_facet_values_are_sorted_by_count_then_by_value(search):
    answer = search(q="")
    for facet in FACETS:
        listed = [(v["value"], v["count"]) for v in answer["facets"][facet]]
        assert listed == sorted(listed, key=lambda vc: (-vc[1], vc[0])), facet
    assert [v["value"] for v in answer["facets"]["source"]] == ["Maliweb", "RFI", "Jeune Afrique", "Le Monde"]


def test_facet_limit_caps_each_list_and_says_there_are_more(search):
    answer = search(q="", facet_limit=2)
    assert [(v["value"], v["count"]) for v in answer["facets"]["source"]] == [("Maliweb", 5), ("RFI", 4)]
    assert answer["facets_more"]["source"] is True
    assert len(answer["facets"]["tag"]) == 2
    assert answer["facets_more"]["tag"] is True
    everything = search(q="", facet_limit=100)
    assert not any(everything["facets_more"].values())


def test_a_selected_value_beyond_the_facet_limit_is_still_listed(search):
    answer = search(q="", facet_limit=1, source="Le Monde")
    listed = {v["value"]: (v["count"], v["selected"]) for v in answer["facets"]["source"]}
    assert listed == {"Maliweb": (5, False), "Le Monde": (3, True)}


def test_the_default_facet_limit_is_ten_values(search):
    records_tags = brute_force_counts(RECORDS, "tag")
    assert len(records_tags) == 10
    answer = search(q="", facet_limit="")
    assert len(answer["facets"]["tag"]) == 10
    assert answer["facets_more"]["tag"] is False


# ---------------------------------------------------------------- sorting


def test_relevance_ranks_a_word_in_the_title_above_the_same_word_in_the_body(search):
    answer = search(q="Niger", sort="relevance")
    assert ids(answer) == ["a07", "a10"]
    scores = [hit["score"] for hit in answer["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[1]


def test_a_query_without_sort_is_ranked_by_relevance(search):
    answer = search(q="Niger")
    assert answer["sort"] == "relevance"
    assert ids(answer) == ["a07", "a10"]


def test_sort_by_date_lists_the_oldest_article_first(search):
    answer = search(q="Bamako", sort="date")
    assert ids(answer) == oldest_first(BAMAKO)
    assert ids(answer)[0] == "a01"


def test_sort_by_minus_date_lists_the_newest_article_first(search):
    answer = search(q="Bamako", sort="-date")
    assert ids(answer) == newest_first(BAMAKO)
    assert ids(answer)[0] == "a13"


def test_date_sorted_hits_carry_their_publication_date(search):
    answer = search(q="Bamako", sort="-date")
    assert [hit["published"] for hit in answer["hits"]] == sorted((day_of(r) for r in BAMAKO), reverse=True)


def test_an_empty_query_with_a_filter_browses_newest_first(search):
    answer = search(q="", section="Afrique")
    expected = newest_first([r for r in RECORDS if r["section"] == "Afrique"])
    assert ids(answer) == expected == ["a13", "a10", "a05", "a01"]
    assert answer["sort"] == "-date"


def test_an_empty_query_with_a_tag_filter_browses_newest_first(search):
    answer = search(q="", tag="Musique")
    assert ids(answer) == ["a09", "a07"]


# ---------------------------------------------------------------- date range parameters


@pytest.mark.parametrize(
    ("date_from", "date_to", "low", "high"),
    [
        ("2019", "2019", "2019-01-01", "2019-12-31"),
        ("2019-03", "2019-03", "2019-03-01", "2019-03-31"),
        ("2018-12-31", "2019-01-01", "2018-12-31", "2019-01-01"),
        ("2019-03-31", "2019-04-01", "2019-03-31", "2019-04-01"),
        ("2018-06", "2019-03", "2018-06-01", "2019-03-31"),
        ("2020-02-29", "2020-02-29", "2020-02-29", "2020-02-29"),
    ],
)
def test_date_from_and_date_to_are_inclusive_bounds(search, date_from, date_to, low, high):
    answer = search(q="", date_from=date_from, date_to=date_to, sort="date")
    assert ids(answer) == oldest_first(dated_between(low, high))
    assert answer["total"] == len(dated_between(low, high))


def test_date_from_alone_keeps_articles_from_that_period_on(search):
    answer = search(q="", date_from="2021", sort="date")
    assert ids(answer) == ["a13", "a14"]


def test_date_to_alone_keeps_articles_up_to_the_end_of_that_period(search):
    answer = search(q="", date_to="2017", sort="date")
    assert ids(answer) == ["a01"]


def test_a_date_range_leaves_out_undated_articles(search):
    answer = search(q="", date_to="2018-06", sort="date")
    assert ids(answer) == ["a01", "a02", "a03"]
    assert "a15" not in ids(answer)


def test_a_date_range_combines_with_a_query_and_facets(search):
    answer = search(q="Bamako", date_from="2019", date_to="2020", source="Maliweb")
    assert sorted(ids(answer)) == ["a05", "a06"]


def test_a_date_range_narrows_the_facet_counts_too(search):
    answer = search(q="", date_from="2019", date_to="2019")
    in_2019 = dated_between("2019-01-01", "2019-12-31")
    for facet in FACETS:
        assert counts_in(answer, facet) == brute_force_counts(in_2019, facet), facet


# ---------------------------------------------------------------- date: in the query


def test_date_year_in_the_query_keeps_that_year(search):
    answer = search(q="Bamako date:2019", sort="date")
    assert ids(answer) == oldest_first([r for r in BAMAKO if day_of(r).startswith("2019")])


def test_date_month_in_the_query_keeps_that_month(search):
    answer = search(q="date:2019-03", sort="date")
    assert ids(answer) == ["a06", "a07"]


def test_date_day_in_the_query_keeps_that_day(search):
    answer = search(q="date:2020-02-29")
    assert ids(answer) == ["a11"]


def test_a_date_range_in_the_query_includes_both_end_months(search):
    answer = search(q="date:[2018-01 TO 2019-06]", sort="date")
    assert ids(answer) == oldest_first(dated_between("2018-01-01", "2019-06-30"))
    assert ids(answer)[0] == "a02" and ids(answer)[-1] == "a09"


def test_a_date_range_in_the_query_combines_with_words(search):
    answer = search(q="Bamako date:[2018-01 TO 2019-06]", sort="date")
    expected = [r for r in BAMAKO if "2018-01-01" <= day_of(r) <= "2019-06-30"]
    assert ids(answer) == oldest_first(expected)


# ---------------------------------------------------------------- French matching


@pytest.mark.parametrize("query_text", ["souveraineté", "souverainete", "Souverainetés", "souverain", "SOUVERAINETÉ"])
def test_every_spelling_of_souverainete_finds_the_article_containing_souverainete(search, query_text):
    assert "a01" in ids(search(q=query_text))


@pytest.mark.parametrize("query_text", ["l’Ambassadeur", "l'ambassadeur", "ambassadeur", "Ambassadeurs", "L’AMBASSADEUR"])
def test_elided_ambassadeur_with_either_apostrophe_matches_ambassadeur(search, query_text):
    assert sorted(ids(search(q=query_text))) == ["a01", "a04"]


@pytest.mark.parametrize("query_text", ["coopération", "cooperation", "coopérations", "Coopération"])
def test_cooperation_matches_its_plural_and_its_unaccented_form(search, query_text):
    assert sorted(ids(search(q=query_text))) == ["a01", "a02", "a03"]


def test_a_query_made_only_of_stop_words_returns_an_empty_result_with_a_notice(search):
    answer = search(q="le la les")
    assert answer["total"] == 0
    assert answer["hits"] == []
    assert answer["notice"] == "only_stop_words"


def test_a_normal_query_carries_no_notice(search):
    assert search(q="Bamako")["notice"] is None


def test_stop_words_around_a_real_word_are_ignored(search):
    assert sorted(ids(search(q="le coton de la récolte"))) == ["a08"]


# ---------------------------------------------------------------- suggestion


def test_a_misspelt_word_gets_a_suggestion_from_the_indexed_words(search):
    answer = search(q="souverainté")
    assert answer["suggestion"]["text"] == "souveraineté"
    assert "q=souverainet%C3%A9" in answer["suggestion"]["url"]


def test_the_suggestion_url_leads_to_a_search_for_the_corrected_word(client, search):
    url = search(q="souverainté")["suggestion"]["url"]
    assert parse_qs(urlsplit(url).query)["q"] == ["souveraineté"]
    assert client.get(url).status_code == 200


def test_the_suggestion_url_keeps_the_active_filters(search):
    url = search(q="souverainté", section="Afrique")["suggestion"]["url"]
    assert parse_qs(urlsplit(url).query)["section"] == ["Afrique"]


@pytest.mark.parametrize("query_text", ["souverainete", "souveraineté", "Souverainetés", "Bamako"])
def test_a_word_that_matches_something_gets_no_suggestion(search, query_text):
    assert search(q=query_text)["suggestion"] is None


def test_browsing_gets_no_suggestion(search):
    assert search(q="")["suggestion"] is None


# ---------------------------------------------------------------- edges a user meets


def test_a_query_of_blanks_browses_everything_newest_first(search):
    answer = search(q="   ")
    assert answer["total"] == len(RECORDS)
    assert [i for i in ids(answer) if i != "a15"] == newest_first([r for r in RECORDS if r["date"]])


def test_undated_articles_come_after_dated_ones_in_both_date_orders(search):
    # As in Solr and Elasticsearch: a missing date sorts last whichever the direction,
    # so "oldest first" does not open on an article of unknown date.
    assert ids(search(q="", sort="-date"))[-1] == "a15"
    assert ids(search(q="", sort="date"))[-1] == "a15"


def test_date_sorted_pages_continue_where_the_previous_page_ended(search):
    pages = [ids(search(q="Bamako", sort="date", per_page=4, page=page)) for page in (1, 2, 3)]
    assert pages == [oldest_first(BAMAKO)[0:4], oldest_first(BAMAKO)[4:8], oldest_first(BAMAKO)[8:9]]


def test_a_selected_value_without_matches_is_still_listed_selected_with_count_zero(search):
    answer = search(q="", year="1999")
    assert answer["total"] == 0
    assert {"value": "1999", "count": 0, "selected": True} in answer["facets"]["year"]


def test_a_query_that_matches_nothing_has_no_hits_and_empty_facets(search):
    answer = search(q="xylophone")
    assert answer["total"] == 0 and answer["hits"] == []
    assert all(values == [] for values in answer["facets"].values())


def test_the_timeline_counts_add_up_to_the_total(search):
    answer = search(q="Bamako", timeline="1")
    assert sum(period["count"] for period in answer["timeline"]) == answer["total"] == len(BAMAKO)
    assert dict((p["period"], p["count"]) for p in answer["timeline"]) == brute_force_counts(BAMAKO, "year")


ODD_TAGS = ["Côte d’Ivoire", "Relations internationales", "bateau, yacht et hors-bord"]  # the last is a real OrangeSum tag


@pytest.fixture
def odd_tags_client(make_client):
    record = article(
        "t01", "Salon nautique d'Abidjan", "Les chantiers exposent leurs bateaux sur la lagune d'Abidjan.",
        source="RFI", author="", section="Afrique", tags=ODD_TAGS, day="2019-02-02",
    )
    other = article(
        "t02", "Sans étiquette", "Un autre article sur Abidjan.",
        source="RFI", author="", section="Afrique", tags=["Abidjan"], day="2019-02-03",
    )
    return make_client([record, other])


def test_tags_with_spaces_accents_or_a_comma_are_facet_values_spelled_as_on_the_article(odd_tags_client):
    answer = odd_tags_client.get("/api/v1/search", query_string={"q": "Abidjan"}).get_json()
    hit = next(h for h in answer["hits"] if h["id"] == "t01")
    assert hit["tags"] == ODD_TAGS
    assert {v["value"]: v["count"] for v in answer["facets"]["tag"]} == {**{t: 1 for t in ODD_TAGS}, "Abidjan": 1}


@pytest.mark.parametrize("tag", ODD_TAGS)
def test_filtering_on_a_tag_shown_on_the_article_narrows_to_that_article(odd_tags_client, tag):
    narrowed = odd_tags_client.get("/api/v1/search", query_string={"q": "Abidjan", "tag": tag}).get_json()
    assert [h["id"] for h in narrowed["hits"]] == ["t01"]
