"""The HTML pages on real indexes: language, hits, chips, facets, timeline, zero results, errors, articles."""

from __future__ import annotations

from urllib.parse import parse_qs, parse_qsl, urlsplit

import lxml.html
import pytest



def html_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def facet_checkbox(page, facet: str, value: str):
    found = page.xpath(f'//input[@type="checkbox"][@name="{facet}"][@value="{value}"]')
    assert found, f"no checkbox for {facet}={value}"
    return found[0]


def facet_count(page, facet: str, value: str) -> int:
    box = facet_checkbox(page, facet, value)
    label = page.xpath(f'//label[@for="{box.get("id")}"]')[0]
    return int(text_of(label.xpath('.//*[@class="facet-count"]')[0]).replace("\u202f", "").replace(",", ""))


# ---------------------------------------------------------------- language


def test_the_search_page_is_french_by_default(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté"))
    assert page.get("lang") == "fr"
    assert text_of(page.xpath("//label[@for='q']")[0]) == "Rechercher dans les archives"
    assert "11 résultats" in text_of(page.xpath("//*[@id='result-count']")[0])
    assert page.xpath("//a[@hreflang='en']")


def test_lang_en_in_the_url_gives_english_and_links_keep_it(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté&lang=en"))
    assert page.get("lang") == "en"
    assert text_of(page.xpath("//label[@for='q']")[0]) == "Search the archive"
    assert "11 results" in text_of(page.xpath("//*[@id='result-count']")[0])
    assert page.xpath("//input[@type='hidden'][@name='lang']")[0].get("value") == "en"
    first_hit = page.xpath("//li[@class='hit']//h3/a")[0].get("href")
    assert query_of(first_hit)["lang"] == ["en"]


def test_an_english_browser_gets_english_without_lang_in_the_url(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert page.get("lang") == "en"
    assert "Search help" in text_of(page.xpath("//details[@id='help']/summary")[0])


def test_lang_in_the_url_wins_over_the_browser(demo_client):
    page = html_of(demo_client.get("/search?q=mali&lang=fr", headers={"Accept-Language": "en"}))
    assert page.get("lang") == "fr"


def test_dates_are_written_in_the_page_language(demo_client):
    french = html_of(demo_client.get("/search?q=souveraineté&sort=date"))
    english = html_of(demo_client.get("/search?q=souveraineté&sort=date&lang=en"))
    assert text_of(french.xpath("//time[@class='hit-date']")[0]) == "12 novembre 2016"
    assert text_of(english.xpath("//time[@class='hit-date']")[0]) == "12 November 2016"


def test_the_help_panel_explains_the_syntax_with_examples(demo_client):
    page = html_of(demo_client.get("/"))
    help_text = text_of(page.xpath("//details[@id='help']")[0])
    for example in ("OU", "-Niger", '"coopération sécuritaire"', "titre:", "exact:", "date:2019", "souverain*"):
        assert example in help_text


# ---------------------------------------------------------------- hits


def test_hits_show_the_query_words_marked_and_link_to_the_article_with_the_query(demo_client):
    page = html_of(demo_client.get("/search?q=souverainete"))
    marked = {text_of(m).lower() for m in page.xpath("//li[@class='hit']//mark")}
    assert "souveraineté" in marked
    titles = [text_of(a) for a in page.xpath("//li[@class='hit']//h3/a")]
    assert any("Mali–Chine" in title for title in titles)
    for link in page.xpath("//li[@class='hit']//h3/a"):
        assert link.get("href").startswith("/articles/")
        assert query_of(link.get("href"))["q"] == ["souverainete"]


def test_a_hit_shows_source_author_date_and_section(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté&sort=date"))
    meta = text_of(page.xpath("//li[@class='hit']//p[@class='hit-meta']")[0])
    for part in ("Orange Actu (actu.orange.fr)", "Orange avec AFP", "12 novembre 2016", "Politique"):
        assert part in meta


def test_the_result_count_and_time_are_shown(demo_client):
    count = text_of(html_of(demo_client.get("/search?q=souveraineté")).xpath("//*[@id='result-count']")[0])
    assert "11 résultats" in count and "page 1 sur 2" in count and " ms" in count


# ---------------------------------------------------------------- facets, chips


def test_facet_checkboxes_reflect_the_selection_and_live_in_the_get_form(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté&section=Politique&section=Monde"))
    assert facet_checkbox(page, "section", "Politique").get("checked") is not None
    assert facet_checkbox(page, "section", "Monde").get("checked") is not None
    assert facet_checkbox(page, "section", "Auto").get("checked") is None
    assert facet_checkbox(page, "section", "Auto").get("form") == "search-form"
    assert page.xpath("//form[@id='search-form']")[0].get("method") == "get"


def test_facet_counts_on_the_page_are_those_of_the_search(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté"))
    assert facet_count(page, "section", "Politique") == 7
    assert facet_count(page, "section", "Monde") == 1
    assert facet_count(page, "year", "2019") == 3


def test_every_active_filter_is_a_chip_and_clear_all_keeps_only_the_query(demo_client):
    page = html_of(
        demo_client.get("/search?q=souveraineté&section=Politique&section=Monde&year=2019&date_from=2018&sort=-date")
    )
    chips = [text_of(a) for a in page.xpath("//a[@class='chip']")]
    assert len(chips) == 4
    assert any("Rubrique" in c and "Politique" in c for c in chips)
    assert any("Année" in c and "2019" in c for c in chips)
    clear_all = page.xpath("//a[@class='clear-all']")[0].get("href")
    assert query_of(clear_all) == {"q": ["souveraineté"], "sort": ["-date"]}


def test_removing_a_chip_drops_exactly_that_filter(demo_client):
    url = "/search?q=souveraineté&section=Politique&section=Monde&year=2019&sort=-date"
    page = html_of(demo_client.get(url))
    before = sorted(parse_qsl(urlsplit(url).query))
    for chip in page.xpath("//a[@class='chip']"):
        facet, value = chip.get("data-filter"), text_of(chip.xpath(".//*[@class='chip-value']")[0])
        after = sorted(parse_qsl(urlsplit(chip.get("href")).query))
        expected = list(before)
        expected.remove((facet, value))
        assert after == expected


def test_following_a_chip_link_widens_the_results(demo_client):
    narrow = html_of(demo_client.get("/search?q=souveraineté&section=Monde"))
    assert "1 résultat" in text_of(narrow.xpath("//*[@id='result-count']")[0])
    wide = html_of(demo_client.get(narrow.xpath("//a[@class='chip']")[0].get("href")))
    assert "11 résultats" in text_of(wide.xpath("//*[@id='result-count']")[0])
    assert not wide.xpath("//a[@class='chip']")


def test_see_more_raises_the_facet_limit_when_a_facet_has_more_values(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté"))
    more = page.xpath("//fieldset[@data-facet='tag']//a[@class='facet-more']")
    assert more
    expanded = html_of(demo_client.get(more[0].get("href")))
    assert len(expanded.xpath("//fieldset[@data-facet='tag']//input")) > 10
    assert expanded.xpath("//input[@type='hidden'][@name='facet_limit']")


def test_the_sort_selector_shows_the_chosen_sort(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté&sort=date"))
    options = {o.get("value"): o.get("selected") is not None for o in page.xpath("//select[@id='sort']/option")}
    assert options == {"": False, "-date": False, "date": True}


def test_pagination_marks_the_current_page_and_links_the_next(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté"))
    current = page.xpath("//nav[contains(@class,'pagination')]//a[@aria-current='page']")
    assert [text_of(a) for a in current] == ["1"]
    next_link = page.xpath("//a[@rel='next']")[0].get("href")
    assert query_of(next_link)["page"] == ["2"]
    second = html_of(demo_client.get(next_link))
    assert len(second.xpath("//li[@class='hit']")) == 1
    assert "page" not in query_of(second.xpath("//a[@rel='prev']")[0].get("href"))


# ---------------------------------------------------------------- timeline


def test_the_timeline_is_an_svg_whose_bars_link_to_their_period(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté"))
    bars = page.xpath("//svg[contains(@class,'timeline-chart')]//a[contains(@class,'timeline-bar')]")
    periods = [bar.get("data-period") for bar in bars]
    assert periods == ["2016", "2017", "2018", "2019", "2020"]
    for bar in bars:
        params = query_of(bar.get("href"))
        assert params["date_from"] == params["date_to"] == [bar.get("data-period")]
        assert params["q"] == ["souveraineté"]
        # The bar's <title> is its accessible name (and tooltip); the drawn count stays outside the link,
        # so the name holds the visible text (axe: label-content-name-mismatch).
        assert bar.get("aria-label") is None
    assert "2019 : 3 articles" in [text_of(bar.xpath("./title")[0]) for bar in bars]
    table = text_of(page.xpath("//details[contains(@class,'timeline-table')]")[0])
    assert "2019" in table and "3" in table


def test_following_a_timeline_bar_limits_the_results_to_that_period(demo_client):
    page = html_of(demo_client.get("/search?q=souveraineté"))
    bar = page.xpath("//a[@data-period='2019']")[0]
    narrowed = html_of(demo_client.get(bar.get("href")))
    assert "3 résultats" in text_of(narrowed.xpath("//*[@id='result-count']")[0])
    dates = [t.get("datetime") for t in narrowed.xpath("//time[@class='hit-date']")]
    assert dates and all(d.startswith("2019") for d in dates)
    assert narrowed.xpath("//a[@data-period='2019-01']")  # three years or fewer: per month


# ---------------------------------------------------------------- suggestions, zero results, errors


def test_a_misspelt_word_gets_a_did_you_mean_link(demo_client):
    page = html_of(demo_client.get("/search?q=souverainté"))
    link = page.xpath("//a[@class='suggestion-link']")[0]
    assert text_of(link) == "souveraineté"
    assert query_of(link.get("href"))["q"] == ["souveraineté"]


def test_the_zero_result_page_proposes_what_to_try(demo_client):
    page = html_of(demo_client.get("/search?q=titre:zorglub souveraineté&section=Monde"))
    zero = text_of(page.xpath("//div[@class='zero']")[0])
    assert "Aucun article ne correspond" in zero
    proposals = {text_of(a): a.get("href") for a in page.xpath("//ul[@class='proposals']//a")}
    assert any("Rubrique" in text and "Monde" in text for text in proposals)
    fewer = [href for text, href in proposals.items() if text.startswith("moins de mots")]
    assert fewer and query_of(fewer[0])["q"] == ["souveraineté"]
    assert "#help" in proposals.values()


def test_the_zero_result_page_offers_the_suggestion(demo_client):
    page = html_of(demo_client.get("/search?q=souverainté"))
    proposals = [text_of(a) for a in page.xpath("//ul[@class='proposals']//a")]
    assert any("souveraineté" in p for p in proposals)


def test_a_malformed_query_is_a_400_with_the_message_shown(demo_client):
    response = demo_client.get('/search?q="souveraineté')
    assert response.status_code == 400
    alert = html_of(response).xpath("//*[@role='alert']")[0]
    assert "phrase is not closed" in text_of(alert)
    assert html_of(response).xpath("//input[@id='q']")[0].get("value") == '"souveraineté'
    assert html_of(response).xpath("//details[@id='help'][@open]")


def test_a_bad_parameter_is_a_400_not_a_crash(demo_client):
    response = demo_client.get("/search?q=mali&date_from=hier")
    assert response.status_code == 400
    assert "YYYY" in text_of(html_of(response).xpath("//*[@role='alert']")[0])


def test_the_page_loads_its_assets_from_the_app_only(demo_client):
    response = demo_client.get("/search?q=mali")
    page = html_of(response)
    assert not page.xpath("//@style") and not page.xpath("//style")
    assert all(s.get("src", "").startswith("/static/") for s in page.xpath("//script"))
    assert not [s for s in page.xpath("//script") if (s.text or "").strip()]
    assert demo_client.get("/static/loupe.js").status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# ---------------------------------------------------------------- article page


def test_the_article_page_marks_the_query_words_and_keeps_the_search_in_its_back_link(demo_client):
    response = demo_client.get("/articles/26979?q=souveraineté&section=Politique&sort=-date")
    page = html_of(response)
    assert response.status_code == 200
    assert "Législatives" in text_of(page.xpath("//h1")[0])
    assert {text_of(m).lower() for m in page.xpath("//div[@class='article-body']//mark")} == {"souveraineté"}
    back = query_of(page.xpath("//a[@class='back-link']")[0].get("href"))
    assert back == {"q": ["souveraineté"], "section": ["Politique"], "sort": ["-date"]}
    assert page.xpath("//aside[@class='similar']//li")


def test_the_article_page_links_to_the_original_only_for_a_web_address(demo_client):
    web = html_of(demo_client.get("/articles/26979"))
    link = web.xpath("//a[@class='original-link']")[0]
    assert link.get("href").startswith("https://actu.orange.fr/")
    assert link.get("rel") == "noopener noreferrer"
    seed = html_of(demo_client.get("/articles/4a5ab504d1963b33"))  # a seed text file: no URL
    assert not seed.xpath("//a[@class='original-link']")


def test_an_unknown_article_is_a_404_page(demo_client):
    response = demo_client.get("/articles/nope")
    assert response.status_code == 404
    assert "n'existe pas" in text_of(html_of(response).xpath("//*[@role='alert']")[0])


@pytest.fixture
def hostile_client(make_client):
    records = [
        {
            "id": "x1",
            "title": "<img src=x onerror=alert(1)>",
            "summary": "<script>alert('summary')</script> souveraineté",
            "body": "La souveraineté <b>du</b> peuple.\n\n<script>alert(2)</script>",
            "url": "javascript:alert(3)",
            "source": "<i>Source</i>",
            "author": "<svg onload=alert(4)>",
            "date": "2019-03-12T10:00:00+01:00",
            "section": "<u>Politique</u>",
            "tags": ["<b>tag</b>"],
        },
        {
            "id": "x2",
            "title": "Un article voisin sur la souveraineté",
            "summary": "",
            "body": "La souveraineté du peuple et du Mali.",
            "url": "data:text/html,<script>alert(5)</script>",
            "source": "Maliweb",
            "author": "AFP",
            "date": "2019-04-01T10:00:00+01:00",
            "section": "Politique",
            "tags": [],
        },
    ]
    return make_client(records)


def test_a_hostile_title_renders_as_text_on_the_results_page(hostile_client):
    response = hostile_client.get("/search?q=souveraineté")
    body = response.get_data(as_text=True)
    assert "<img src=x" not in body and "<svg onload" not in body and "<script>alert" not in body
    page = html_of(response)
    assert not page.xpath("//img[@src='x']") and not page.xpath("//*[@onerror]") and not page.xpath("//*[@onload]")
    titles = [text_of(a) for a in page.xpath("//li[@class='hit']//h3/a")]
    assert "<img src=x onerror=alert(1)>" in titles
    assert "<svg onload=alert(4)>" in text_of(page.xpath("//fieldset[@data-facet='author']")[0])


def test_a_hostile_article_renders_as_text_and_gets_no_script_link(hostile_client):
    response = hostile_client.get("/articles/x1?q=souveraineté")
    body = response.get_data(as_text=True)
    assert "<img src=x" not in body and "<script>alert" not in body and "<b>du</b>" not in body
    page = html_of(response)
    assert text_of(page.xpath("//h1")[0]) == "<img src=x onerror=alert(1)>"
    assert not page.xpath("//a[@class='original-link']")
    assert not page.xpath("//a[starts-with(@href, 'javascript:')]")
    assert "souveraineté" in {text_of(m).lower() for m in page.xpath("//mark")}
    data_url = html_of(hostile_client.get("/articles/x2"))
    assert not data_url.xpath("//a[@class='original-link']")


# ---------------------------------------------------------------- the articles' own language

LANGUAGE_RECORDS = [
    {"id": "lang-fr", "title": "Bamako et la souveraineté", "body": "Bamako défend sa souveraineté.",
     "date": "2020-01-02", "source": "Presse malienne"},
    {"id": "lang-en", "title": "Bamako and sovereignty", "body": "Bamako defends its sovereignty.",
     "date": "2020-01-03", "source": "Wire", "language": "en"},
]


def test_each_hit_and_article_carries_its_own_language_in_the_english_interface(make_client):
    client = make_client(LANGUAGE_RECORDS)
    hits = {hit["id"]: hit for hit in client.get("/api/v1/search?q=Bamako").get_json()["hits"]}
    assert {doc_id: hit["language"] for doc_id, hit in hits.items()} == {"lang-fr": "fr", "lang-en": "en"}
    page = html_of(client.get("/search?q=Bamako&lang=en"))
    assert page.get("lang") == "en"
    for hit in page.xpath("//li[@class='hit']"):
        expected = "en" if "sovereignty" in text_of(hit) else "fr"
        assert hit.xpath(".//h3/@lang") == [expected]
        assert hit.xpath(".//p[@class='snippet']/@lang") == [expected]
    for doc_id, expected in (("lang-fr", "fr"), ("lang-en", "en")):
        article = html_of(client.get(f"/articles/{doc_id}?lang=en"))
        assert article.xpath("//h1/@lang") == [expected]
        assert article.xpath("//div[@class='article-body']/@lang") == [expected]
        assert client.get(f"/api/v1/documents/{doc_id}").get_json()["language"] == expected
    lines = client.get("/api/v1/concordance?q=Bamako").get_json()["lines"]
    assert {line["doc_id"]: line["language"] for line in lines} == {"lang-fr": "fr", "lang-en": "en"}


def test_a_very_long_article_shows_its_first_part_with_a_note_and_a_link_to_the_full_text(make_client):
    paragraphs = [f"Paragraphe {n} sur la souveraineté du Mali et la coopération régionale." for n in range(6000)]
    body = "\n\n".join(paragraphs + ["Dernier paragraphe : motdelafin."])
    client = make_client([{"id": "long", "title": "Un très long rapport", "body": body, "source": "RFI",
                           "date": "2019-01-01"}])
    response = client.get("/articles/long?q=souveraineté")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert len(page.encode()) < 300_000 < len(body.encode())
    assert "motdelafin" not in page and "<mark>souveraineté</mark>" in page
    note = text_of(html_of(response).xpath("//p[contains(@class,'article-cut')]")[0])
    assert "La suite de cet article" in note and "caractères de plus" in note
    link = html_of(response).xpath("//p[contains(@class,'article-cut')]/a")[0]
    assert link.get("href") == "/api/v1/documents/long"
    assert client.get(link.get("href")).get_json()["body"] == body
