"""Calendar limits: any date a person or a program can send, on every route that takes dates, is a 200 or a 400.

`date_from=9999&date_to=9999`, year `0000` and the same inside `date:[…]` once
answered 500 on every search route (stepping past 9999-12-31 overflowed; year 0
passed the check). Hypothesis draws dates at and around the calendar's edges.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engines.dates import first_day, last_day

DIGITS = st.integers(0, 9999).map(lambda n: f"{n:04d}")
MONTHS = st.integers(0, 19).map(lambda n: f"{n:02d}")
DAYS = st.integers(0, 39).map(lambda n: f"{n:02d}")
EDGE_YEARS = st.sampled_from(["0000", "0001", "1969", "1970", "2038", "9998", "9999"])
DATES = st.one_of(
    st.one_of(DIGITS, EDGE_YEARS),
    st.tuples(st.one_of(DIGITS, EDGE_YEARS), MONTHS).map("-".join),
    st.tuples(st.one_of(DIGITS, EDGE_YEARS), MONTHS, DAYS).map("-".join),
    st.text(st.sampled_from("0123456789-"), max_size=12),
)
ROUTES = ["/api/v1/search", "/search", "/search.atom", "/api/v1/export/csv", "/api/v1/concordance", "/concordance",
          "/api/v1/trends", "/trends"]
MACHINE_ROUTES = ("/api/", ".atom")


@pytest.fixture(scope="module")
def fuzz_client(demo_app):
    return demo_app.test_client()


def check(response, path: str) -> None:
    assert response.status_code in (200, 400), (path, response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code == 400 and any(part in path for part in MACHINE_ROUTES):
        assert response.get_json()["error"]["message"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=DATES, high=DATES)
def test_any_date_range_in_the_parameters_is_a_200_or_a_400_on_every_route(fuzz_client, low: str, high: str) -> None:
    for path in ROUTES:
        answer = fuzz_client.get(path, query_string={"q": "mali", "date_from": low, "date_to": high}, follow_redirects=True)
        check(answer, path)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(low=DATES, high=DATES)
def test_any_date_range_in_the_query_is_a_200_or_a_400_on_every_route(fuzz_client, low: str, high: str) -> None:
    for path in ROUTES:
        answer = fuzz_client.get(path, query_string={"q": f"mali date:[{low} TO {high}]"}, follow_redirects=True)
        check(answer, path)


@pytest.mark.parametrize("params", [
    {"date_from": "9999", "date_to": "9999"}, {"date_from": "9999-12-31"}, {"date_to": "9999-12"},
    {"date_from": "0000"}, {"date_to": "0000-01-01"}, {"year": "9999"}, {"year": "0000"},
])
def test_the_calendar_edges_of_the_report_are_200_or_400_everywhere(fuzz_client, params) -> None:
    for path in ROUTES:
        check(fuzz_client.get(path, query_string={"q": "mali", **params}, follow_redirects=True), path)


@settings(max_examples=300)
@given(text=DATES)
def test_the_first_and_last_day_of_any_accepted_date_are_real_days_in_order(text: str) -> None:
    try:
        low, high = first_day(text), last_day(text)
    except ValueError:
        return  # refused, with a message: the routes turn it into a 400
    assert isinstance(low, date) and isinstance(high, date) and date(1, 1, 1) <= low <= high <= date(9999, 12, 31)
