"""The search page works in real headless Chromium against a live server."""


def test_typing_a_query_without_accents_shows_the_seed_article_with_marked_words(page, live_server):
    page.goto(live_server.url + "/")
    page.fill("#q", "souverainete")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit")
    titles = page.locator(".hit .hit-title").all_inner_texts()
    assert any("Mali–Chine" in title for title in titles)
    marked = {text.lower() for text in page.locator(".hit mark").all_inner_texts()}
    assert "souveraineté" in marked
