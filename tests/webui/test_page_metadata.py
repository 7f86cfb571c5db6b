"""What crawlers and assistive tools read on the pages: description, link names, icon, canonical URLs, lang."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest

PAGES = ["/", "/search?q=souveraineté", "/concordance?q=souveraineté", "/trends?q=souveraineté", "/integrer",
         "/embed?q=souveraineté"]


def html_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture(scope="module")
def article_path(demo_app) -> str:
    hit = demo_app.test_client().get("/api/v1/search?q=souveraineté&per_page=1").get_json()["hits"][0]
    return f"/articles/{hit['id']}"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_meta_description_in_its_language(demo_client, path, lang):
    page = html_of(demo_client.get(path + ("&" if "?" in path else "?") + f"lang={lang}"))
    descriptions = page.xpath("//head/meta[@name='description']/@content")
    assert len(descriptions) == 1 and len(descriptions[0]) > 50
    assert ("archive de presse" in descriptions[0]) == (lang == "fr")


def test_an_article_page_is_described_by_the_beginning_of_the_article(demo_client, article_path):
    article = demo_client.get(f"/api/v1/documents/{article_path.rsplit('/', 1)[1]}").get_json()
    description = html_of(demo_client.get(article_path)).xpath("//meta[@name='description']/@content")[0]
    start = " ".join((article["summary"] or article["body"]).split())[:40]
    assert " ".join(description.split()).startswith(start)
    assert len(description) <= 161


@pytest.mark.parametrize(("lang", "more", "fewer"), [
    ("fr", "Voir plus de valeurs pour Mot-clé", "Voir moins de valeurs pour Mot-clé"),
    ("en", "See more values of Tag", "See fewer values of Tag"),
])
def test_see_more_and_see_fewer_say_what_they_show_more_or_fewer_of(demo_client, lang, more, fewer):
    page = html_of(demo_client.get("/search", query_string={"q": "souveraineté", "lang": lang}))
    link = page.xpath("//fieldset[@data-facet='tag']//a[@class='facet-more']")[0]
    assert text_of(link) == more
    assert link.get("aria-label") is None  # the name is the text itself, visible words first
    expanded = html_of(demo_client.get(link.get("href")))
    assert text_of(expanded.xpath("//fieldset[@data-facet='tag']//a[@class='facet-more']")[0]) == fewer


def test_no_link_on_any_page_is_named_only_see_more(demo_client, article_path):
    vague = {"voir plus", "see more", "plus", "more", "ici", "here", "cliquez ici", "click here", "en savoir plus"}
    for path in [*PAGES, article_path]:
        for link in html_of(demo_client.get(path)).xpath("//a"):
            assert text_of(link).lower() not in vague, (path, link.get("href"))


def test_favicon_ico_is_served(demo_client):
    answer = demo_client.get("/favicon.ico")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"


def test_a_form_search_with_blank_fields_redirects_to_the_url_without_them(demo_client):
    answer = demo_client.get("/search?q=souveraineté&sort=&date_from=&date_to=&source=&lang=en")
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert location.path == "/search"
    assert parse_qsl(location.query, keep_blank_values=True) == [("q", "souveraineté"), ("lang", "en")]
    assert demo_client.get(answer.headers["Location"]).status_code == 200


def test_a_search_without_blank_fields_is_answered_directly(demo_client):
    assert demo_client.get("/search?q=souveraineté&sort=date").status_code == 200
    assert demo_client.get("/search?q=&sort=").headers["Location"] == "/search"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_trends_with_an_unknown_scale_is_a_400_that_names_the_choices(demo_client, lang):
    answer = demo_client.get("/trends", query_string={"q": "souveraineté", "scale": "foo", "lang": lang})
    assert answer.status_code == 400
    message = text_of(html_of(answer).xpath("//*[@role='alert']")[0])
    assert "scale" in message and "count" in message and "per_thousand" in message and "'foo'" in message


def test_trends_with_a_known_scale_is_drawn(demo_client):
    for scale in ("count", "per_thousand", ""):
        assert demo_client.get("/trends", query_string={"q": "souveraineté", "scale": scale}).status_code == 200


def test_a_bad_concordance_sort_names_the_sort_lines_parameter(demo_client):
    answer = demo_client.get("/api/v1/concordance?q=souveraineté&sort_lines=bogus")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"].startswith("sort_lines must be one of date, left, right, source")
    page = html_of(demo_client.get("/concordance?q=souveraineté&sort_lines=bogus"))
    assert "sort_lines" in text_of(page.xpath("//*[@role='alert']")[0])


def _french_content(page) -> list:
    return page.xpath("//*[contains(@class, 'hit-title') or contains(@class, 'snippet') or @id='article-title'"
                      " or contains(@class, 'article-body') or contains(@class, 'article-summary')"
                      " or contains(@class, 'kwic-left') or contains(@class, 'kwic-key') or contains(@class, 'kwic-right')"
                      " or contains(@class, 'embed-snippet') or contains(@class, 'hit-section')]")


@pytest.mark.parametrize("path", ["/search?q=souveraineté", "/concordance?q=souveraineté", "/embed?q=souveraineté",
                                  "ARTICLE?q=souveraineté"])
def test_french_content_in_the_english_interface_says_it_is_french(demo_client, article_path, path):
    page = html_of(demo_client.get(path.replace("ARTICLE", article_path) + "&lang=en"))
    assert page.get("lang") == "en"
    content = _french_content(page)
    assert content
    for element in content:
        assert element.get("lang") == "fr", lxml.html.tostring(element)[:200]
    titles = page.xpath("//ol[@class='hits']//h3/a | //ul[@class='similar-list']//a | //ol[@class='embed-hits']//a/span")
    assert titles or path.startswith("/concordance")  # its lines name their source, not a title
    for title in titles:
        assert title.xpath("ancestor-or-self::*[@lang][1]/@lang") == ["fr"], lxml.html.tostring(title)[:200]
