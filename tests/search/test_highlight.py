"""Highlighted snippets in GET /api/v1/search: which words are inside <mark>, and that nothing else is HTML."""

from __future__ import annotations

import html
import re

import pytest

from webui.app import create_app
from search.highlight import MatchTerms, sanitise_all, snippet_html

XSS_TITLE = "<img src=x onerror=alert(1)> Coopération & sécurité"


def article(doc_id: str, title: str, body: str, *, summary: str = "", day: str = "2019-03-04") -> dict:
    return {
        "id": doc_id,
        "title": title,
        "summary": summary,
        "body": body,
        "url": f"https://exemple.ml/{doc_id}",
        "source": "Maliweb",
        "author": "Awa Traoré",
        "date": f"{day}T10:00:00+01:00",
        "section": "Afrique",
        "tags": ["Mali"],
    }


RECORDS = [
    article("h01", "Coopération sécuritaire Mali–Chine",
            "À Bamako, le ministre a reçu l’Ambassadeur de Chine. La souveraineté du Mali a été au cœur des "
            "échanges, ainsi que les coopérations déjà existantes entre les deux pays."),
    article("h02", "Les partenaires du Niger",
            "Les coopérations régionales se multiplient au Niger comme au Mali."),
    article("h03", XSS_TITLE,
            "Un lecteur a tenté d'injecter <script>alert(1)</script> dans la souveraineté du forum, "
            "puis a écrit <b>gras</b> et <a href=\"javascript:alert(1)\">lien</a> à côté de la coopération.",
            summary="Résumé avec <i>italique</i> & esperluette."),
    article("h04", "Deux formes",
            "Une souveraineté singulière et des souverainetés plurielles, enfin un souverain."),
    article("h05", "Un long article",
            ("Le début parle d'agriculture et de pluie. " * 20) + "Au milieu surgit la souveraineté. "
            + ("La fin parle de récoltes et de marchés. " * 20)),
    article("h06", "Sans rapport", "Le port de Dakar bat un record de conteneurs."),
]


@pytest.fixture
def client(make_index):
    index_dir = make_index(RECORDS)
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


@pytest.fixture
def snippets(client):
    """{id: snippet_html} for a query."""

    def run(query_text: str) -> dict[str, str]:
        response = client.get("/api/v1/search", query_string={"q": query_text, "per_page": 100})
        assert response.status_code == 200, response.get_json()
        return {hit["id"]: hit["snippet_html"] for hit in response.get_json()["hits"]}

    return run


def marked(snippet: str) -> list[str]:
    """The words a user sees highlighted, as plain text."""
    return [html.unescape(word) for word in re.findall(r"<mark>(.*?)</mark>", snippet)]


def tag_names(fragment: str) -> set[str]:
    return {name.lower() for name in re.findall(r"</?\s*([a-zA-Z][\w-]*)", fragment)}


# ---------------------------------------------------------------- which words are marked


def test_a_query_without_accents_marks_the_accented_word(snippets):
    assert marked(snippets("souverainete")["h01"]) == ["souveraineté"]


def test_a_query_with_accents_marks_the_plural_form(snippets):
    assert "coopérations" in marked(snippets("coopération")["h02"])


def test_a_query_marks_the_word_in_the_body_not_the_title_twice(snippets):
    # The snippet is drawn from the summary and body; the title is shown on its own.
    assert marked(snippets("coopération")["h01"]) == ["coopérations"]


def test_a_plural_query_marks_the_singular(snippets):
    assert marked(snippets("souverainetés")["h01"]) == ["souveraineté"]


def test_an_elided_query_marks_the_word_without_its_article(snippets):
    assert marked(snippets("l'ambassadeur")["h01"]) == ["Ambassadeur"]


def test_an_excluded_word_is_not_marked(snippets):
    # h02 mentions the Niger in its body; the query excludes it only from titles.
    hits = snippets("coopérations NOT titre:Niger")
    assert set(hits) == {"h01", "h03"}
    hits = snippets("coopérations NOT titre:Chine")
    assert "h02" in hits
    assert "Mali" not in marked(hits["h02"])


def test_an_excluded_word_present_in_the_snippet_is_left_unmarked(snippets):
    hits = snippets("coopérations -titre:Chine -titre:Mali Niger")
    assert set(hits) == {"h02"}
    assert "Niger" in marked(hits["h02"])
    hits = snippets("coopérations NOT titre:Coopération")
    assert set(hits) == {"h02"}
    assert marked(hits["h02"]) == ["coopérations"]


def test_a_word_excluded_with_minus_is_not_marked_in_a_hit_that_contains_it_elsewhere(snippets):
    # h01's title does not contain "ambassadeur"; its body does.
    hits = snippets("souveraineté -titre:ambassadeur")
    assert "h01" in hits
    assert "Ambassadeur" not in marked(hits["h01"])


def test_exact_marks_only_the_exact_form(snippets):
    assert marked(snippets("exact:souverainetés")["h04"]) == ["souverainetés"]


def test_a_prefix_marks_every_word_it_expanded_to(snippets):
    assert marked(snippets("souverain*")["h04"]) == ["souveraineté", "souverainetés", "souverain"]


def test_a_phrase_marks_both_of_its_words(snippets):
    assert marked(snippets('"souveraineté du Mali"')["h01"]) == ["souveraineté", "Mali"]


def test_a_prefix_marks_the_matching_words_of_every_hit(snippets):
    hits = snippets("souverain*")
    assert set(hits) == {"h01", "h03", "h04", "h05"}
    for doc_id, snippet in hits.items():
        assert "souveraineté" in marked(snippet), doc_id


def test_the_snippet_of_a_long_article_shows_the_passage_with_the_match(snippets):
    snippet = snippets("souveraineté")["h05"]
    assert marked(snippet) == ["souveraineté"]
    assert snippet.startswith("…")
    assert len(html.unescape(re.sub(r"</?mark>", "", snippet))) < 400


def test_browsing_shows_the_opening_of_the_text_without_marks(client):
    answer = client.get("/api/v1/search", query_string={"q": "", "per_page": 100}).get_json()
    assert answer["total"] == len(RECORDS)
    for hit in answer["hits"]:
        assert "<mark>" not in hit["snippet_html"]
        assert hit["snippet_html"]


# ---------------------------------------------------------------- no HTML but <mark>


def test_a_script_in_the_body_comes_back_escaped_in_the_snippet(snippets):
    snippet = snippets("souveraineté")["h03"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<script" not in snippet.lower()
    assert tag_names(snippet) == {"mark"}


def test_bold_and_links_in_the_body_come_back_escaped_in_the_snippet(snippets):
    snippet = snippets("coopération")["h03"]
    assert "&lt;b&gt;gras&lt;/b&gt;" in snippet
    assert "<b>" not in snippet and "<a " not in snippet
    assert tag_names(snippet) == {"mark"}
    assert marked(snippet) == ["coopération"]


@pytest.mark.parametrize("query_text", ["script", "alert", "gras", "souveraineté", "coopération", "lien", "href", ""])
def test_no_query_ever_lets_a_tag_other_than_mark_into_a_snippet(client, query_text):
    answer = client.get("/api/v1/search", query_string={"q": query_text, "per_page": 100}).get_json()
    for hit in answer["hits"]:
        assert tag_names(hit["snippet_html"]) <= {"mark"}, hit["snippet_html"]


def test_a_word_inside_injected_markup_is_marked_as_text(snippets):
    snippet = snippets("script")["h03"]
    assert marked(snippet) == ["script", "script"]
    assert tag_names(snippet) == {"mark"}


def test_the_title_is_plain_text_returned_verbatim(client):
    answer = client.get("/api/v1/search", query_string={"q": "souveraineté"}).get_json()
    hit = next(hit for hit in answer["hits"] if hit["id"] == "h03")
    assert hit["title"] == XSS_TITLE


def test_every_field_but_the_snippet_is_plain_text(client):
    answer = client.get("/api/v1/search", query_string={"q": "coopération"}).get_json()
    hit = next(hit for hit in answer["hits"] if hit["id"] == "h03")
    assert hit["title"] == XSS_TITLE
    assert "<mark>" not in hit["title"] and "&lt;" not in hit["title"]
    assert hit["source"] == "Maliweb" and hit["author"] == "Awa Traoré"
    assert hit["tags"] == ["Mali"]
    assert hit["url"] == "https://exemple.ml/h03"


def test_the_article_endpoint_returns_the_raw_text_unescaped(client):
    document = client.get("/api/v1/documents/h03", query_string={"q": "coopération"}).get_json()
    assert document["title"] == XSS_TITLE
    assert "<script>alert(1)</script>" in document["body"]
    assert document["summary"] == "Résumé avec <i>italique</i> & esperluette."
    assert "<mark>" not in document["body"]


# ---------------------------------------------------------------- snippet_html on its own


def test_snippet_html_escapes_text_and_marks_the_given_exact_words():
    terms = MatchTerms(stems=frozenset(), exact=frozenset({"mali"}))
    snippet = snippet_html(["Le <b>Mali</b> & le Niger"], terms)
    assert snippet == "Le &lt;b&gt;<mark>Mali</mark>&lt;/b&gt; &amp; le Niger"


def test_snippet_html_without_terms_shows_the_opening_escaped():
    snippet = snippet_html(["<script>x</script> début"], MatchTerms(frozenset(), frozenset()))
    assert snippet == "&lt;script&gt;x&lt;/script&gt; début"


def test_a_word_is_marked_after_an_elision_with_either_apostrophe_but_not_inside_another_word():
    terms = MatchTerms(stems=frozenset(), exact=frozenset({"état"}))
    snippet = snippet_html(["L’état, l'état, 'état' et aujourd'état-major mais pas étatique ni coup d'étatx."], terms)
    assert snippet == (
        "L’<mark>état</mark>, l'<mark>état</mark>, '<mark>état</mark>' et aujourd'état-major "
        "mais pas étatique ni coup d'étatx."
    )


def test_the_first_matches_of_a_long_text_are_the_ones_a_snippet_is_built_from():
    terms = MatchTerms(stems=frozenset(), exact=frozenset({"mali", "niger"}))
    text = "Le Niger. " + "Rien ici. " * 500 + "Le Mali. " * 200
    assert snippet_html([text], terms).startswith("Le <mark>Niger</mark>.")


def test_pieces_sanitised_together_equal_pieces_sanitised_one_by_one():
    pieces = ["a <mark>b</mark> c", "", "nul\x00 et contrôle\x1f", "x &amp; y", "<mark>z</mark>"]
    assert sanitise_all(pieces) == [sanitise_all([piece])[0] for piece in pieces]
    assert sanitise_all(pieces)[2] == "nul et contrôle?"


def test_a_piece_with_a_tag_of_its_own_does_not_shift_the_other_pieces():
    pieces = ["un <hr> deux", "<mark>trois</mark>"]
    assert sanitise_all(pieces) == ["un  deux", "<mark>trois</mark>"]
