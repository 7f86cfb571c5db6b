"""A researcher's search in real headless Chromium: query, facets, chips, suggestion, timeline, language, keyboard."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def facet(page: Page, name: str, value: str):
    return page.locator(f'fieldset[data-facet="{name}"] input[value="{value}"]')


def facet_count(page: Page, name: str, value: str) -> str:
    box = facet(page, name, value)
    return page.locator(f'label[for="{box.get_attribute("id")}"] .facet-count').inner_text()


def search(page: Page, live_server, query: str) -> None:
    page.goto(live_server.url + "/")
    page.fill("#q", query)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_typing_a_query_and_pressing_enter_shows_the_count_and_marked_hits(page, live_server):
    search(page, live_server, "souveraineté")
    expect(page.locator("#result-count")).to_contain_text("11 résultats")
    expect(page.locator(".hit")).to_have_count(10)
    assert params(page)["q"] == ["souveraineté"]
    marked = {text.lower() for text in page.locator(".hit mark").all_inner_texts()}
    assert marked == {"souveraineté"}
    expect(page.locator(".hit-date").first).to_have_text(re.compile(r"^\d{1,2}(er)? \w+ \d{4}$"))


def test_ticking_two_sections_combines_them_and_updates_results_and_counts(page, live_server):
    search(page, live_server, "souveraineté")
    assert facet_count(page, "author", "AFP") == "2"
    with page.expect_navigation():
        facet(page, "section", "Politique").click()
    expect(page.locator("#result-count")).to_contain_text("7 résultats")
    expect(facet(page, "section", "Politique")).to_be_checked()
    with page.expect_navigation():
        facet(page, "section", "Monde").click()
    expect(page.locator("#result-count")).to_contain_text("8 résultats")
    assert params(page)["section"] == ["Politique", "Monde"]
    expect(facet(page, "section", "Politique")).to_be_checked()
    expect(facet(page, "section", "Monde")).to_be_checked()
    expect(facet(page, "section", "Auto")).not_to_be_checked()
    # Other facets now count only the two sections' articles.
    assert facet_count(page, "source", "Orange Actu (actu.orange.fr)") == "8"
    assert page.locator('fieldset[data-facet="source"] input[value="LETJIKAN"]').count() == 0
    expect(page.locator(".chip")).to_have_count(2)


def test_removing_a_chip_drops_that_filter_only(page, live_server):
    page.goto(live_server.url + "/search?q=souveraineté&section=Politique&section=Monde&sort=-date")
    expect(page.locator("#result-count")).to_contain_text("8 résultats")
    with page.expect_navigation():
        page.locator(".chip", has_text="Monde").click()
    expect(page.locator("#result-count")).to_contain_text("7 résultats")
    assert params(page) == {"q": ["souveraineté"], "section": ["Politique"], "sort": ["-date"]}
    expect(page.locator(".chip")).to_have_count(1)
    expect(page.locator("#sort")).to_have_value("-date")
    with page.expect_navigation():
        page.get_by_role("link", name="Tout effacer").click()
    expect(page.locator("#result-count")).to_contain_text("11 résultats")
    expect(page.locator(".chip")).to_have_count(0)


def test_changing_the_sort_reorders_the_results_newest_first(page, live_server):
    search(page, live_server, "souveraineté")
    with page.expect_navigation():
        page.select_option("#sort", "-date")
    assert params(page)["sort"] == ["-date"]
    dates = [d for d in page.locator(".hit-date").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")]
    assert dates == sorted(dates, reverse=True)


def test_following_the_did_you_mean_suggestion_finds_the_articles(page, live_server):
    search(page, live_server, "souverainté")
    expect(page.locator("#result-count")).to_contain_text("Aucun résultat")
    expect(page.locator(".suggestion")).to_contain_text("Vouliez-vous dire souveraineté")
    with page.expect_navigation():
        page.locator(".suggestion-link").click()
    expect(page.locator("#q")).to_have_value("souveraineté")
    expect(page.locator("#result-count")).to_contain_text("11 résultats")


def test_clicking_a_timeline_bar_limits_the_results_to_its_year(page, live_server):
    search(page, live_server, "souveraineté")
    with page.expect_navigation():
        page.locator('a.timeline-bar[data-period="2019"]').click()
    expect(page.locator("#result-count")).to_contain_text("3 résultats")
    assert params(page)["date_from"] == params(page)["date_to"] == ["2019"]
    expect(page.locator(".chip")).to_have_count(2)
    for date in page.locator(".hit-date").all_inner_texts():
        assert date.endswith("2019")


def test_opening_an_article_shows_the_first_mark_and_back_returns_to_the_same_results(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 600})
    page.goto(live_server.url + "/search?q=souveraineté&section=Politique")
    titles_before = page.locator(".hit h3").all_inner_texts()
    with page.expect_navigation():
        page.locator(".hit h3 a", has_text="Nouvelle-Calédonie").first.click()
    expect(page.locator("h1")).to_contain_text("Nouvelle-Calédonie")
    first_mark = page.locator(".article-body mark, .article-summary mark").first
    expect(first_mark).to_have_text(re.compile("souveraineté", re.I))
    expect(first_mark).to_be_in_viewport()
    expect(page.locator(".back-link")).to_have_text(re.compile("Retour aux résultats"))
    page.go_back()
    expect(page.locator("#result-count")).to_contain_text("7 résultats")
    assert page.locator(".hit h3").all_inner_texts() == titles_before
    expect(facet(page, "section", "Politique")).to_be_checked()


def test_the_back_link_of_an_article_keeps_the_search(page, live_server):
    page.goto(live_server.url + "/search?q=souveraineté&section=Politique&sort=-date")
    with page.expect_navigation():
        page.locator(".hit h3 a").first.click()
    with page.expect_navigation():
        page.locator(".back-link").click()
    assert params(page) == {"q": ["souveraineté"], "section": ["Politique"], "sort": ["-date"]}
    expect(page.locator("#result-count")).to_contain_text("7 résultats")


def test_switching_to_english_translates_the_page_and_keeps_the_search(page, live_server):
    search(page, live_server, "souveraineté")
    with page.expect_navigation():
        page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Search the archive")).to_have_value("souveraineté")
    expect(page.locator("#result-count")).to_contain_text("11 results")
    expect(page.locator("legend", has_text="Section")).to_be_visible()
    # The language sticks while narrowing.
    with page.expect_navigation():
        facet(page, "section", "Politique").click()
    assert params(page)["lang"] == ["en"]
    expect(page.locator(".chip")).to_contain_text("Section")
    with page.expect_navigation():
        page.get_by_role("link", name="Français").click()
    expect(page.locator("#result-count")).to_contain_text("7 résultats")


def _focus_outline(page: Page) -> tuple[str, str]:
    return page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )


def test_the_keyboard_reaches_the_search_box_and_the_facets_with_visible_focus(page, live_server):
    page.goto(live_server.url + "/search?q=souveraineté")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    style, width = _focus_outline(page)
    assert style != "none" and width != "0px"

    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('fieldset.facet input[type=checkbox]')"):
            break
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused[0] == "source"
    style, width = _focus_outline(page)
    assert style != "none" and width != "0px"
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert params(page)["source"] == [focused[1]]


def test_the_skip_link_takes_the_keyboard_to_the_filters(page, live_server):
    page.goto(live_server.url + "/search?q=souveraineté")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Aller aux filtres")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('aside') !== null")


def test_on_a_phone_the_filters_come_below_the_results(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    phone = context.new_page()
    try:
        phone.goto(live_server.url + "/search?q=souveraineté")
        results = phone.locator("#results").bounding_box()
        filters = phone.locator("#filters").bounding_box()
        assert filters["y"] >= results["y"] + results["height"]
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        expect(phone.locator("#q")).to_be_visible()
    finally:
        context.close()


def test_a_malformed_query_shows_an_alert_that_names_the_fix(page, live_server):
    response = page.goto(live_server.url + '/search?q="souveraineté')
    assert response.status == 400
    expect(page.get_by_role("alert")).to_contain_text("phrase is not closed")
    expect(page.locator("details#help")).to_have_attribute("open", "")


def test_the_zero_result_page_proposes_fewer_words_and_opens_the_help_on_demand(page, live_server):
    page.goto(live_server.url + "/search?q=titre:zorglub souveraineté&section=Monde")
    expect(page.locator(".zero")).to_contain_text("Aucun article ne correspond à « titre:zorglub souveraineté »")
    expect(page.locator("details#help")).not_to_have_attribute("open", "")
    page.locator(".proposals a", has_text="aide").click()
    expect(page.locator("details#help")).to_have_attribute("open", "")
    expect(page.locator("details#help")).to_contain_text("exact:souverainetés")
    with page.expect_navigation():
        page.locator(".proposals a", has_text="moins de mots").click()
    expect(page.locator("#q")).to_have_value("souveraineté")
    expect(page.locator("#result-count")).to_contain_text("1 résultat")
