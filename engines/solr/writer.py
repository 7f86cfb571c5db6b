"""Write into SolrCloud: an alias names the collection in use; a rebuild fills a new collection, then moves the alias.

The Solr side of the write seam (indexer/target.py), as engines/whoosh/writer.py
is Whoosh's:

- the alias (LOUPE_SOLR_COLLECTION, `loupe`) is the truth for which collection
  searches read; its collections are named `<alias>_<UTC stamp>`
  (`loupe_20260301T101500123456`), so they sort by age;
- an incremental run writes the changes into the collection in use and commits
  once at the end;
- a rebuild (asked for, no alias yet, or a collection built with another
  configset, schema version or analysis) creates a new collection with
  Loupe's configset, fills it, commits, then points the alias at it with one
  CREATEALIAS: searches never see a half-built collection, and a failed or
  killed rebuild leaves the alias where it was;
- each collection's metadata (documents, built_at, report…) is an alias
  property `loupe.meta.<collection>`, set before the alias moves;
- tidying deletes the alias's other collections, except the one a rebuild has
  just moved the alias away from: servers may still be reading it (a deep
  export, a request in flight). The next run deletes it.

The configset goes up as `loupe-<hash of its files>`: a changed configset is a
new name, so collections built with the old one keep theirs and the next run
rebuilds. Analysis (the costly part) runs in one process per core once there
is more than a batch to send; each process posts its own batches.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import re
import time
import zipfile
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from pathlib import Path

from engines.solr.analysis import ANALYSES, update_body
from engines.solr.client import SolrClient, SolrError
from engines.solr.state import ADMIN_SECONDS, META_PROPERTY, ClusterState, collections_api, current_meta
from engines.whoosh.schema import SCHEMA_VERSION
from indexer.build import origin_file
from indexer.document import Document
from indexer.processes import die_with_parent
from indexer.target import Indexed, run_lock

CONFIGSET_DIR = Path(__file__).resolve().parent / "configset" / "conf"
CONFIGSET_PREFIX = "loupe-"
STAMP_FORMAT = "%Y%m%dT%H%M%S%f"
BATCH_DOCUMENTS = 500  # per /update request
BATCH_CHARACTERS = 4_000_000  # of article text: long articles make smaller batches
PAGE_ROWS = 5_000  # per cursorMark page when reading what is indexed
LIST_ITEMS_KEPT = 100  # of each list in the metadata kept as an alias property
UPDATE_SECONDS = 300
ACTIVE_SECONDS = 120.0
JSON_HEADERS = {"Content-Type": "application/json"}


# ---------------------------------------------------------------- the configset

def configset_files(conf_dir: Path = CONFIGSET_DIR) -> list[Path]:
    return sorted(path for path in conf_dir.rglob("*") if path.is_file())


def configset_name(conf_dir: Path = CONFIGSET_DIR) -> str:
    """`loupe-<12 hex digits>`: a digest of every file's path and content."""
    digest = hashlib.sha256()
    for path in configset_files(conf_dir):
        digest.update(path.relative_to(conf_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return CONFIGSET_PREFIX + digest.hexdigest()[:12]


def configset_zip(conf_dir: Path = CONFIGSET_DIR) -> bytes:
    """The configset's files as the zip the configsets API takes (paths relative to conf/)."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in configset_files(conf_dir):
            zipped.write(path, path.relative_to(conf_dir).as_posix())
    return archive.getvalue()


def upload_configset(client: SolrClient, name: str, conf_dir: Path = CONFIGSET_DIR) -> None:
    """PUT the configset as `name` (v2 API), replacing one of that name."""
    # /solr/____v2 is where Solr serves its v2 API (/api is rewritten to it): it lies under the
    # node URLs the client knows, whatever the host's /api routing.
    client.checked("PUT", f"____v2/configsets/{name}", params={"overwrite": "true"},
                   data=configset_zip(conf_dir), headers={"Content-Type": "application/octet-stream"},
                   timeout=ADMIN_SECONDS)


# ---------------------------------------------------------------- collections

def new_collection_name(alias: str) -> str:
    return f"{alias}_{datetime.now(timezone.utc).strftime(STAMP_FORMAT)}"


def family_pattern(alias: str) -> re.Pattern:
    """The names of the collections Loupe creates for `alias`."""
    return re.compile(rf"^{re.escape(alias)}_\d{{8}}T\d{{12}}$")


def wait_until_active(client: SolrClient, collection: str, timeout: float = ACTIVE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not ClusterState(client).all_replicas_active(collection):
        if time.monotonic() > deadline:
            raise SolrError(f"the replicas of {collection} are not all active after {timeout:.0f} s: "
                            "check that every Solr node is live (python run.py solr status) and read their logs")
        time.sleep(0.5)


def _cut(lines: list[str]) -> list[str]:
    if len(lines) <= LIST_ITEMS_KEPT:
        return lines
    return lines[:LIST_ITEMS_KEPT] + [f"… and {len(lines) - LIST_ITEMS_KEPT:,} more"]


def stored_meta(meta: dict) -> dict:
    """`meta` with its long lists (corpus files, merged, failed) cut: ZooKeeper's data must stay small.

    The job log under the state directory keeps the whole report.
    """
    report = {name: _cut(value) if isinstance(value, list) else value for name, value in meta.get("report", {}).items()}
    return {**meta, "corpus": _cut(meta.get("corpus", [])), "report": report}


# ---------------------------------------------------------------- sending batches

_worker_clients: dict[tuple[str, ...], SolrClient] = {}  # a pool worker's own client
def add_batch(client: SolrClient, collection: str, docs: list[Document], analysis: str) -> int:
    """Analyse `docs` and add them to `collection` in one /update request; returns how many."""
    client.checked("POST", f"{collection}/update", data=update_body(docs, analysis), headers=JSON_HEADERS,
                   timeout=UPDATE_SECONDS)
    return len(docs)


def _add_batch_in_worker(urls: tuple[str, ...], collection: str, docs: list[Document], analysis: str) -> int:
    client = _worker_clients.get(urls)
    if client is None:
        client = _worker_clients[urls] = SolrClient(list(urls))
    return add_batch(client, collection, docs, analysis)


def _result(future: Future) -> int:
    try:
        return future.result()
    except BrokenProcessPool:
        raise SolrError("an analysis process died (out of memory?): the collection in use is unchanged; "
                        "run the command again, with more memory free") from None


class BatchSender:
    """Documents to add, in batches: sent from this process for a small run, from a pool of processes beyond one batch.

    At most two batches per process are in flight, so memory stays bounded
    while the corpus is read. The workers post to the nodes in turn.
    """

    def __init__(self, client: SolrClient, collection: str, analysis: str, processes: int) -> None:
        self.client = client
        self.urls = tuple(client.nodes())
        self.collection = collection
        self.analysis = analysis
        self.processes = processes
        self.batch: list[Document] = []
        self.characters = 0
        self.pool: ProcessPoolExecutor | None = None
        self.in_flight: deque[Future] = deque()

    def add(self, doc: Document) -> None:
        self.batch.append(doc)
        self.characters += len(doc.body) + len(doc.title) + len(doc.summary)
        if len(self.batch) >= BATCH_DOCUMENTS or self.characters >= BATCH_CHARACTERS:
            self._send(parallel=self.processes > 1)

    def flush(self) -> None:
        """Send what is left and wait until every batch is in Solr; raises the first failure."""
        if self.batch:
            self._send(parallel=self.pool is not None)
        while self.in_flight:
            _result(self.in_flight.popleft())
        self.close()

    def close(self) -> None:
        """Stop the pool: batches not started are dropped, those being sent finish (seconds at most)."""
        pool, self.pool = self.pool, None
        self.batch, self.characters = [], 0
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        self.in_flight.clear()

    def _send(self, parallel: bool) -> None:
        batch, self.batch, self.characters = self.batch, [], 0
        if not parallel:
            add_batch(self.client, self.collection, batch, self.analysis)
            return
        if self.pool is None:
            self.pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("fork"),
                                            initializer=die_with_parent, initargs=(os.getpid(),))
        while len(self.in_flight) >= 2 * self.processes:
            _result(self.in_flight.popleft())
        self.in_flight.append(self.pool.submit(_add_batch_in_worker, self.urls, self.collection, batch,
                                               self.analysis))


# ---------------------------------------------------------------- the generation and the target

def indexed_articles(client: SolrClient, collection: str) -> dict[str, Indexed]:
    """What an indexing run needs of each article of a collection, read page by page."""
    found: dict[str, Indexed] = {}
    cursor = "*"
    while True:
        page = client.get(f"{collection}/select", q="*:*", sort="id asc", rows=PAGE_ROWS,
                          fl="id,content_hash,origin,collection,added,story,signature", cursorMark=cursor)
        for doc in page["response"]["docs"]:
            found[doc["id"]] = Indexed(doc.get("content_hash", ""), origin_file(doc.get("origin", "")),
                                       doc.get("collection", ""), doc.get("added", ""), doc.get("story", ""),
                                       base64.b64decode(doc.get("signature", "")))
        if page["nextCursorMark"] == cursor:
            return found
        cursor = page["nextCursorMark"]


class SolrGeneration:
    """One run's writes: into the collection in use (incremental) or into a new collection (rebuild)."""

    def __init__(self, target: SolrCollection, collection: str, incremental: bool) -> None:
        self.target = target
        self.client = target.client
        self.collection = collection
        self.incremental = incremental
        self.sender = BatchSender(self.client, collection, target.analysis, target.processes)
        self.deletions: list[str] = []

    def indexed(self) -> dict[str, Indexed]:
        # Writes an interrupted run sent but never committed would otherwise surface at this
        # run's commit unseen: commit them first, so the comparison starts from all of them.
        self._commit()
        return indexed_articles(self.client, self.collection)

    def add(self, doc: Document) -> None:
        self.sender.add(doc)

    def update(self, doc: Document) -> None:
        self.sender.add(doc)  # same id: Solr replaces the document

    def delete(self, doc_id: str) -> None:
        self.deletions.append(doc_id)
        if len(self.deletions) >= BATCH_DOCUMENTS:
            self._send_deletions()

    def commit(self) -> int:
        self.sender.flush()
        self._send_deletions()
        self._commit()
        return self.client.get(f"{self.collection}/select", q="*:*", rows=0)["response"]["numFound"]

    def publish(self, meta: dict) -> None:
        """Record the metadata as the alias property of this collection, then point the alias at it."""
        meta = stored_meta({"schema_version": SCHEMA_VERSION, "configset": self.target.configset,
                            "analysis": self.target.analysis, "collection": self.collection, **meta})
        alias = self.target.alias
        state = ClusterState(self.client)
        had_alias = alias in state.aliases
        if had_alias:
            self._set_meta(meta)
        if not self.incremental:
            collections_api(self.client, "CREATEALIAS", name=alias, collections=self.collection)
            self.target.replaced = [name for name in state.aliases.get(alias, []) if name != self.collection]
        if not had_alias:
            self._set_meta(meta)

    def discard(self) -> None:
        """Stop sending; a rebuild's collection is deleted (or left for the next run's tidy-up if Solr is away)."""
        self.sender.close()
        self.deletions = []
        if not self.incremental:
            with contextlib.suppress(Exception):
                collections_api(self.client, "DELETE", name=self.collection)

    def _set_meta(self, meta: dict) -> None:
        collections_api(self.client, "ALIASPROP", name=self.target.alias,
                        **{f"property.{META_PROPERTY}{self.collection}": json.dumps(meta, ensure_ascii=False)})

    def _send_deletions(self) -> None:
        if self.deletions:
            ids, self.deletions = self.deletions, []
            self.client.checked("POST", f"{self.collection}/update", json={"delete": ids}, timeout=UPDATE_SECONDS)

    def _commit(self) -> None:
        # A hard commit that opens a new searcher on every replica: the run's changes are visible when it returns.
        self.client.checked("POST", f"{self.collection}/update", json={},
                            params={"commit": "true", "openSearcher": "true", "waitSearcher": "true"},
                            timeout=UPDATE_SECONDS)


class SolrCollection:
    """A SolrCloud alias as an indexing target: the alias → the collection in use, new collections beside it.

    `analysis="lucene"` puts the raw title and text into title_l/text_l, for
    Solr's own French chain, instead of Loupe's tokens in title_t/text_t (the
    other fields are Loupe's either way): for the analysis comparison only.
    """

    def __init__(self, solr_url: str | list[str], alias: str = "loupe", *, state_dir: Path, shards: int = 2,
                 replicas: int = 2, analysis: str = "pre", processes: int | None = None,
                 configset_dir: Path = CONFIGSET_DIR) -> None:
        if analysis not in ANALYSES:
            raise ValueError(f"analysis must be one of {', '.join(ANALYSES)}, not {analysis!r}")
        self.client = SolrClient(solr_url)
        self.alias = alias
        self.state_dir = Path(state_dir)
        self.cache_dir = self.state_dir / "cache"
        self.shards = shards
        self.replicas = replicas
        self.analysis = analysis
        self.processes = processes or os.cpu_count() or 1
        self.configset_dir = configset_dir
        self.configset = configset_name(configset_dir)
        self.location = f"SolrCloud alias {alias} ({self.client.configured[0]})"
        self.replaced: list[str] = []  # what this run's rebuild moved the alias away from: kept one more run

    def lock(self):
        """A lock file per alias under the state directory: one indexing run at a time from this machine."""
        return run_lock(self.state_dir / f"solr-{self.alias}.lock")

    def begin(self, rebuild: bool) -> SolrGeneration:
        """Incremental into the collection in use, unless `rebuild` or it was built otherwise: then a new collection."""
        state = ClusterState(self.client)
        if self.alias in state.collections and self.alias not in state.aliases:
            raise SolrError(f"{self.alias!r} is a collection, not an alias: Loupe writes through an alias so that "
                            "rebuilds swap atomically; set LOUPE_SOLR_COLLECTION to another name (Loupe creates "
                            "the alias and its collections), or delete that collection")
        current = state.alias_target(self.alias)
        meta = state.meta(self.alias, current)
        usable = (current is not None and state.config_name(current) == self.configset
                  and meta.get("schema_version") == SCHEMA_VERSION and meta.get("analysis") == self.analysis)
        if usable and not rebuild:
            return SolrGeneration(self, current, incremental=True)
        return SolrGeneration(self, self._create_collection(), incremental=False)

    def current_meta(self) -> dict:
        return current_meta(self.client, self.alias)

    def in_use(self) -> dict[str, Indexed]:
        current = ClusterState(self.client).alias_target(self.alias)
        return indexed_articles(self.client, current) if current is not None else {}

    def tidy(self) -> list[str]:
        """Delete this alias's collections but the one in use and the one this run replaced; returns their names."""
        state = ClusterState(self.client)
        kept = set(state.aliases.get(self.alias, [])) | set(self.replaced)
        removed = []
        for name in sorted(state.collections):
            if not family_pattern(self.alias).match(name) or name in kept:
                continue
            try:
                collections_api(self.client, "DELETE", name=name)
            except SolrError:
                continue  # another alias still points at it: its owner decides
            removed.append(name)
        stale = [key for key in state.properties.get(self.alias, {})
                 if key.startswith(META_PROPERTY) and key[len(META_PROPERTY):] not in kept]
        if stale:
            # An empty value removes an alias property.
            collections_api(self.client, "ALIASPROP", name=self.alias, **{f"property.{key}": "" for key in stale})
        return removed

    def _create_collection(self) -> str:
        """A new empty collection with Loupe's configset, every replica active."""
        configsets = self.client.get("admin/configs", action="LIST").get("configSets", [])
        if self.configset not in configsets:
            upload_configset(self.client, self.configset, self.configset_dir)
        name = new_collection_name(self.alias)
        try:
            collections_api(self.client, "CREATE", name=name, numShards=self.shards,
                            replicationFactor=self.replicas, waitForFinalState="true",
                            **{"collection.configName": self.configset})
            wait_until_active(self.client, name)
        except BaseException:
            with contextlib.suppress(Exception):
                collections_api(self.client, "DELETE", name=name)
            raise
        return name
