"""Faults on a real two-node SolrCloud of this module's own, as readers and API clients see them.

A node stopped or killed, ZooKeeper lost, every node down, a rebuild under search
load. The session's `solr_cluster` is shared by other tests: this module stops
processes only in the cluster it starts, and stops that cluster at the end.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from engines.solr import cluster
from engines.solr.writer import SolrCollection
from indexer.build import build_index
from tests.conftest import LiveServer, write_jsonl
from tests.contract.test_query import article
from webui.app import create_app

ALIAS = "faults"
REBUILT_ALIAS = "rebuilt"
TOPICS = ("coopération", "souveraineté", "sécheresse", "élections")
SOURCES = ("Maliweb", "RFI", "Jeune Afrique")
QUERIES = ("mali", "coopération", "souveraineté sécheresse", "")  # "" is every article
PER_PAGE = 100  # more than any corpus here: an answer lists every hit
SESSION_SECONDS = 15.0  # zkClientTimeout in engines/solr/solr.xml: a killed node leaves live_nodes after it
SESSION_EXPIRY_SLACK = 6.0  # ZooKeeper checks its sessions every tick (tickTime 2 s)
HEALTH_SECONDS = 60.0
# The server's own patience: engines/solr/client.py waits 30 s for a node before the next one. A node stuck in
# its shutdown (after a long ZooKeeper outage) makes a search wait that long: slow, not failed.
LOAD_TIMEOUT_SECONDS = 75.0
RECOVERY_SECONDS = 180.0  # nodes restarted, leaders elected (leaderVoteWait 10 s), replicas recovered
GENERIC_MESSAGE = {"fr": "Le moteur de recherche ne répond pas ; réessayez dans une minute.",
                   "en": "The search engine is not answering; try again in a minute."}
# What an anonymous visitor must never read: addresses, paths, Python or Java names.
INTERNALS = re.compile(r"127\.0\.0\.1|localhost:|/solr\b|/tmp/|/work/|Traceback|\w+Error\b|\w+Exception\b|"
                       r"\bengines\.|\w+\.py\b|ZooKeeper|SolrCloud")


def articles(prefix: str, count: int) -> list[dict]:
    """`count` articles about Mali, ids `<prefix>NN`, spread over topics, sources and years."""
    return [article(f"{prefix}{n:02d}", f"{TOPICS[n % 4].capitalize()} au Mali, épisode {n}",
                    f"Le Mali et ses voisins débattent de {TOPICS[n % 4]} ({prefix}, numéro {n}).",
                    source=SOURCES[n % 3], section=("Politique", "Société")[n % 2], day=f"20{18 + n % 4}-0{1 + n % 9}-1{n % 10}")
            for n in range(count)]


OLD = articles("old", 24)
NEW = articles("new", 37)  # another size and other ids: a mix of the two would show


@dataclass(frozen=True)
class Answer:
    """What /api/v1/search showed: the total, the ids in order and the facet counts."""

    total: int
    ids: tuple[str, ...]
    facets: dict


def api_answer(body: dict) -> Answer:
    return Answer(body["total"], tuple(hit["id"] for hit in body["hits"]), body["facets"])


class FaultCluster:
    """This module's cluster: its directory, the alias holding OLD, and an app reading that alias."""

    def __init__(self, info: cluster.ClusterInfo, work_dir: Path) -> None:
        self.info = info
        self.dir = info.cluster_dir
        self.work_dir = work_dir
        self.url = ",".join(info.base_urls)

    def target(self, alias: str) -> SolrCollection:
        return SolrCollection(self.url, alias, state_dir=self.work_dir / f"state-{alias}", shards=2, replicas=2)

    def index(self, alias: str, records: list[dict], rebuild: bool = False) -> None:
        corpus = write_jsonl(self.work_dir / f"{alias}-{len(records)}.jsonl", records)
        build_index([corpus], self.target(alias), rebuild=rebuild)

    def app(self, alias: str = ALIAS):
        return create_app({"ENGINE": "solr", "SOLR_URL": self.url, "SOLR_COLLECTION": alias,
                           "INDEX_DIR": str(self.work_dir / f"state-{alias}"), "TESTING": True})

    def start_zookeeper(self) -> float:
        """Start ZooKeeper again; returns when (time.monotonic()), for nodes_left_out()."""
        cluster.start_zookeeper(self.dir)
        return time.monotonic()

    def nodes_left_out(self, zookeeper_started: float) -> list[cluster.NodeInfo]:
        """The running nodes out of live_nodes for good after ZooKeeper came back at `zookeeper_started`.

        ZooKeeper restores its clients' sessions from its log, each with its live_nodes entry, for one more
        session timeout. A node whose own session expired during the outage opens a new one and cannot
        register while the old entry lives (NodeExists): Solr 9.10 gives up and the node keeps running,
        searching, out of live_nodes. Until the old sessions expire every node looks live, so judge after.
        """
        while time.monotonic() < zookeeper_started + SESSION_SECONDS + SESSION_EXPIRY_SLACK:
            time.sleep(0.5)  # the length of ZooKeeper's own timer: nothing to poll that ends it sooner
        deadline = time.monotonic() + HEALTH_SECONDS
        previous = None
        while True:
            states = {record.name: record.state for record in cluster.status(self.dir)}
            settled = all(states[f"node{node.index}"] == "down"
                          or (states[f"node{node.index}"] == "live" and reads_zookeeper(node))
                          for node in self.info.nodes)
            left_out = [node for node in self.info.nodes if states[f"node{node.index}"] == "down"]
            if settled and left_out == previous:  # twice alike, a second apart
                return left_out
            assert time.monotonic() < deadline, f"the nodes did not settle after ZooKeeper's return: {states}"
            previous = left_out if settled else None
            time.sleep(1.0)

    def rolling_restart(self) -> None:
        """Restart the nodes one after the other, each once /healthz says ok: the remedy after a long ZooKeeper outage.

        Solr 9.10 may come back from one without an Overseer: a node's Overseer election overflows its stack
        (NodeExists on the entries of the restored sessions) and keeps its place in the election; CLUSTERSTATUS
        and /healthz look fine, but every Collections API call (a rebuild's CREATE) waits 180 s and fails.
        """
        client = self.app().test_client()
        for node in self.info.nodes:
            if cluster.cluster_info(self.dir).nodes[node.index].pid is not None:
                cluster.stop_node(self.dir, node.index)
            cluster.start_node(self.dir, node.index)
            health_when(client, lambda health: health["status"] == "ok", RECOVERY_SECONDS)

    def restore(self) -> None:
        """Start whatever a test stopped (after ZooKeeper, every node again), then wait until /healthz says ok."""
        if cluster.cluster_info(self.dir).zk_pid is None:
            self.nodes_left_out(self.start_zookeeper())
            self.rolling_restart()
        for node in cluster.cluster_info(self.dir).nodes:
            if node.pid is None:
                cluster.start_node(self.dir, node.index)
        health_when(self.app().test_client(), lambda health: health["status"] == "ok", RECOVERY_SECONDS)


def reads_zookeeper(node: cluster.NodeInfo) -> bool:
    """Whether the node answers a request it must read from ZooKeeper (the configsets' list)."""
    try:
        return requests.get(f"{node.base_url}/admin/configs", params={"action": "LIST"}, timeout=10).ok
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def faults(tmp_path_factory) -> Iterator[FaultCluster]:
    """ZooKeeper and two nodes of this module's own, ALIAS holding OLD in 2 shards × 2 replicas; always stopped."""
    work_dir = tmp_path_factory.mktemp("solr-faults")
    info = cluster.start(work_dir / "cluster", nodes=2, base_port=cluster.free_base_port(2))
    try:
        here = FaultCluster(info, work_dir)
        here.index(ALIAS, OLD)
        yield here
    finally:
        cluster.stop(info.cluster_dir)


@pytest.fixture
def client(faults):
    """A test client of an app reading ALIAS; the cluster is whole again after the test, whatever it stopped."""
    try:
        yield faults.app().test_client()
    finally:
        faults.restore()


def search(client, query_text: str) -> Answer:
    response = client.get("/api/v1/search", query_string={"q": query_text, "per_page": PER_PAGE})
    assert response.status_code == 200, response.get_data(as_text=True)
    return api_answer(response.get_json())


def answers(client) -> dict[str, Answer]:
    return {query_text: search(client, query_text) for query_text in QUERIES}


def health_when(client, wanted: Callable[[dict], bool], timeout: float) -> dict:
    """/healthz's JSON once `wanted(health)` holds; fails with the last answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/healthz")
        health = response.get_json() or {"status": f"HTTP {response.status_code}, not JSON"}
        if wanted(health):
            return health
        if time.monotonic() > deadline:
            raise AssertionError(f"/healthz still answers {health} after {timeout:.0f} s")
        time.sleep(0.5)


def assert_page_shows(client, query_text: str, expected: Answer) -> None:
    """The HTML search page lists the expected hits under the expected count."""
    response = client.get("/search", query_string={"q": query_text})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<strong class="count-total">{expected.total} résultats</strong>' in html
    shown = re.findall(r'<h3 class="hit-title"[^>]*><a href="/articles/([^"?]+)', html)
    assert shown == list(expected.ids[:10])  # the first page


# ---------------------------------------------------------------- one node stopped


@pytest.mark.parametrize("hard", [False, True], ids=["sigterm", "sigkill"])
def test_with_a_node_stopped_searches_answer_the_same_and_healthz_names_it(faults, client, hard):
    before = answers(client)
    assert before["mali"].total == before[""].total == len(OLD)
    assert 0 < before["coopération"].total < len(OLD)
    node1 = faults.info.nodes[1]

    cluster.stop_node(faults.dir, 1, hard=hard)
    # Killed, the node is still in live_nodes for up to 15 s: the other one must route around it at once.
    assert answers(client) == before

    health = health_when(client, lambda health: health["status"] != "ok", HEALTH_SECONDS)
    assert health["status"] == "degraded"
    assert health["down"] == [node1.node_name]
    assert (health["documents"], health["live_nodes"]) == (len(OLD), 1)
    assert answers(client) == before
    assert_page_shows(client, "mali", before["mali"])
    assert_page_shows(client, "coopération", before["coopération"])

    cluster.start_node(faults.dir, 1)
    health = health_when(client, lambda health: health["status"] == "ok", RECOVERY_SECONDS)
    assert "down" not in health and health["live_nodes"] == 2
    assert answers(client) == before


# ---------------------------------------------------------------- every node down, ZooKeeper down


PAGES = ("/search?q=mali", "/?q=mali&source=RFI", "/articles/old01", "/concordance?q=mali", "/trends?q=mali")
MACHINE_ROUTES = ("/api/v1/search?q=mali", "/api/v1/export/csv?q=mali", "/api/v1/export/ris?q=mali",
                  "/api/v1/export/bibtex?q=mali", "/search.atom?q=mali", "/api/v1/documents/old01",
                  "/api/v1/trends?q=mali", "/trends.csv?q=mali")


def test_with_every_node_down_pages_and_api_answer_503_with_a_plain_message(faults, client, caplog):
    cluster.stop_node(faults.dir, 1)
    cluster.stop_node(faults.dir, 0)

    for path in PAGES:
        for lang in ("fr", "en"):
            started = time.monotonic()
            response = client.get(path, headers={"Accept-Language": lang})
            html = response.get_data(as_text=True)
            assert response.status_code == 503, (path, html[:500])
            assert time.monotonic() - started < 10  # refused connections fail fast
            assert response.mimetype == "text/html"
            assert f'<p class="error" role="alert">{GENERIC_MESSAGE[lang]}</p>' in html, path
            assert not INTERNALS.findall(html), (path, INTERNALS.findall(html))

    for path in MACHINE_ROUTES:
        response = client.get(path)
        assert response.status_code == 503, (path, response.get_data(as_text=True)[:500])
        assert response.get_json() == {"error": {"code": "engine_unavailable", "message": GENERIC_MESSAGE["en"]}}

    response = client.get("/embed?q=mali")  # the widget other sites frame
    assert response.status_code == 503 and GENERIC_MESSAGE["fr"] in response.get_data(as_text=True)
    assert not INTERNALS.findall(response.get_data(as_text=True))

    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "engine_unavailable", "message": GENERIC_MESSAGE["en"]}

    # The details are for whoever runs the server: the log has the nodes tried and the fix.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for node in faults.info.nodes:
        assert f"{node.base_url}: ConnectionError" in logged
    assert "python run.py solr start" in logged


def test_with_zookeeper_down_searches_answer_from_the_nodes_and_healthz_says_degraded(faults, client):
    before = answers(client)

    cluster.stop_zookeeper(faults.dir)
    stopped = time.monotonic()
    # Each node keeps the cluster state it last read and still searches; only changes (indexing) need ZooKeeper.
    health = health_when(client, lambda health: health["status"] != "ok", HEALTH_SECONDS)
    assert (health["status"], health["zookeeper"], health["documents"]) == ("degraded", "unreachable", len(OLD))
    assert "indexing fails until ZooKeeper is back" in health["message"]
    answered = time.monotonic()
    assert client.get("/healthz").get_json() == health
    assert time.monotonic() - answered < 5  # a load balancer's check must not wait for the session timeout
    assert answers(client) == before
    assert_page_shows(client, "mali", before["mali"])
    for path in ("/api/v1/export/csv?q=mali", "/search.atom?q=mali", "/articles/old01"):
        assert client.get(path).status_code == 200, path

    # Back within the nodes' session timeout (a ZooKeeper restart): the nodes resume their sessions.
    assert time.monotonic() - stopped < SESSION_SECONDS - 3, "too slow to test a restart within the session"
    faults.start_zookeeper()
    health = health_when(client, lambda health: health["status"] == "ok", RECOVERY_SECONDS)
    assert "zookeeper" not in health and health["live_nodes"] == 2
    assert answers(client) == before
    faults.index(ALIAS, OLD)  # an incremental run: ZooKeeper answers writes again
    assert [node for node in faults.info.nodes if not reads_zookeeper(node)] == []


class SearchLoad:
    """A thread sending /api/v1/search for each of QUERIES in turn to a live server, until stopped."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.results: list[tuple[float, str, int, Answer | str]] = []  # (when, query, status, answer or body)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        session = requests.Session()
        n = 0
        while not self._stop.is_set():
            query_text = QUERIES[n % len(QUERIES)]
            n += 1
            try:
                response = session.get(f"{self.base_url}/api/v1/search",
                                       params={"q": query_text, "per_page": PER_PAGE}, timeout=LOAD_TIMEOUT_SECONDS)
            except requests.RequestException as error:
                self.results.append((time.monotonic(), query_text, 0, repr(error)))
                continue
            answer = api_answer(response.json()) if response.status_code == 200 else response.text[:300]
            self.results.append((time.monotonic(), query_text, response.status_code, answer))

    def __enter__(self) -> "SearchLoad":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"{what}: not after {timeout:.0f} s ({len(self.results)} answers)"
            time.sleep(0.05)


def test_a_rebuild_under_search_load_fails_no_request_and_mixes_no_results(faults):
    faults.index(REBUILT_ALIAS, OLD)
    app = faults.app(REBUILT_ALIAS)
    old = answers(app.test_client())

    with LiveServer(app) as server, SearchLoad(server.url) as load:
        load.wait_for(lambda: len(load.results) >= 2 * len(QUERIES), 60, "searches before the rebuild")
        build_started = time.monotonic()
        faults.index(REBUILT_ALIAS, NEW, rebuild=True)
        build_ended = time.monotonic()
        new = answers(app.test_client())
        swapped = len(load.results)
        load.wait_for(lambda: len(load.results) >= swapped + 2 * len(QUERIES), 60, "searches after the rebuild")

    assert new["mali"].total == len(NEW) and old["mali"].total == len(OLD)
    for query_text in QUERIES:
        assert new[query_text].total != old[query_text].total
        assert not set(new[query_text].ids) & set(old[query_text].ids)
    failed = [(query_text, status, answer) for _, query_text, status, answer in load.results if status != 200]
    assert failed == []
    mixed = [(query_text, answer) for _, query_text, _, answer in load.results
             if answer not in (old[query_text], new[query_text])]
    assert mixed == []
    during = [answer for when, _, _, answer in load.results if build_started <= when <= build_ended]
    assert during, "no search ran while the rebuild did"
    # Old answers before the swap, new ones after. Around it, each node moves when ZooKeeper tells it of the
    # new alias, so two answers a few milliseconds apart may still come from either collection.
    assert load.results[0][3] == old[load.results[0][1]] and load.results[-1][3] == new[load.results[-1][1]]
