"""Research tools in real headless Chromium on the demo corpus: trends chart, concordance, exports."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from urllib.parse import parse_qs, urlsplit

import rispy
from playwright.sync_api import Page, expect


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_trends_page_shows_a_chart_with_one_line_and_legend_entry_per_query(page, live_server):
    page.goto(live_server.url + "/trends?q=souveraineté&q=sécurité")
    chart = page.locator("svg.trends-chart")
    expect(chart).to_be_visible()
    lines = chart.locator("path.line")
    expect(lines).to_have_count(2)
    for n in range(2):
        expect(lines.nth(n)).to_be_visible()
        assert lines.nth(n).get_attribute("d").startswith("M")
    # Both lines are drawn in different colours.
    strokes = [lines.nth(n).evaluate("el => getComputedStyle(el).stroke") for n in range(2)]
    assert strokes[0] != strokes[1]
    legend = page.locator("figcaption .legend li")
    expect(legend).to_have_count(2)
    expect(legend.nth(0)).to_contain_text("souveraineté")
    expect(legend.nth(1)).to_contain_text("sécurité")
    expect(page.locator("table.trends-table caption")).to_be_visible()
    expect(page.locator("#trend-q0")).to_have_value("souveraineté")
    expect(page.locator("#trend-q1")).to_have_value("sécurité")


def test_trends_form_adds_a_third_query_to_the_chart(page, live_server):
    page.goto(live_server.url + "/trends?q=souveraineté&q=sécurité")
    page.fill("#trend-q2", "Mali")
    with page.expect_navigation():
        page.get_by_role("button", name="Comparer").click()
    assert params(page)["q"] == ["souveraineté", "sécurité", "Mali"]
    expect(page.locator("svg.trends-chart path.line")).to_have_count(3)
    expect(page.locator("figcaption .legend li").nth(2)).to_contain_text("Mali")


def nearest_word(left: str) -> str:
    """The word just before the keyword, lowercased without accents, as a KWIC sort reads it."""
    found = re.findall(r"\w+", left)
    word = found[-1].lower() if found else ""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def kwic_rows(page: Page) -> list[tuple[str, str, str]]:
    rows = page.locator("table.kwic tbody tr")
    return [
        (
            rows.nth(i).locator(".kwic-left").inner_text(),
            rows.nth(i).locator(".kwic-key").inner_text(),
            rows.nth(i).locator(".kwic-right").inner_text(),
        )
        for i in range(rows.count())
    ]


def test_concordance_page_shows_rows_with_the_keyword_marked_and_resorts_by_left_context(page, live_server):
    page.goto(live_server.url + "/concordance?q=souveraineté")
    rows = page.locator("table.kwic tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 11
    marks = page.locator("table.kwic tbody .kwic-key mark")
    expect(marks).to_have_count(rows.count())
    assert {text.lower() for text in marks.all_inner_texts()} <= {"souveraineté", "souverainetés"}
    by_date = kwic_rows(page)

    expect(page.get_by_label("Trier par")).to_have_value("date")
    page.get_by_label("Trier par").select_option(label="contexte gauche")
    with page.expect_navigation():
        page.locator("form.research-form button[type=submit]").click()
    assert params(page)["sort_lines"] == ["left"]
    expect(page.get_by_label("Trier par")).to_have_value("left")
    by_left = kwic_rows(page)
    assert sorted(by_left) == sorted(by_date)
    assert by_left != by_date
    nearest = [nearest_word(left) for left, _, _ in by_left]
    assert nearest == sorted(nearest)


def test_export_of_a_search_downloads_as_ris_that_rispy_reads(page, live_server):
    response = page.request.get(live_server.url + "/api/v1/export/ris?q=souverainete")
    assert response.ok
    assert response.headers["content-disposition"].startswith("attachment")
    entries = rispy.loads(response.body().decode("utf-8"))
    search = page.request.get(live_server.url + "/api/v1/search?q=souverainete&per_page=100").json()
    assert [e["id"] for e in entries] == [hit["id"] for hit in search["hits"]]
    assert len(entries) == search["total"] >= 11
    for entry in entries:
        assert entry["type_of_reference"] == "NEWS"
        assert entry["title"]
        assert entry["access_date"] == date.today().strftime("%Y/%m/%d/")
