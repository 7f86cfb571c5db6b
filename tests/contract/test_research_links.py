"""The results page offers exports, the feed, concordance, trends and a citation of the search."""

from __future__ import annotations

import csv
import io
import re
from html import unescape


def _links(page_html: str) -> dict[str, str]:
    section = re.search(r'<section class="research-tools".*?</section>', page_html, re.S).group(0)
    return {unescape(text).strip(): unescape(href) for href, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', section)}


def test_the_csv_export_link_holds_every_result_of_the_filtered_search(demo_client) -> None:
    page = demo_client.get("/search?q=souverainete&per_page=2&section=Politique")
    links = _links(page.get_data(as_text=True))
    assert "page=" not in links["CSV"] and "per_page" not in links["CSV"]
    api_total = demo_client.get("/api/v1/search?q=souverainete&section=Politique").get_json()["total"]
    rows = list(csv.DictReader(io.StringIO(demo_client.get(links["CSV"]).get_data(as_text=True))))
    assert len(rows) == api_total > 2
    assert {row["section"] for row in rows} == {"Politique"}


def test_every_tool_link_of_the_results_page_answers(demo_client) -> None:
    links = _links(demo_client.get("/search?q=souveraineté").get_data(as_text=True))
    assert {"CSV", "JSON Lines", "RIS", "BibTeX", "Suivre cette recherche (flux Atom)",
            "Concordance des mots cherchés", "Évolution dans le temps", "Lien permanent"} <= set(links)
    for href in links.values():
        assert demo_client.get(href).status_code == 200, href


def test_the_citation_names_the_archive_query_filters_count_and_date(demo_client) -> None:
    page = demo_client.get("/search?q=souveraineté&section=Politique&lang=en").get_data(as_text=True)
    citation = unescape(re.search(r"<cite>(.*?)</cite>", page, re.S).group(1))
    assert citation.startswith("Loupe, search “souveraineté” (Section : Politique), ")
    # The count, the day it shows and the permalink pinned to that day: it finds the same articles later.
    pinned = re.search(r"\d+ results?, as of (\d{1,2}) (\w+) (20\d\d), (http://\S+)\.$", citation)
    assert pinned, citation
    assert "asof=20" in pinned.group(4) and "q=souverainet" in pinned.group(4) and "section=Politique" in pinned.group(4)


def test_the_page_head_advertises_the_atom_feed_of_the_search(demo_client) -> None:
    head = demo_client.get("/search?q=Macron").get_data(as_text=True).split("</head>")[0]
    assert 'type="application/atom+xml"' in head and "/search.atom?q=Macron" in head
