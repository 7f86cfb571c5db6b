"""One search's wildcards are bounded, each and all together: a costly query is a 400 that says what to simplify."""

from __future__ import annotations

import itertools

import pytest

from engines.query import MAX_EXPANDED_WORDS

CONSONANTS = "bcdfghjklmnpqrtvwxz"
PREFIXES = [f"zu{letter}" for letter in "bcdfghjklmnp"]  # twelve wildcards: zub*, zuc*…
WORDS_PER_PREFIX = 50  # each cheap alone; twelve of them stand for 600 words together


def words_of(prefix: str) -> list[str]:
    return [prefix + a + b for a, b in itertools.islice(itertools.product(CONSONANTS, repeat=2), WORDS_PER_PREFIX)]


VOCABULARY = [word for prefix in PREFIXES for word in words_of(prefix)]
RECORDS = [
    {"id": f"w{n}", "title": f"Lexique {n}", "body": " ".join(VOCABULARY[n::3]) + " " + " ".join(VOCABULARY),
     "source": "Maliweb", "date": "2019-05-0%d" % (n + 1)}
    for n in range(3)
] + [{"id": "big", "title": "Tout un dictionnaire",
      "body": " ".join(f"ky{a}{b}{c}" for a, b, c in itertools.islice(itertools.product(CONSONANTS, repeat=3), MAX_EXPANDED_WORDS + 20)),
      "source": "RFI", "date": "2019-06-01"}]


@pytest.fixture
def client(make_client):
    return make_client(RECORDS)


def test_the_corpus_gives_more_words_to_all_the_wildcards_than_one_search_may_expand():
    assert len(set(VOCABULARY)) == len(PREFIXES) * WORDS_PER_PREFIX > MAX_EXPANDED_WORDS
    assert WORDS_PER_PREFIX * 2 < MAX_EXPANDED_WORDS


def test_a_few_wildcards_together_are_searched(client):
    # The three lexicons share most of their text: every copy is asked for, not one per story.
    answer = client.get("/api/v1/search", query_string={"q": " ".join(p + "*" for p in PREFIXES[:3]), "group": "none"})
    assert answer.status_code == 200, answer.get_json()
    assert sorted(hit["id"] for hit in answer.get_json()["hits"]) == ["w0", "w1", "w2"]


def test_one_wildcard_standing_for_too_many_words_is_a_400_asking_for_more_letters(client):
    answer = client.get("/api/v1/search", query_string={"q": "ky*"})
    assert answer.status_code == 400
    message = answer.get_json()["error"]["message"]
    assert "ky*" in message and "too many words" in message and "more letters" in message


def test_many_cheap_wildcards_joined_are_refused_together_with_what_to_simplify(client):
    query_text = " ".join(p + "*" for p in PREFIXES)
    answer = client.get("/api/v1/search", query_string={"q": query_text})
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "query_syntax"
    assert "together" in error["message"] and "use fewer wildcards" in error["message"]
    assert "zub*" in error["message"]


@pytest.mark.parametrize("path", ["/search", "/api/v1/trends", "/api/v1/export/csv", "/api/v1/concordance",
                                  "/concordance", "/search.atom"])
def test_every_route_that_searches_refuses_the_costly_query_with_a_400(client, path):
    # On the page, no hit (date_from=2030) would also try the "fewer words" searches.
    query_text = " ".join(p + "*" for p in PREFIXES)
    params = {"q": query_text, "date_from": "2030"} if path == "/search" else {"q": query_text}
    answer = client.get(path, query_string=params)
    assert answer.status_code == 400, (path, answer.status_code)
    assert "too many words together" in answer.get_data(as_text=True)


def test_a_prefix_is_not_stemmed_res_star_is_not_re_star(make_client):
    client = make_client([
        {"id": "r1", "title": "Les résultats", "body": "Les résultats du vote sont tombés.", "date": "2019-01-01"},
        {"id": "r2", "title": "La rentrée", "body": "La rentrée des classes approche.", "date": "2019-01-02"},
        {"id": "r3", "title": "Une installation", "body": "Une installation solaire à Gao.", "date": "2019-01-03"},
        {"id": "r4", "title": "Un incendie", "body": "Un incendie à Bamako.", "date": "2019-01-04"},
    ])
    found = {q: sorted(h["id"] for h in client.get("/api/v1/search", query_string={"q": q}).get_json()["hits"])
             for q in ("res*", "ins*")}
    assert found == {"res*": ["r1"], "ins*": ["r3"]}
