"""Grouped reprints, entity facets and a pinned permalink in real headless Chromium (seeds + OrangeSum copies)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from engines.whoosh import build_index
from tests.conftest import LiveServer
from webui.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("browser-stories") / "index"
    build_index([FIXTURES / "seeds", FIXTURES / "reprints.jsonl"], index_dir, entities=True)
    with LiveServer(create_app({"INDEX_DIR": str(index_dir), "TESTING": True})) as live:
        yield live


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_copies_collapse_into_one_hit_that_opens_the_list_and_a_switch_shows_every_copy(page, server):
    page.goto(server.url + "/search?q=ouragan+Laura")
    hits = page.locator("ol.hits > li.hit")
    expect(hits).to_have_count(1)
    expect(hits.first.locator(".hit-title")).to_contain_text("Louisiane")  # the earliest copy
    summary = hits.first.locator(".hit-copies summary")
    expect(summary).to_have_text("repris par 1 autre source")
    copy_link = hits.first.locator(".copy-list a")
    expect(copy_link).to_be_hidden()
    summary.click()
    expect(copy_link).to_be_visible()
    expect(copy_link).to_contain_text("14 morts")
    with page.expect_navigation():
        page.locator("#group-switch").click()
    assert params(page)["group"] == ["none"]
    expect(hits).to_have_count(2)
    expect(page.locator(".hit-copies")).to_have_count(0)
    with page.expect_navigation():
        page.locator("#group-switch").click()
    expect(hits).to_have_count(1)


def test_the_list_of_every_copy_is_one_click_away(page, server):
    page.goto(server.url + "/search?q=ouragan+Laura")
    page.locator(".hit-copies summary").click()
    with page.expect_navigation():
        page.locator(".copies-all").click()
    expect(page.locator("ol.hits > li.hit")).to_have_count(2)
    expect(page.locator(".view-note")).to_be_visible()
    expect(page.locator('.chip[data-filter="story"]')).to_have_count(1)


def test_entity_facets_list_people_places_and_organisations_and_filter_the_results(page, server):
    page.goto(server.url + "/search?q=P%C3%A9kin")
    for name, legend in (("person", "Personnes"), ("place", "Lieux"), ("org", "Organisations")):
        expect(page.locator(f'fieldset[data-facet="{name}"] legend')).to_have_text(legend)
    goita = page.locator('fieldset[data-facet="person"] input[value="Assimi Goïta"]')
    expect(goita).to_have_count(1)
    with page.expect_navigation():
        goita.click()
    assert params(page)["person"] == ["Assimi Goïta"]
    expect(page.locator("ol.hits > li.hit")).to_have_count(1)
    expect(page.locator(".hit-title").first).to_contain_text("Assimi Goïta à Pékin")
    expect(page.locator('fieldset[data-facet="person"] input[value="Assimi Goïta"]')).to_be_checked()
    expect(page.locator('.chip[data-filter="person"]')).to_contain_text("Assimi Goïta")


def test_a_pinned_permalink_shows_the_search_as_it_was_and_the_citation_pins_today(page, server):
    page.goto(server.url + f"/search?q=ouragan&asof={YESTERDAY}")
    notice = page.locator("#asof-notice")
    expect(notice).to_contain_text("1 article ajouté depuis n’est pas montré.")
    expect(page.locator("ol.hits > li.hit")).to_have_count(0)
    with page.expect_navigation():
        notice.get_by_role("link").click()
    assert "asof" not in params(page)
    expect(page.locator("ol.hits > li.hit")).to_have_count(1)
    citation = page.locator("cite").first.inner_text()
    assert f"asof={date.today().isoformat()}" in citation and "1 résultat" in citation
    # The pinned link in the citation opens the same search, pinned.
    page.goto(citation.rsplit(" ", 1)[1].rstrip("."))
    assert params(page)["asof"] == [date.today().isoformat()]
    expect(page.locator("#asof-notice")).to_be_visible()
    expect(page.locator("ol.hits > li.hit")).to_have_count(1)
