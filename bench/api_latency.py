"""Median and p95 latency of full API searches (facets + snippets) on an index.

    python -m bench.api_latency --index /tmp/full

Runs each query of TYPICAL_QUERIES through the Flask test client (the whole
request: parsing, search, facet counts over all matches, snippets, JSON), after
one warm-up pass, and prints a table. In-process only; see issue 7 for the suite.
"""

from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import urlencode

from bench.report import percentile
from webui.app import create_app

TYPICAL_QUERIES = [
    {"q": "souveraineté"},
    {"q": "souverainete"},
    {"q": "Macron"},
    {"q": "coronavirus confinement"},
    {"q": "élections municipales"},
    {"q": '"gilets jaunes"'},
    {"q": "réforme des retraites"},
    {"q": "sécurité routière"},
    {"q": "Mali"},
    {"q": "incendie Notre-Dame"},
    {"q": "Trump OR Biden"},
    {"q": "terrorisme -Syrie"},
    {"q": "auteur:AFP grève"},
    {"q": "date:2019 Brexit"},
    {"q": "climat", "section": "Environnement"},
    {"q": "police", "year": ["2019", "2020"]},
    {"q": "voiture électrique", "sort": "-date"},
    {"q": "santé hôpital", "date_from": "2020-03", "date_to": "2020-06"},
    {"q": "sécur*"},
    {"q": "presidentielle"},
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    client = create_app({"INDEX_DIR": args.index, "TESTING": True}).test_client()
    urls = ["/api/v1/search?" + urlencode(params, doseq=True) for params in TYPICAL_QUERIES]
    for url in urls:  # warm-up: open the searcher, load columns
        client.get(url)
    timings: list[float] = []
    print(f"{'query':<60} {'total':>7} {'ms':>8}")
    for url, params in zip(urls, TYPICAL_QUERIES):
        per_query = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            response = client.get(url)
            per_query.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.get_json()
        timings += per_query
        print(f"{urlencode(params, doseq=True)[:60]:<60} {response.get_json()['total']:>7} {statistics.median(per_query):>8.1f}")
    print(f"\n{len(timings)} requests: median {statistics.median(timings):.1f} ms, "
          f"p95 {percentile(timings, 0.95):.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main()
