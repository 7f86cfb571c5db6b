"""Loupe itself: indexer.build.build_index for the build, the Flask app for the full API request."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from bench.corpus import timed_incremental_run
from bench.queries import BenchQuery


class RequestRefused(RuntimeError):
    """Loupe answered a client error (4xx) to a request: the bench counts it, it does not end the run."""

    def __init__(self, url: str, status: int, message: str) -> None:
        super().__init__(f"{url}: HTTP {status} {message}")
        self.url, self.status, self.message = url, status, message


def build(corpus: Path, out_dir: Path) -> int:
    from engines.whoosh import build_index

    return build_index([corpus], out_dir).added


def update(corpus: Path, out_dir: Path, records: list[tuple[int, dict]]) -> float:
    """Seconds of an incremental build after (position, record) pairs changed in the corpus file."""
    from engines.whoosh import build_index

    return timed_incremental_run(corpus, records, lambda: build_index([corpus], out_dir))


def known_item_url(text: str, conjunction: bool) -> str:
    query_text = text if conjunction else " OR ".join(text.split())
    return "/api/v1/search?" + urlencode({"q": query_text, "per_page": 10})


def question_url(question: str) -> str:
    """The question exactly as a user typed it in the search box: no rewriting, no OR."""
    return "/api/v1/search?" + urlencode({"q": question, "per_page": 10})


class Engine:
    """In-process: every request goes through Flask's test client, JSON included."""

    name = "Loupe"

    def __init__(self, out_dir: Path) -> None:
        from webui.app import create_app

        self.client = create_app({"INDEX_DIR": str(out_dir), "TESTING": True}).test_client()

    def get(self, url: str) -> dict:
        response = self.client.get(url)
        if 400 <= response.status_code < 500:
            error = (response.get_json(silent=True) or {}).get("error")
            message = error.get("message", "") if isinstance(error, dict) else response.get_data(as_text=True)[:200]
            raise RequestRefused(url, response.status_code, message)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code} {response.get_data(as_text=True)[:200]}")
        return response.get_json()

    def search(self, bench_query: BenchQuery) -> tuple[int, list[str]]:
        answer = self.get(bench_query.loupe_url)
        return answer["total"], [hit["id"] for hit in answer["hits"]]

    def rank(self, text: str, conjunction: bool) -> list[str]:
        return [hit["id"] for hit in self.get(known_item_url(text, conjunction))["hits"]]

    def ask(self, question: str) -> list[str]:
        """Top 10 ids for a question typed as is: Loupe must make sense of it itself."""
        return [hit["id"] for hit in self.get(question_url(question))["hits"]]
