"""Any Unicode query gives 200 or 400 within a time bound, never a 500 (Hypothesis)."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SECONDS_PER_QUERY = 3.0
QUERY_ALPHABET = st.characters(blacklist_categories=("Cs",))  # lone surrogates cannot be sent
SYNTAX_PIECES = st.sampled_from(
    ['"', "(", ")", "*", "?", "-", "+", ":", "~", "^", "[", "]", " TO ", " OR ", " AND ", " NOT ", "SAUF ",
     "titre:", "auteur:", "date:", "date:[", "exact:", "tag:", "souverain", "é", "’", "\u202e", "\x00", "  "]
)
QUERIES = st.one_of(
    st.text(QUERY_ALPHABET, max_size=200),
    st.lists(st.one_of(SYNTAX_PIECES, st.text(QUERY_ALPHABET, min_size=1, max_size=8)), max_size=30).map("".join),
)


@pytest.fixture(scope="module")
def fuzz_client(demo_app):
    return demo_app.test_client()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query_text=QUERIES)
def test_any_query_text_gets_200_or_400_quickly(fuzz_client, query_text: str) -> None:
    started = time.perf_counter()
    response = fuzz_client.get("/api/v1/search?q=" + quote(query_text, safe=""))
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 400), (query_text, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert ("hits" in body) if response.status_code == 200 else body["error"]["message"]
    assert elapsed < SECONDS_PER_QUERY, (query_text, elapsed)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query_text=QUERIES)
def test_any_query_text_renders_the_search_page_without_a_server_error(fuzz_client, query_text: str) -> None:
    # A blank box is redirected to the URL without the empty q (a clean permalink): follow it.
    response = fuzz_client.get("/search?q=" + quote(query_text, safe=""), follow_redirects=True)
    assert response.status_code in (200, 400), query_text
