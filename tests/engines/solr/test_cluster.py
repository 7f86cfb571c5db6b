"""The local SolrCloud cluster: ZooKeeper and Solr nodes in JVMs of their own, started and stopped."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator

import pytest
import requests

from engines.solr import cluster

COLLECTION = "cluster_test"
ARTICLES = [
    {"id": "a1", "source": "Maliweb", "text": "La souveraineté du Mali en débat à Bamako"},
    {"id": "a2", "source": "Maliweb", "text": "Le fleuve Niger en crue à Mopti"},
    {"id": "a3", "source": "Le Monde", "text": "Souveraineté alimentaire : le Sahel s'organise"},
    {"id": "a4", "source": "Le Monde", "text": "Élections municipales à Lyon"},
    {"id": "a5", "source": "Le Monde", "text": "Le prix du coton remonte"},
    {"id": "a6", "source": "Jeune Afrique", "text": "Souveraineté numérique en Afrique de l'Ouest"},
    {"id": "a7", "source": "Jeune Afrique", "text": "Une route nouvelle entre Dakar et Bamako"},
]


def collections_api(base_url: str, action: str, **params) -> dict:
    response = requests.get(f"{base_url}/admin/collections",
                            params={"action": action, "wt": "json", **params}, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def select(base_url: str, collection: str, **params) -> dict:
    response = requests.get(f"{base_url}/{collection}/select",
                            params={"q": "*:*", "rows": 0, "wt": "json", **params}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def total(base_url: str, collection: str = COLLECTION, **params) -> int:
    return select(base_url, collection, **params)["response"]["numFound"]


def index(base_url: str, collection: str, documents: list[dict]) -> None:
    response = requests.post(f"{base_url}/{collection}/update", params={"commit": "true"},
                             json=documents, timeout=60)
    assert response.status_code == 200, response.text


def states(solr_cluster: cluster.ClusterInfo) -> dict[str, str]:
    return {record.name: record.state for record in cluster.status(solr_cluster.cluster_dir)}


@pytest.fixture(scope="module")
def collection(solr_cluster: cluster.ClusterInfo, test_configset: str) -> Iterator[str]:
    """A collection of 2 shards x 2 replicas holding ARTICLES, deleted afterwards."""
    base_url = solr_cluster.base_urls[0]
    collections_api(base_url, "CREATE", name=COLLECTION, numShards=2, replicationFactor=2,
                    **{"collection.configName": test_configset, "waitForFinalState": "true"})
    index(base_url, COLLECTION, ARTICLES)
    yield COLLECTION
    collections_api(base_url, "DELETE", name=COLLECTION)


def test_every_node_and_zookeeper_are_live(solr_cluster):
    assert states(solr_cluster) == {"zookeeper": "live", "node0": "live", "node1": "live"}


def test_status_lines_name_each_node_url_and_pid(solr_cluster):
    lines = [str(record) for record in cluster.status(solr_cluster.cluster_dir)]
    assert lines[0].startswith("zookeeper") and f"127.0.0.1:{solr_cluster.zk_port}" in lines[0]
    for node, line in zip(solr_cluster.nodes, lines[1:]):
        assert line.split() == [f"node{node.index}", node.base_url, "pid", str(node.pid), "live"]


def test_each_node_runs_in_a_jvm_of_its_own(solr_cluster):
    pids = [solr_cluster.zk_pid, *(node.pid for node in solr_cluster.nodes)]
    assert len(set(pids)) == 3
    assert [node.base_url for node in solr_cluster.nodes] == [
        f"http://127.0.0.1:{solr_cluster.nodes[0].port + i}/solr" for i in range(2)]


def test_each_node_holds_one_replica_of_each_shard(solr_cluster, collection):
    status = collections_api(solr_cluster.base_urls[0], "CLUSTERSTATUS", collection=collection)
    shards = status["cluster"]["collections"][collection]["shards"]
    assert sorted(shards) == ["shard1", "shard2"]
    for shard in shards.values():
        nodes = sorted(replica["node_name"] for replica in shard["replicas"].values())
        assert nodes == sorted(node.node_name for node in solr_cluster.nodes)


def test_every_node_returns_the_same_total(solr_cluster, collection):
    assert [total(url) for url in solr_cluster.base_urls] == [len(ARTICLES)] * 2
    assert [total(url, q="text:souveraineté") for url in solr_cluster.base_urls] == [3, 3]


def test_documents_are_spread_over_both_shards(solr_cluster, collection):
    per_shard = [total(solr_cluster.base_urls[0], shards=shard) for shard in ("shard1", "shard2")]
    assert sum(per_shard) == len(ARTICLES) and 0 not in per_shard


def test_json_facets_count_across_shards(solr_cluster, collection):
    answer = select(solr_cluster.base_urls[1], collection,
                    **{"json.facet": '{sources: {type: terms, field: source, refine: true}}'})
    buckets = {bucket["val"]: bucket["count"] for bucket in answer["facets"]["sources"]["buckets"]}
    assert buckets == {"Le Monde": 3, "Maliweb": 2, "Jeune Afrique": 2}


def test_scores_across_shards_equal_those_of_a_single_shard(solr_cluster, collection, test_configset):
    # The configset's ExactStatsCache gathers term statistics from every shard before scoring;
    # with Solr's default (local statistics) each shard would score with its own document counts.
    base_url = solr_cluster.base_urls[0]
    config = requests.get(f"{base_url}/{collection}/config", timeout=30).json()["config"]
    assert config["statsCache"]["class"] == "org.apache.solr.search.stats.ExactStatsCache"
    collections_api(base_url, "CREATE", name="cluster_test_one_shard", numShards=1,
                    replicationFactor=1, **{"collection.configName": test_configset})
    try:
        index(base_url, "cluster_test_one_shard", ARTICLES)
        scores = {}
        for name in (collection, "cluster_test_one_shard"):
            hits = select(base_url, name, q="text:souveraineté text:bamako", rows=10, fl="id,score")
            scores[name] = {doc["id"]: round(doc["score"], 5) for doc in hits["response"]["docs"]}
        assert sorted(scores[collection]) == ["a1", "a3", "a6", "a7"]
        assert scores[collection] == scores["cluster_test_one_shard"]
    finally:
        collections_api(base_url, "DELETE", name="cluster_test_one_shard")


def test_an_alias_answers_for_its_collection(solr_cluster, collection):
    base_url = solr_cluster.base_urls[0]
    collections_api(base_url, "CREATEALIAS", name="cluster_test_live", collections=collection)
    try:
        assert total(base_url, "cluster_test_live") == len(ARTICLES)
        # Other tests of the session keep aliases of their own on this cluster.
        assert collections_api(base_url, "LISTALIASES")["aliases"]["cluster_test_live"] == collection
    finally:
        collections_api(base_url, "DELETEALIAS", name="cluster_test_live")


def test_a_deleted_collection_leaves_the_list(solr_cluster, test_configset):
    base_url = solr_cluster.base_urls[0]
    collections_api(base_url, "CREATE", name="cluster_test_tmp", numShards=1, replicationFactor=1,
                    **{"collection.configName": test_configset})
    assert "cluster_test_tmp" in collections_api(base_url, "LIST")["collections"]
    collections_api(base_url, "DELETE", name="cluster_test_tmp")
    assert "cluster_test_tmp" not in collections_api(base_url, "LIST")["collections"]


def test_a_stopped_node_leaves_the_other_answering_with_every_document(solr_cluster, collection):
    node0, node1 = solr_cluster.base_urls
    cluster.stop_node(solr_cluster.cluster_dir, 1)
    try:
        assert states(solr_cluster) == {"zookeeper": "live", "node0": "live", "node1": "not running"}
        with pytest.raises(requests.ConnectionError):
            requests.get(node1, timeout=5)
        assert total(node0) == len(ARTICLES)
        assert total(node0, q="text:bamako") == 2
    finally:
        cluster.start_node(solr_cluster.cluster_dir, 1)
    cluster.wait_until_active(node1, collection)
    assert states(solr_cluster) == {"zookeeper": "live", "node0": "live", "node1": "live"}
    assert [total(url) for url in solr_cluster.base_urls] == [len(ARTICLES)] * 2


def test_a_killed_node_leaves_the_other_answering_before_zookeeper_notices(solr_cluster, collection):
    node0, node1 = solr_cluster.base_urls
    cluster.stop_node(solr_cluster.cluster_dir, 1, hard=True)
    try:
        # node1 may still be in live_nodes (its session has not expired): node0 must route around it.
        assert [total(node0) for _ in range(6)] == [len(ARTICLES)] * 6
    finally:
        cluster.start_node(solr_cluster.cluster_dir, 1)
    cluster.wait_until_active(node1, collection)
    assert total(node1) == len(ARTICLES)


def test_starting_a_second_cluster_in_the_same_directory_is_refused(solr_cluster):
    with pytest.raises(cluster.ClusterError, match="already running"):
        cluster.start(solr_cluster.cluster_dir, base_port=cluster.free_base_port(2))


def test_a_taken_port_is_refused_with_its_number(tmp_path):
    base_port = cluster.free_base_port(2)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base_port + 1))
        squatter.listen()
        with pytest.raises(cluster.ClusterError, match=f"port {base_port + 1} .* is taken"):
            cluster.start(tmp_path / "cluster", nodes=2, base_port=base_port)
    assert not (tmp_path / "cluster" / cluster.STATE_FILE_NAME).exists()


def test_a_restarted_cluster_keeps_its_collections(tmp_path, configset_uploader):
    cluster_dir = tmp_path / "cluster"
    info = cluster.start(cluster_dir, nodes=1, base_port=cluster.free_base_port(1))
    pids = [info.zk_pid, info.nodes[0].pid]
    try:
        base_url = info.base_urls[0]
        configset_uploader(base_url, "loupe-cluster-test")
        collections_api(base_url, "CREATE", name="kept", numShards=1, replicationFactor=1,
                        **{"collection.configName": "loupe-cluster-test"})
        index(base_url, "kept", ARTICLES[:2])
    finally:
        stopped = cluster.stop(cluster_dir)
    assert [record.name for record in stopped] == ["zookeeper", "node0"]
    assert not any(pid_alive(pid) for pid in pids)
    with pytest.raises(cluster.ClusterNotRunning, match="no cluster in"):
        cluster.status(cluster_dir)

    info = cluster.start(cluster_dir, nodes=1, base_port=info.nodes[0].port)
    try:
        cluster.wait_until_active(info.base_urls[0], "kept")
        assert total(info.base_urls[0], "kept") == 2
    finally:
        cluster.stop(cluster_dir)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
