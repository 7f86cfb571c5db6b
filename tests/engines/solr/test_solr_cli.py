"""`run.py solr start|stop|status` and `run.py index --engine solr`, as a user runs them."""

from __future__ import annotations

import requests

from engines.solr import cluster
from tests.conftest import write_jsonl
from tests.test_cli import assert_one_line_error, run_cli
from tests.contract.test_query import article


def test_status_prints_zookeeper_then_each_node_with_its_url_pid_and_state(solr_cluster):
    done = run_cli("solr", "status", "--dir", str(solr_cluster.cluster_dir))
    assert done.returncode == 0, done.stderr
    running = cluster.cluster_info(solr_cluster.cluster_dir)  # the pids of now: a fault test restarts nodes
    lines = [line.split() for line in done.stdout.splitlines()]
    assert lines[0] == ["zookeeper", f"127.0.0.1:{running.zk_port}", "pid", str(running.zk_pid), "live"]
    assert lines[1:] == [[f"node{node.index}", node.base_url, "pid", str(node.pid), "live"]
                         for node in running.nodes]
    assert len(lines) == 3


def test_start_prints_the_url_once_the_cluster_answers_and_stop_ends_it(tmp_path):
    cluster_dir = tmp_path / "cluster"
    base_port = cluster.free_base_port(1)
    started = run_cli("solr", "start", "--nodes", "1", "--port", str(base_port), "--dir", str(cluster_dir))
    try:
        assert started.returncode == 0, started.stderr
        url = f"http://127.0.0.1:{base_port}/solr"
        assert started.stdout.splitlines() == [url]
        assert requests.get(f"{url}/admin/info/system", timeout=10).status_code == 200
        status = run_cli("solr", "status", "--dir", str(cluster_dir))
        assert [line.split()[-1] for line in status.stdout.splitlines()] == ["live", "live"]
    finally:
        stopped = run_cli("solr", "stop", "--dir", str(cluster_dir))
    assert stopped.returncode == 0, stopped.stderr
    assert [line.split()[0] for line in stopped.stdout.splitlines()] == ["zookeeper", "node0"]
    assert all(line.endswith("not running") for line in stopped.stdout.splitlines())
    line = assert_one_line_error(run_cli("solr", "status", "--dir", str(cluster_dir)))
    assert line.startswith(f"run.py: error: no cluster in {cluster_dir}") and "python run.py solr start" in line


def test_starting_on_taken_ports_is_one_line_naming_one(solr_cluster, tmp_path):
    line = assert_one_line_error(run_cli("solr", "start", "--port", str(solr_cluster.nodes[0].port),
                                         "--dir", str(tmp_path / "cluster")))
    assert f"port {solr_cluster.zk_port} on 127.0.0.1" in line and "choose another --port" in line


def test_index_with_the_solr_engine_writes_through_the_alias(solr_cluster, tmp_path):
    records = [article("c1", "La souveraineté du Mali", "Bamako en débat."), article("c2", "Pluies", "Récoltes.")]
    corpus = write_jsonl(tmp_path / "articles.jsonl", records)
    url = ",".join(solr_cluster.base_urls)
    env = {"LOUPE_SOLR_COLLECTION": "cli_alias"}
    try:
        done = run_cli("index", "--engine", "solr", "--solr-url", url, "--index", str(tmp_path / "state"),
                       "--corpus", str(corpus), env=env)
        assert done.returncode == 0, done.stderr
        assert f"Indexed 2 documents into SolrCloud alias cli_alias ({solr_cluster.base_urls[0]})" in done.stdout
        assert "rebuilt from scratch; 2 documents in the index." in done.stdout
        again = run_cli("index", "--engine", "solr", "--solr-url", url, "--index", str(tmp_path / "state"),
                        "--corpus", str(corpus), env=env)
        assert "nothing changed, the index in use is kept; 2 documents in the index." in again.stdout
        found = requests.get(f"{solr_cluster.base_urls[1]}/cli_alias/select", params={"q": "text_t:souverain"},
                             timeout=30).json()["response"]
        assert [doc["id"] for doc in found["docs"]] == ["c1"]
    finally:
        base = solr_cluster.base_urls[0]
        aliases = requests.get(f"{base}/admin/collections", params={"action": "LISTALIASES"}, timeout=30).json()
        collection = aliases["aliases"].get("cli_alias")
        if collection:
            requests.get(f"{base}/admin/collections", params={"action": "DELETEALIAS", "name": "cli_alias"}, timeout=60)
            requests.get(f"{base}/admin/collections", params={"action": "DELETE", "name": collection}, timeout=120)


def test_the_solr_engine_without_a_url_is_one_line_naming_the_setting(tmp_path):
    line = assert_one_line_error(run_cli("index", "--engine", "solr", "--index", str(tmp_path / "state"),
                                         env={"LOUPE_SOLR_URL": ""}))
    assert line == ("run.py: error: the solr engine needs LOUPE_SOLR_URL (or --solr-url), "
                    "e.g. http://127.0.0.1:8983/solr")


def test_an_unreachable_solr_is_one_line_saying_to_start_it(tmp_path):
    line = assert_one_line_error(run_cli("index", "--engine", "solr", "--solr-url", "http://127.0.0.1:9/solr",
                                         "--index", str(tmp_path / "state"), "--corpus", str(tmp_path)))
    assert "SolrCloud does not answer" in line and "python run.py solr start" in line
