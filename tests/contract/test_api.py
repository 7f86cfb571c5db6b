"""The JSON API contract of /api/v1 and /healthz through the Flask test client on real indexes."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest

from webui.app import create_app

SEED_TITLE = "Coopération sécuritaire Mali–Chine : Bamako et Pékin veulent renforcer leur partenariat stratégique"
HIT_KEYS = {"id", "title", "url", "source", "author", "published", "section", "tags", "score", "snippet_html",
            "missing_words", "language", "story", "copies", "copy_list", "copies_url"}
FACETS = ("source", "author", "section", "tag", "year", "person", "place", "org")

TOPICS = [
    ("Les maraîchers de Bamako", "Les maraîchers de Bamako vendent salades et oignons au marché de Médine."),
    ("Un pont de plus à Bamako", "Le troisième pont de Bamako désengorge la circulation aux heures de pointe."),
    ("La saison des pluies", "À Bamako, la saison des pluies inonde plusieurs quartiers riverains du fleuve."),
    ("Rentrée universitaire", "L'université de Bamako accueille des étudiants venus de tout le pays."),
    ("Le marché rose", "Le grand marché de Bamako, dit marché rose, rouvre après des travaux."),
]


def article(number: int, day: date) -> dict:
    title, body = TOPICS[number % len(TOPICS)]
    return {
        "id": f"p{number:02d}",
        "title": f"{title} ({number})",
        "summary": f"Résumé numéro {number} : l’été à Bamako.",
        "body": body,
        "url": f"https://exemple.ml/p{number:02d}",
        "source": ["Maliweb", "RFI", "Jeune Afrique"][number % 3],
        "author": ["Awa Traoré", "Jean Dupont"][number % 2],
        "date": f"{day.isoformat()}T10:00:00+01:00",
        "section": ["Société", "Économie"][number % 2],
        "tags": ["Bamako", "Ville"] if number % 4 == 0 else ["Bamako"],
    }


PAGED = [article(n, date(2018, 1, 1) + timedelta(days=17 * n)) for n in range(25)]
COTTON = [
    {
        "id": "c01",
        "title": "La filière coton malien attend la récolte",
        "summary": "",
        "body": "Égrenage, fibre et graines : la filière coton de Sikasso attend une récolte record. "
        "Les égreneuses de Koutiala tournent déjà et la fibre part vers les filatures.",
        "url": "https://exemple.ml/c01",
        "source": "Maliweb",
        "author": "Awa Traoré",
        "date": "2016-10-01T10:00:00+02:00",
        "section": "Économie",
        "tags": ["Coton"],
    },
    {
        "id": "c02",
        "title": "Sikasso : les égreneuses tournent à plein",
        "summary": "",
        "body": "À Sikasso et Koutiala, les égreneuses de coton traitent la fibre de la récolte, "
        "et la filière espère un record de graines et de fibre.",
        "url": "https://exemple.ml/c02",
        "source": "RFI",
        "author": "Jean Dupont",
        "date": "2016-11-01T10:00:00+01:00",
        "section": "Économie",
        "tags": ["Coton"],
    },
]
RECORDS = PAGED + COTTON
NEWEST_FIRST = [r["id"] for r in sorted(RECORDS, key=lambda r: r["date"][:10], reverse=True)]

NASTY_STRINGS = [
    "\x00",
    "Mali\x00Niger",
    "\u202eevil\u202c",
    "\u200f\u200e\u2066Mali\u2069",
    '"',
    "'",
    "’",
    '""',
    "(((((",
    ")))))",
    "()",
    "OR OR",
    "AND",
    "NOT",
    "SAUF",
    "NOT NOT NOT",
    "-",
    "--",
    "+",
    ":",
    "::",
    "titre:",
    "titre:\"\"",
    "date:",
    "date:[ TO ]",
    "date:[2019 TO]",
    "date:[TO 2019]",
    "date:{2018 TO 2019}",
    "date:9999-12-31",
    "*",
    "**",
    "?",
    "so?",
    "Mali*Niger",
    "souverain~",
    "souverain~2",
    "souverain^3",
    "[",
    "]",
    "{",
    "}",
    "\\",
    "/",
    "%",
    "%00",
    "&",
    "<script>alert(1)</script>",
    "🇲🇱 😀",
    "𝔐𝔞𝔩𝔦",
    "ﬁn",
    "ᵉ",
    " ",
    "\t\n\r",
    "a" * 10_000,
    "Mali " * 2_000,
    "é" * 1_000,
    "x:" * 400,
    "(" * 500 + ")" * 500,
    "NaN",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "exact:",
    "exact:*",
    "tag:*",
    "source:\x00",
    "http://exemple.ml/a?b=c",
]


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def get_json(client, path: str, **params) -> dict:
    response = client.get(path, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(answer: dict) -> list[str]:
    return [hit["id"] for hit in answer["hits"]]


# ---------------------------------------------------------------- the answer's shape


def test_a_search_answer_has_the_documented_fields(client):
    answer = get_json(client, "/api/v1/search", q="Bamako")
    assert {"query", "total", "page", "per_page", "took_ms", "hits", "facets", "suggestion"} <= set(answer)
    assert answer["query"] == "Bamako"
    assert answer["total"] == 25 and answer["page"] == 1 and answer["per_page"] == 10
    assert isinstance(answer["took_ms"], (int, float)) and answer["took_ms"] >= 0
    assert set(answer["facets"]) == set(FACETS)
    for hit in answer["hits"]:
        assert set(hit) == HIT_KEYS
        assert isinstance(hit["tags"], list)
        assert isinstance(hit["score"], float)


def test_a_hit_carries_the_article_metadata_as_indexed(client):
    answer = get_json(client, "/api/v1/search", q="égreneuses Sikasso", sort="date")
    first = answer["hits"][0]
    assert first["id"] == "c01"
    assert first["title"] == "La filière coton malien attend la récolte"
    assert first["url"] == "https://exemple.ml/c01"
    assert (first["source"], first["author"], first["section"]) == ("Maliweb", "Awa Traoré", "Économie")
    assert first["published"] == "2016-10-01"
    assert first["tags"] == ["Coton"]


def test_json_is_utf8_without_ascii_escapes(client):
    response = client.get("/api/v1/search", query_string={"q": "été"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    raw = response.get_data()
    assert "é".encode("utf-8") in raw
    assert b"\\u00e9" not in raw and b"\\u00c9" not in raw
    assert json.loads(raw.decode("utf-8"))["query"] == "été"


def test_the_document_json_is_utf8_without_ascii_escapes(client):
    raw = client.get("/api/v1/documents/c01").get_data()
    assert "Économie".encode("utf-8") in raw
    assert b"\\u" not in raw


# ---------------------------------------------------------------- pagination


def test_pages_one_two_and_the_last_split_the_results_newest_first(client):
    pages = [get_json(client, "/api/v1/search", q="", page=page) for page in (1, 2, 3)]
    assert [ids(p) for p in pages] == [NEWEST_FIRST[0:10], NEWEST_FIRST[10:20], NEWEST_FIRST[20:27]]
    assert all(p["total"] == 27 for p in pages)
    assert [p["page"] for p in pages] == [1, 2, 3]


def test_pages_of_a_relevance_query_neither_overlap_nor_miss_a_hit(client):
    seen = []
    for page in (1, 2, 3):
        seen += ids(get_json(client, "/api/v1/search", q="Bamako", page=page, per_page=10))
    assert len(seen) == len(set(seen)) == 25
    assert seen == ids(get_json(client, "/api/v1/search", q="Bamako", per_page=100))


def test_per_page_one_gives_one_hit_per_page_up_to_the_last(client):
    first = get_json(client, "/api/v1/search", q="", per_page=1)
    last = get_json(client, "/api/v1/search", q="", per_page=1, page=27)
    assert ids(first) == NEWEST_FIRST[:1]
    assert ids(last) == NEWEST_FIRST[-1:]
    assert first["total"] == last["total"] == 27


def test_per_page_one_hundred_returns_every_hit_on_one_page(client):
    answer = get_json(client, "/api/v1/search", q="", per_page=100)
    assert ids(answer) == NEWEST_FIRST
    assert answer["per_page"] == 100


@pytest.mark.parametrize(("page", "per_page"), [(4, 10), (28, 1), (2, 100), (100_000, 10)])
def test_a_page_past_the_end_is_an_empty_list_with_the_right_total(client, page, per_page):
    answer = get_json(client, "/api/v1/search", q="", page=page, per_page=per_page)
    assert answer["hits"] == []
    assert answer["total"] == 27
    assert answer["page"] == page


def test_a_page_past_the_end_still_lists_the_facets(client):
    answer = get_json(client, "/api/v1/search", q="Bamako", page=9)
    assert sum(v["count"] for v in answer["facets"]["source"]) == 25


# ---------------------------------------------------------------- bad parameters


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"per_page": "ten"}, "per_page"),
        ({"per_page": "1.5"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"sort": "bogus"}, "sort"),
        ({"sort": "DATE"}, "sort"),
        ({"date_from": "2019-13"}, "date_from"),
        ({"date_from": "19"}, "date_from"),
        ({"date_to": "2019-1-1"}, "date_to"),
        ({"date_to": "hier"}, "date_to"),
        ({"year": "19"}, "year"),
        ({"year": "deux mille"}, "year"),
        ({"facet_limit": "0"}, "facet_limit"),
    ],
)
def test_a_bad_parameter_is_a_400_whose_message_names_the_parameter(client, params, named):
    response = client.get("/api/v1/search", query_string={"q": "Bamako", **params})
    assert response.status_code == 400
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"}
    assert named in error["message"]


@pytest.mark.parametrize(
    "params",
    [{"per_page": "101"}, {"page": "abc"}, {"sort": "bogus"}, {"year": "19"}, {"date_from": "2019-13"}, {"date_to": "19"}],
)
def test_every_bad_parameter_has_the_bad_parameter_code(client, params):
    # A client tells "fix the query box" from "fix the URL" by this code.
    response = client.get("/api/v1/search", query_string={"q": "Bamako", **params})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_parameter"


def test_the_per_page_message_gives_the_allowed_range(client):
    message = client.get("/api/v1/search?per_page=101").get_json()["error"]["message"]
    assert "100" in message and "101" in message


def test_the_sort_message_lists_the_allowed_sorts(client):
    message = client.get("/api/v1/search?sort=bogus").get_json()["error"]["message"]
    assert all(sort in message for sort in ("relevance", "date", "-date"))


def test_the_date_message_gives_the_accepted_formats(client):
    message = client.get("/api/v1/search?date_from=2019-13").get_json()["error"]["message"]
    assert "2019-13" in message and "YYYY-MM-DD" in message


# ---------------------------------------------------------------- documents


def test_a_document_is_returned_with_its_full_text(client):
    document = get_json(client, "/api/v1/documents/c02")
    record = COTTON[1]
    assert document["id"] == "c02"
    assert document["title"] == record["title"]
    assert document["body"] == record["body"]
    assert document["url"] == record["url"]
    assert (document["source"], document["author"], document["section"]) == ("RFI", "Jean Dupont", "Économie")
    assert document["published"] == "2016-11-01"
    assert document["tags"] == ["Coton"]


def test_a_document_does_not_show_the_server_path_it_was_read_from(client):
    document = get_json(client, "/api/v1/documents/c02")
    assert "origin" not in document
    assert "corpus.jsonl" not in json.dumps(document) and "/tmp" not in json.dumps(document)


def test_the_document_of_every_hit_can_be_fetched_by_its_id(client):
    for hit in get_json(client, "/api/v1/search", q="", per_page=100)["hits"]:
        assert get_json(client, f"/api/v1/documents/{hit['id']}")["title"] == hit["title"]


@pytest.mark.parametrize("doc_id", ["nope", "p99", "P01", "p01 ", "%00", "..%2F..%2Fetc%2Fpasswd"])
def test_an_unknown_document_is_a_404_json_error(client, doc_id):
    response = client.get(f"/api/v1/documents/{doc_id}")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == "not_found"


def test_the_404_message_names_the_missing_id(client):
    assert "p99" in client.get("/api/v1/documents/p99").get_json()["error"]["message"]


def test_similar_documents_are_other_articles_sharing_its_words(client):
    answer = get_json(client, "/api/v1/documents/c01/similar")
    similar = [item["id"] for item in answer["similar"]]
    assert similar, "c01 and c02 share coton, égreneuses, fibre, Sikasso, Koutiala"
    assert "c01" not in similar
    assert similar[0] == "c02"
    assert set(answer["similar"][0]) >= {"id", "title", "source", "published"}


def test_similar_documents_of_an_unknown_id_is_a_404_json_error(client):
    response = client.get("/api/v1/documents/nope/similar")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# ---------------------------------------------------------------- healthz and openapi


def test_healthz_reports_the_document_count_and_the_last_update(client):
    health = get_json(client, "/healthz")
    assert health["status"] == "ok"
    assert health["documents"] == len(RECORDS)
    built = datetime.fromisoformat(health["last_update"])
    assert built.tzinfo is not None
    assert abs((datetime.now(built.tzinfo) - built).total_seconds()) < 3600


def test_healthz_without_an_index_says_so_with_503(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "no_index"


def test_search_without_an_index_is_a_json_error_not_a_500(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    response = client.get("/api/v1/search?q=Mali")
    assert response.status_code == 503
    assert response.get_json()["error"]["message"]
    assert str(tmp_path) not in response.get_data(as_text=True)  # the server's paths are not for visitors
    assert str(tmp_path) not in client.get("/healthz").get_data(as_text=True)
    assert str(tmp_path) not in client.get("/search?q=Mali").get_data(as_text=True)


def _resolved(spec: dict, node: dict) -> dict:
    """`node`, or the component its $ref names."""
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = spec["components"][kind][name]
    return node


def test_openapi_describes_the_search_endpoint_as_openapi_3(client):
    spec = get_json(client, "/api/v1/openapi.json")
    assert str(spec["openapi"]).startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    search = spec["paths"]["/api/v1/search"]["get"]
    parameters = [_resolved(spec, p) for p in search["parameters"]]
    names = {p["name"] for p in parameters}
    assert {"q", "page", "per_page", "sort", "date_from", "date_to", *FACETS} <= names
    assert all(p["in"] == "query" for p in parameters)
    assert {"200", "400"} <= set(search["responses"])
    result = _resolved(spec, search["responses"]["200"]["content"]["application/json"]["schema"])
    hit_properties = _resolved(spec, result["properties"]["hits"]["items"])["properties"]
    assert set(hit_properties) == HIT_KEYS
    assert "/api/v1/documents/{doc_id}" in spec["paths"]


# ---------------------------------------------------------------- unknown paths and methods


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/", "/api/v1/search/extra", "/api/v2/search", "/api/v1/documents/"])
def test_an_unknown_api_path_is_a_404_json_error_never_html(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.is_json
    assert b"<html" not in response.get_data().lower()
    error = response.get_json()["error"]
    assert error["code"] and error["message"]


def test_a_wrong_method_on_the_api_is_a_405_json_error(client):
    response = client.post("/api/v1/search", data={"q": "Mali"})
    assert response.status_code == 405
    assert response.is_json
    assert response.get_json()["error"]["code"]


# ---------------------------------------------------------------- no input ever yields a 500


@pytest.mark.parametrize("nasty", NASTY_STRINGS, ids=range(len(NASTY_STRINGS)))
def test_no_query_text_ever_yields_a_server_error(client, nasty):
    response = client.get("/api/v1/search", query_string={"q": nasty})
    assert response.status_code in (200, 400), (nasty[:40], response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json
    if response.status_code == 400:
        assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("nasty", NASTY_STRINGS, ids=range(len(NASTY_STRINGS)))
def test_no_parameter_value_ever_yields_a_server_error(client, nasty):
    for name in ("page", "per_page", "sort", "date_from", "date_to", "facet_limit", *FACETS, "timeline", "lang"):
        response = client.get("/api/v1/search", query_string={"q": "Bamako", name: nasty})
        assert response.status_code in (200, 400), (name, nasty[:40], response.status_code)
        assert response.is_json


@pytest.mark.parametrize("nasty", NASTY_STRINGS, ids=range(len(NASTY_STRINGS)))
def test_no_document_id_ever_yields_a_server_error(client, nasty):
    for path in ("/api/v1/documents/{}", "/api/v1/documents/{}/similar"):
        # An id holding "/" is routed after decoding, so werkzeug may redirect first.
        response = client.get(path.format(quote(nasty, safe="")), follow_redirects=True)
        assert response.status_code in (200, 404), (path, nasty[:40], response.status_code)
        assert response.is_json


@pytest.mark.parametrize("nasty", NASTY_STRINGS, ids=range(len(NASTY_STRINGS)))
def test_no_query_text_ever_yields_a_server_error_on_the_search_page(client, nasty):
    response = client.get("/", query_string={"q": nasty}, follow_redirects=True)  # a blank q: to the bare URL
    assert response.status_code in (200, 400), (nasty[:40], response.status_code)


def test_repeated_and_mixed_parameters_never_yield_a_server_error(client):
    query = "q=Bamako&q=Mali&page=1&page=2&source=&source=%00&year=2019&year=2019&section=" + "x" * 300
    response = client.get("/api/v1/search?" + query)
    assert response.status_code in (200, 400)
    assert response.is_json


def test_invalid_percent_encoding_and_bytes_never_yield_a_server_error(client):
    for raw in ("q=%ff%fe", "q=%E9t%E9", "q=%", "q=%zz", "page=%ff", "source=%C3"):
        response = client.get("/api/v1/search?" + raw)
        assert response.status_code in (200, 400), (raw, response.status_code)
        assert response.is_json


# ---------------------------------------------------------------- the demo corpus


def test_on_the_demo_corpus_souverainete_finds_the_mali_china_seed_article_in_the_top_three(demo_client):
    answer = get_json(demo_client, "/api/v1/search", q="souverainete")
    titles = [hit["title"] for hit in answer["hits"][:3]]
    assert SEED_TITLE in titles
    seed = next(hit for hit in answer["hits"] if hit["title"] == SEED_TITLE)
    assert "<mark>souveraineté</mark>" in seed["snippet_html"]


def test_on_the_demo_corpus_facet_counts_equal_a_count_over_every_page_of_hits(demo_client):
    first = get_json(demo_client, "/api/v1/search", q="épidémie", per_page=100, facet_limit=500, group="none")
    total = first["total"]
    assert 100 < total < 2_000, "épidémie should match a few hundred demo articles"
    hits = list(first["hits"])
    for page in range(2, -(-total // 100) + 1):
        hits += get_json(demo_client, "/api/v1/search", q="épidémie", per_page=100, page=page, group="none")["hits"]
    assert len({hit["id"] for hit in hits}) == total
    expected = {
        "source": Counter(h["source"] for h in hits if h["source"]),
        "author": Counter(h["author"] for h in hits if h["author"]),
        "section": Counter(h["section"] for h in hits if h["section"]),
        "tag": Counter(tag for h in hits for tag in h["tags"]),
        "year": Counter(h["published"][:4] for h in hits if h["published"]),
    }
    for facet in expected:  # (the demo index is built without entities: those facets are empty)
        assert {v["value"]: v["count"] for v in first["facets"][facet]} == dict(expected[facet]), facet


def test_on_the_demo_corpus_two_sections_and_a_year_narrow_as_or_then_and(demo_client):
    both = get_json(demo_client, "/api/v1/search", q="", section=["Politique", "Monde"], year="2019", per_page=100)
    politique = get_json(demo_client, "/api/v1/search", q="", section="Politique", year="2019")
    monde = get_json(demo_client, "/api/v1/search", q="", section="Monde", year="2019")
    assert both["total"] == politique["total"] + monde["total"] > 0
    assert all(hit["section"] in ("Politique", "Monde") for hit in both["hits"])
    assert all(hit["published"].startswith("2019") for hit in both["hits"])
    published = [hit["published"] for hit in both["hits"]]
    assert published == sorted(published, reverse=True)


def test_on_the_demo_corpus_the_deepest_page_is_reachable_and_the_next_is_empty(demo_client):
    total = get_json(demo_client, "/api/v1/search", q="")["total"]
    assert total > 2_000
    last_page = -(-total // 100)
    last = get_json(demo_client, "/api/v1/search", q="", per_page=100, page=last_page)
    assert len(last["hits"]) == total - 100 * (last_page - 1)
    assert get_json(demo_client, "/api/v1/search", q="", per_page=100, page=last_page + 1)["hits"] == []
