"""Indexing into SolrCloud: a collection per rebuild behind an alias, incremental runs, the lock, kills, the terms."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from engines.solr import cluster
from engines.solr.writer import CONFIGSET_DIR, SolrCollection
from indexer.analysis import query_term
from indexer.build import build_index
from indexer.corpus import CorpusSource
from indexer.errors import IndexLocked, IndexShrunk
from tests.conftest import write_jsonl
from tests.contract.test_query import article

REPO = Path(__file__).resolve().parents[3]
STAMPED = r"\d{8}T\d{12}"
ARTICLES = [
    article("s1", "Coopération sécuritaire Mali–Chine",
            "Bamako et Pékin saluent la souveraineté du Mali et la coopération de sécurité.",
            author="Awa Traoré", section="Politique", tags=["Sécurité", "Chine"]),
    article("s2", "Le Mali et le Niger signent un accord",
            "Les deux voisins renforcent leur coopération militaire le long de la frontière.", source="RFI"),
    article("s3", "Dakar accueille un forum", "Le Sénégal et le Mali discutent de souverainetés économiques.",
            source="Jeune Afrique", section="Économie"),
    article("s4", "Un festival de musique au Niger", "Niamey célèbre les musiques du fleuve.", source="RFI"),
    article("s5", "La saison des pluies", "Les agriculteurs attendent les premières pluies.", section="Société"),
]
_aliases = itertools.count()


class Cluster:
    """The session cluster as a test talks to it: the alias of this test and plain HTTP to Solr."""

    def __init__(self, info: cluster.ClusterInfo, alias: str) -> None:
        self.info = info
        self.alias = alias
        self.url = ",".join(info.base_urls)
        self.base = info.base_urls[0]

    def api(self, action: str, **params) -> dict:
        response = requests.get(f"{self.base}/admin/collections", params={"action": action, **params}, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()

    def target(self, state_dir: Path, **options) -> SolrCollection:
        return SolrCollection(self.url, self.alias, state_dir=state_dir, shards=2, replicas=2, **options)

    def current(self) -> str | None:
        return self.api("LISTALIASES")["aliases"].get(self.alias)

    def family(self) -> list[str]:
        return sorted(name for name in self.api("LIST")["collections"] if name.startswith(self.alias + "_"))

    def select(self, collection: str | None = None, **params) -> dict:
        response = requests.get(f"{self.base}/{collection or self.alias}/select",
                                params={"q": "*:*", "rows": 100, **params}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()["response"]

    def ids(self, query: str) -> list[str]:
        return sorted(doc["id"] for doc in self.select(q=query, fl="id")["docs"])

    def count(self, collection: str | None = None, **params) -> int:
        return self.select(collection, rows=0, **params)["numFound"]


@pytest.fixture
def solr(solr_cluster) -> Iterator[Cluster]:
    """An alias of this test's own; it and its collections are deleted afterwards."""
    here = Cluster(solr_cluster, f"writer{next(_aliases)}")
    yield here
    if here.current():
        here.api("DELETEALIAS", name=here.alias)
    for name in here.family():
        here.api("DELETE", name=name)


def corpus(tmp_path: Path, records: list[dict], name: str = "articles.jsonl") -> list[Path]:
    return [write_jsonl(tmp_path / name, records)]


def test_the_first_run_builds_a_stamped_collection_of_two_shards_by_two_replicas(solr, tmp_path):
    report = build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    assert (report.mode, report.added, report.documents) == ("rebuild", 5, 5)
    collection = solr.current()
    assert re.fullmatch(rf"{solr.alias}_{STAMPED}", collection)
    shards = solr.api("CLUSTERSTATUS", collection=collection)["cluster"]["collections"][collection]["shards"]
    assert sorted(shards) == ["shard1", "shard2"]
    for shard in shards.values():
        replicas = shard["replicas"].values()
        assert sorted(r["node_name"] for r in replicas) == sorted(n.node_name for n in solr.info.nodes)
        assert {r["state"] for r in replicas} == {"active"}
    assert 0 not in [solr.count(shards=shard) for shard in ("shard1", "shard2")]  # spread over both
    assert solr.count() == 5
    meta = solr.target(tmp_path / "state").current_meta()
    assert (meta["documents"], meta["collection"], meta["report"]["added"]) == (5, collection, 5)


def test_a_second_run_writes_only_the_changes_into_the_same_collection(solr, tmp_path):
    target = solr.target(tmp_path / "state")
    build_index(corpus(tmp_path, ARTICLES), target)
    collection = solr.current()
    changed = [{**ARTICLES[0], "title": "Coopération sécuritaire renforcée"}, *ARTICLES[1:4],
               article("s6", "Nouvel article", "Une route entre Dakar et Bamako.")]
    report = build_index(corpus(tmp_path, changed), target)
    assert (report.mode, report.added, report.updated, report.deleted, report.unchanged) == ("incremental", 1, 1, 1, 3)
    assert (report.documents, report.removed) == (5, [])
    assert solr.current() == collection and solr.family() == [collection]
    assert solr.select(q="id:s1", fl="title")["docs"] == [{"title": "Coopération sécuritaire renforcée"}]
    assert solr.ids("*:*") == ["s1", "s2", "s3", "s4", "s6"]
    assert target.current_meta()["report"]["mode"] == "incremental"


def test_a_rebuild_swaps_the_alias_and_the_old_collection_goes_at_the_next_run(solr, tmp_path):
    target = solr.target(tmp_path / "state")
    build_index(corpus(tmp_path, ARTICLES), target)
    first = solr.current()
    report = build_index(corpus(tmp_path, ARTICLES[:4]), solr.target(tmp_path / "state"), rebuild=True,
                         allow_shrink=True)  # four of the five: a smaller index, accepted
    second = solr.current()
    assert (report.mode, report.documents, report.removed) == ("rebuild", 4, [])
    assert second > first and solr.family() == [first, second]  # servers may still read the first
    assert (solr.count(first), solr.count()) == (5, 4)
    report = build_index(corpus(tmp_path, ARTICLES[:4]), solr.target(tmp_path / "state"))
    assert (report.mode, report.removed) == ("incremental", [first])
    assert solr.family() == [second] and solr.current() == second


def test_a_changed_configset_goes_to_a_new_collection(solr, tmp_path):
    build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    first = solr.current()
    changed = tmp_path / "conf"
    shutil.copytree(CONFIGSET_DIR, changed)
    with open(changed / "solrconfig.xml", "a", encoding="utf-8") as config:
        config.write("<!-- a librarian's change -->\n")
    target = solr.target(tmp_path / "state", configset_dir=changed)
    report = build_index(corpus(tmp_path, ARTICLES), target)
    assert report.mode == "rebuild" and solr.current() != first
    status = solr.api("CLUSTERSTATUS", collection=solr.current())["cluster"]["collections"][solr.current()]
    assert status["configName"] == target.configset != solr.target(tmp_path / "state").configset


def test_another_analysis_rebuilds_and_lucene_analysis_fills_the_lucene_fields(solr, tmp_path):
    build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    report = build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state", analysis="lucene"))
    assert report.mode == "rebuild"
    assert solr.ids("text_l:souverainete") == ["s1", "s3"]  # Lucene's chain: folding, light stemmer
    assert solr.ids("text_t:*") == [] and solr.ids("exact_t:souveraineté") == ["s1"]


def test_a_second_concurrent_run_is_refused_with_the_lock_file_named(solr, tmp_path):
    running = solr.target(tmp_path / "state")
    with running.lock():
        with pytest.raises(IndexLocked) as refused:
            build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    assert str(tmp_path / "state" / f"solr-{solr.alias}.lock") in str(refused.value)
    assert "wait for it to finish" in str(refused.value)
    assert solr.current() is None and solr.family() == []


def test_a_reindex_of_one_source_deletes_only_in_that_source(solr, tmp_path):
    sources = [CorpusSource(name="a", paths=tuple(corpus(tmp_path, ARTICLES[:3], "a.jsonl"))),
               CorpusSource(name="b", paths=tuple(corpus(tmp_path, ARTICLES[3:], "b.jsonl")))]
    target = solr.target(tmp_path / "state")
    build_index(sources, target)
    only_a = [CorpusSource(name="a", paths=tuple(corpus(tmp_path, ARTICLES[:2], "a.jsonl")))]
    report = build_index(only_a, target, scope={"a"})
    assert (report.deleted, report.unchanged, report.documents) == (1, 2, 4)
    assert solr.ids("*:*") == ["s1", "s2", "s4", "s5"]


def test_indexed_terms_are_loupes_french_analysis(solr, tmp_path):
    build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    assert solr.ids(f"text_t:{query_term('souverainete')}") == ["s1", "s3"]  # typed without its accent
    assert solr.ids("text_t:souverain") == ["s1", "s3"]  # the -eté variant at the same position
    assert solr.ids('text_t:"cooper securitair"') == ["s1"]  # « coopération sécuritaire », in the title
    # « coopération de sécurité »: the stop word leaves no gap, as in Whoosh.
    assert solr.ids(f'text_t:"{query_term("coopération")} {query_term("sécurité")}"') == ["s1"]
    assert solr.ids("exact_t:souverainetés") == ["s3"] and solr.ids("exact_t:souverainetes") == []
    assert solr.ids("author_t:traore") == ["s1"] and solr.ids("tags_t:securite") == ["s1"]
    assert solr.ids("section_facet:Économie") == ["s3"] and solr.ids("tag_facet:Chine") == ["s1"]


def big_corpus(path: Path, count: int) -> Path:
    words = ("souveraineté coopération sécurité Bamako Niamey fleuve pluies marché élection frontière "
             "ministre accord musique festival récolte route école santé budget").split()
    records = [article(f"big{n:05d}", f"Article {n} {words[n % len(words)]}",
                       " ".join(words[(n * 7 + k) % len(words)] for k in range(400)) + f" numéro {n}.")
               for n in range(count)]
    return write_jsonl(path, records)


def processes_reading(path: Path) -> list[int]:
    """The pids whose command line names `path` (the run and its pool workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(path).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def wait_for_sending(state_dir: Path, process: subprocess.Popen, solr: Cluster, documents: int) -> None:
    """Until the run has a collection of its own and has handed `documents` documents to its batches."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        jobs = [json.loads(p.read_text()) for p in (state_dir / "jobs").glob("*.json")] if (state_dir / "jobs").exists() else []
        if len(solr.family()) == 2 and any(job.get("state") == "running" and job.get("done", 0) >= documents
                                           for job in jobs):
            return
        time.sleep(0.1)
    raise AssertionError("the rebuild never got to sending documents")


def test_a_killed_rebuild_leaves_the_alias_and_the_next_run_removes_its_collection(solr, tmp_path):
    state_dir = tmp_path / "state"
    build_index(corpus(tmp_path, ARTICLES), solr.target(state_dir))
    in_use = solr.current()
    big = big_corpus(tmp_path / "big.jsonl", 8000)
    env = {**os.environ, "LOUPE_SOLR_COLLECTION": solr.alias}
    env.pop("LOUPE_INDEX", None)
    process = subprocess.Popen(
        [sys.executable, "run.py", "index", "--engine", "solr", "--solr-url", solr.url, "--index", str(state_dir),
         "--corpus", str(big), "--rebuild"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_sending(state_dir, process, solr, documents=2000)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    half_built = [name for name in solr.family() if name != in_use]
    assert len(half_built) == 1
    assert solr.current() == in_use and solr.count() == 5
    deadline = time.monotonic() + 10
    while processes_reading(big) and time.monotonic() < deadline:  # the pool's workers die with the run
        time.sleep(0.1)
    assert processes_reading(big) == []

    report = build_index(corpus(tmp_path, ARTICLES), solr.target(state_dir))
    assert (report.mode, report.unchanged, report.removed) == ("incremental", 5, half_built)
    assert solr.family() == [in_use] and solr.count() == 5


def test_a_rebuild_that_lost_documents_leaves_the_alias_where_it_was(solr, tmp_path):
    build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    first = solr.current()
    with pytest.raises(IndexShrunk):
        build_index(corpus(tmp_path, ARTICLES[:3]), solr.target(tmp_path / "state"), rebuild=True)
    assert solr.current() == first and solr.count() == len(ARTICLES)
    build_index(corpus(tmp_path, ARTICLES), solr.target(tmp_path / "state"))
    assert solr.family() == [first]  # the discarded collection is gone by the next run
