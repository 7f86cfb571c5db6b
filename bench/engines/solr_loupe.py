"""Loupe on SolrCloud: build_index into a SolrCollection (2 shards × 1 replica), the Flask app with ENGINE=solr for queries.

The cluster is the one bench/solr_cluster.py started; its URL comes in LOUPE_BENCH_SOLR_URL, so the
build can run in a child process (bench/build_child.py) as every other engine's does. Each index
directory of a run (`<run_dir>/solr`) has an alias of its own, named after the run and the engine,
and holds the target's state (lock, logs).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import timed_incremental_run
from bench.engines.loupe import Engine as LoupeEngine
from bench.solr_cluster import URL_VARIABLE

SHARDS = 2
REPLICAS = 1
# engines/solr/client.py gives requests a (connect, read) timeout of (3 s, …); urllib3 applies the connect
# timeout while it sends the body too, so on a loaded machine an /update batch (megabytes of tokens) whose
# upload stalls 3 s while Solr is busy fails as a ConnectionError. The bench's builds allow this long instead.
UPLOAD_STALL_SECONDS = 120


def solr_url() -> str:
    url = os.environ.get(URL_VARIABLE)
    if not url:
        raise SystemExit(f"bench: no {URL_VARIABLE}: run the Solr benches through `python -m bench.scale` "
                         "or `python -m bench.solr_analysis`, which start a cluster")
    return url


def alias_for(out_dir: Path) -> str:
    """`bench/work/scale-34418/solr` → `bench_scale_34418_solr`: one alias per run directory and engine."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"bench_{out_dir.parent.name}_{out_dir.name}")


@dataclass(frozen=True)
class Variant:
    """One analysis option (pre: Loupe's tokens; lucene: Solr's French chain): build, update, Engine."""

    analysis: str

    def target(self, out_dir: Path):
        from engines.solr import client
        from engines.solr.writer import SolrCollection

        client.CONNECT_SECONDS = UPLOAD_STALL_SECONDS  # read at each request: the forked analysis processes too

        out_dir.mkdir(parents=True, exist_ok=True)
        return SolrCollection(solr_url(), alias_for(out_dir), state_dir=out_dir, shards=SHARDS, replicas=REPLICAS,
                              analysis=self.analysis)

    def build(self, corpus: Path, out_dir: Path) -> int:
        from indexer.build import build_index

        return build_index([corpus], self.target(out_dir), rebuild=True).added

    def update(self, corpus: Path, out_dir: Path, records: list[tuple[int, dict]]) -> float:
        """Seconds of an incremental run after (position, record) pairs changed, as bench/engines/loupe.py times it."""
        from indexer.build import build_index

        return timed_incremental_run(corpus, records, lambda: build_index([corpus], self.target(out_dir)))

    def Engine(self, out_dir: Path) -> SolrLoupeEngine:  # noqa: N802 (reads like the other engine modules' class)
        return SolrLoupeEngine(out_dir)


class SolrLoupeEngine(LoupeEngine):
    """The full API request in-process (Flask's test client), answered by the SolrCloud engine."""

    name = "Loupe on Solr"

    def __init__(self, out_dir: Path) -> None:
        from webui.app import create_app

        app = create_app({"ENGINE": "solr", "SOLR_URL": solr_url(), "SOLR_COLLECTION": alias_for(out_dir),
                          "INDEX_DIR": str(out_dir), "TESTING": True})
        app.extensions["loupe_engine"].warm()  # as a gunicorn worker does before its first request (webui/serve.py)
        self.client = app.test_client()


def drop(out_dir: Path) -> None:
    """Delete the alias of `out_dir` and its collections, so the next corpus size has the nodes' memory to itself."""
    from engines.solr.client import SolrClient
    from engines.solr.state import ClusterState, collections_api
    from engines.solr.writer import family_pattern

    client, alias = SolrClient(solr_url()), alias_for(out_dir)
    state = ClusterState(client)
    if alias in state.aliases:
        collections_api(client, "DELETEALIAS", name=alias)
    for name in sorted(state.collections):
        if family_pattern(alias).match(name):
            collections_api(client, "DELETE", name=name)


PRE = Variant("pre")
LUCENE = Variant("lucene")
