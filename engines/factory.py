"""Open the engine a deployment names (LOUPE_ENGINE): the only place that knows every implementation."""

from __future__ import annotations

from pathlib import Path

from engines.base import Engine, EngineUnavailable
from indexer.target import IndexTarget

ENGINES = ("whoosh", "solr")


def open_engine(name: str = "whoosh", *, index_dir: Path | None = None, solr_url: str | None = None,
                solr_collection: str = "loupe", warm: bool = True) -> Engine:
    """The read side of engine `name`; implementations are imported only when chosen.

    `warm=False` opens without building per-index state: for a check, not for serving.
    """
    if name == "whoosh":
        from engines.whoosh.engine import WhooshEngine

        return WhooshEngine(Path(index_dir or "index"), warm=warm)
    if name == "solr":
        if not solr_url:
            raise EngineUnavailable("the solr engine needs LOUPE_SOLR_URL (or --solr-url), e.g. http://127.0.0.1:8983/solr")
        from engines.solr.engine import SolrEngine

        return SolrEngine(solr_url, solr_collection)
    raise EngineUnavailable(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


def open_target(name: str = "whoosh", *, index_dir: Path | None = None, solr_url: str | None = None,
                solr_collection: str = "loupe", solr_shards: int = 2, solr_replicas: int = 2) -> IndexTarget:
    """The write side of engine `name`: where indexing runs write, and the lock they hold.

    For Solr, `index_dir` holds the lock (and the job logs); a rebuild creates its collection
    with `solr_shards` shards of `solr_replicas` replicas each.
    """
    if name == "whoosh":
        from engines.whoosh.writer import WhooshIndex

        return WhooshIndex(Path(index_dir or "index"))
    if name == "solr":
        if not solr_url:
            raise EngineUnavailable("the solr engine needs LOUPE_SOLR_URL (or --solr-url), e.g. http://127.0.0.1:8983/solr")
        from engines.solr.writer import SolrCollection

        return SolrCollection(solr_url, solr_collection, state_dir=Path(index_dir or "index"), shards=solr_shards,
                              replicas=solr_replicas)
    raise EngineUnavailable(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
