"""A throw-away local SolrCloud for one bench run: started in a temp dir on free ports, always stopped after."""

from __future__ import annotations

import random
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

from bench.progress import log
from engines.solr import cluster

URL_VARIABLE = "LOUPE_BENCH_SOLR_URL"  # how the build child (bench/engines/solr_loupe.py) finds the cluster


def _interrupt_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextmanager
def stopping_on_sigterm():
    """SIGTERM (a `kill` of the bench) unwinds like Ctrl-C, so every `finally` stops what it started."""
    previous = signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def local_cluster(nodes: int = 2, keep_dir: bool = False):
    """Yield the ClusterInfo of `nodes` Solr nodes and a ZooKeeper, stopped (and their dir removed) at the end."""
    cluster_dir = Path(tempfile.mkdtemp(prefix="loupe-bench-solr-"))
    # A random start, so that two benches started together (or a developer's cluster) do not race for one port.
    base_port = cluster.free_base_port(nodes, start=random.randrange(20_000, 40_000, 100))
    log(f"starting SolrCloud: {nodes} node(s) from port {base_port} in {cluster_dir}")
    info = cluster.start(cluster_dir, nodes=nodes, base_port=base_port)
    try:
        yield info
    finally:
        log("stopping SolrCloud")
        cluster.stop(cluster_dir)
        if not keep_dir:
            shutil.rmtree(cluster_dir, ignore_errors=True)


def jvm_pids(info: cluster.ClusterInfo) -> dict[str, int]:
    """Process id of each Solr node's JVM, by node name (node0, node1…)."""
    return {f"node{node.index}": node.pid for node in info.nodes if node.pid}
