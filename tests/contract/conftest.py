"""The API contract suite: every test in this folder runs once against Whoosh and once against SolrCloud.

A test asks for `make_client(records)` (or `demo_client`) and gets a Flask test client
over an index of those records built by the engine of the run: a Whoosh index in a
temporary directory, or a 2-shard × 2-replica collection behind an alias on the
session's real two-node SolrCloud (tests/conftest.py `solr_cluster`). The same corpus
is indexed once per engine and session, so a module's tests share it. Tests that are
about one engine only live beside that engine (tests/engines/…).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from engines.factory import open_target
from indexer.build import build_index
from tests.conftest import DEMO_CORPUS, write_jsonl
from webui.app import create_app

ENGINES = ("whoosh", "solr")
_aliases = itertools.count()


class ContractIndexes:
    """Indexes of one engine, one per distinct corpus, built on first use and kept for the session."""

    def __init__(self, engine: str, directory: Path, solr_url: str | None) -> None:
        self.engine = engine
        self.directory = directory
        self.solr_url = solr_url
        self._configs: dict[str, dict] = {}

    def config(self, records: list[dict] | None, entities: bool = False) -> dict:
        """The create_app settings of an index of `records` (None: the bundled demo corpus), with entities if asked."""
        key = "demo" if records is None else hashlib.sha256(
            json.dumps(records, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
        key += "-entities" if entities else ""
        if key not in self._configs:
            self._configs[key] = self._build(key, records, entities)
        return dict(self._configs[key])

    def _build(self, key: str, records: list[dict] | None, entities: bool) -> dict:
        place = self.directory / key
        place.mkdir(parents=True)
        corpus = [DEMO_CORPUS] if records is None else [write_jsonl(place / "corpus.jsonl", records)]
        config = {"ENGINE": self.engine, "INDEX_DIR": str(place / "index"), "TESTING": True}
        if self.engine == "solr":
            config |= {"SOLR_URL": self.solr_url, "SOLR_COLLECTION": f"contract{next(_aliases)}"}
        target = open_target(self.engine, index_dir=Path(config["INDEX_DIR"]), solr_url=self.solr_url,
                             solr_collection=config.get("SOLR_COLLECTION", "loupe"), solr_shards=2, solr_replicas=2)
        build_index(corpus, target, entities=entities)
        return config


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def contract_indexes(engine_name, tmp_path_factory, request) -> ContractIndexes:
    solr_url = None
    if engine_name == "solr":
        solr_url = ",".join(request.getfixturevalue("solr_cluster").base_urls)
    return ContractIndexes(engine_name, tmp_path_factory.mktemp(f"contract-{engine_name}"), solr_url)


@pytest.fixture
def make_client(contract_indexes) -> Callable[..., object]:
    """make_client(records, entities=False, **flask_config): a test client of the engine under test over
    `records`, their people, places and organisations found when `entities`."""

    def make(records: list[dict], entities: bool = False, **config):
        return create_app({**contract_indexes.config(records, entities), **config}).test_client()

    return make


@pytest.fixture(scope="session")
def demo_app(contract_indexes):
    """The bundled demo corpus on the engine under test (overrides the Whoosh-only fixture of tests/)."""
    return create_app(contract_indexes.config(None))
