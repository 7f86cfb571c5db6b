"""The SolrCloud test cluster: ZooKeeper and two Solr JVMs in a temporary directory, once a session."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from engines.solr import cluster
from engines.solr.writer import configset_zip

TEST_CONFIGSET = Path(__file__).resolve().parent / "configset" / "conf"


def upload_configset(base_url: str, name: str, conf_dir: Path = TEST_CONFIGSET) -> None:
    """Upload a configset directory, replacing one of that name (v2 API: PUT /api/configsets/NAME)."""
    api_url = base_url.removesuffix("/solr") + "/api/configsets/" + name
    response = requests.put(api_url, params={"overwrite": "true"}, data=configset_zip(conf_dir),
                            headers={"Content-Type": "application/octet-stream"}, timeout=60)
    response.raise_for_status()


@pytest.fixture(scope="session")
def configset_uploader() -> Callable[[str, str], None]:
    """upload_configset(base_url, name), for a test that runs a cluster of its own."""
    return upload_configset


@pytest.fixture(scope="session")
def test_configset(solr_cluster: cluster.ClusterInfo) -> str:
    """The name of the minimal test configset (tests/engines/solr/configset), uploaded once."""
    upload_configset(solr_cluster.base_urls[0], "loupe-cluster-test")
    return "loupe-cluster-test"
