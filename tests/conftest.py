"""Shared fixtures: real Whoosh indexes in tmp_path, the Flask app, a live server, Chromium."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from engines.whoosh import build_index
from webui.app import create_app

REPO = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO / "corpus"
NODE_MODULES = REPO / "node_modules"  # the validators of package.json (`npm ci`)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# `run.py index` finds entities by default (~60 ms of CPU per article); the tests that check
# entities turn it on for their own builds (tests/indexer/test_entities.py and others).
os.environ.setdefault("LOUPE_ENTITIES", "false")


def pytest_configure(config) -> None:
    """Compile the UI's gettext catalogues (`make translations` does it too): the app refuses stale ones."""
    from webui.i18n import compile_catalogues

    compile_catalogues()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def client_for(index_dir: Path):
    """A Flask test client of the app serving the Whoosh index in `index_dir`."""
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


def api_search(client, **params) -> dict:
    """GET /api/v1/search with up to 100 values per facet; the answer must be a 200."""
    response = client.get("/api/v1/search", query_string={"facet_limit": 100, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def facet_counts(answer: dict, facet: str) -> dict[str, int]:
    """value → count of one facet of a search answer."""
    return {v["value"]: v["count"] for v in answer["facets"][facet]}


@pytest.fixture
def make_index(tmp_path: Path) -> Callable[[list[dict]], Path]:
    """Build a real index from JSONL records (OrangeSum layout); returns the index dir."""
    counter = iter(range(1000))

    def make(records: list[dict], extra_paths: list[Path] = ()) -> Path:
        n = next(counter)
        corpus = write_jsonl(tmp_path / f"corpus-{n}.jsonl", records)
        index_dir = tmp_path / f"index-{n}"
        build_index([corpus, *extra_paths], index_dir)
        return index_dir

    return make


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Path:
    """The bundled demo corpus (3 seeds + 2,000 OrangeSum articles), indexed once."""
    index_dir = tmp_path_factory.mktemp("demo") / "index"
    build_index([DEMO_CORPUS], index_dir)
    return index_dir


@pytest.fixture(scope="session")
def demo_app(demo_index):
    return create_app({"INDEX_DIR": str(demo_index), "TESTING": True})


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


class LiveServer:
    """A real HTTP server on 127.0.0.1 running an app in a thread."""

    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(demo_app) -> Iterator[LiveServer]:
    with LiveServer(demo_app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def solr_cluster(tmp_path_factory):
    """A SolrCloud of two nodes (ZooKeeper and each node a process of its own), started when a test first
    needs it and stopped at the end of the session, even after a failure."""
    from engines.solr import cluster

    cluster_dir = tmp_path_factory.mktemp("solr-cluster")
    info = cluster.start(cluster_dir, nodes=2, base_port=cluster.free_base_port(2))
    try:
        yield info
    finally:
        cluster.stop(cluster_dir)
