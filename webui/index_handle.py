"""Keep a searcher open on the current build; move to a new build once it is swapped in.

Never `Searcher.refresh()`: in Whoosh 2.7.5 it can duplicate documents after a
merge. A new build is a new directory, so a new searcher is opened on it.
Searchers are per thread because Whoosh's file readers seek and read shared
handles.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from whoosh.index import Index
from whoosh.searching import Searcher

from indexer.schema import term_text
from indexer.store import CURRENT_LINK, open_current, read_meta


class IndexHandle:
    """The index a process serves from; `searcher()` always reads the newest build."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._build: Path | None = None
        self._index: Index | None = None
        self._local = threading.local()
        self._generation = 0

    def _link_target(self) -> str | None:
        try:
            return os.readlink(self.index_dir / CURRENT_LINK)
        except OSError:
            return None

    def _ensure_current(self) -> None:
        target = self._link_target()
        if self._build is not None and target == self._build.name:
            return
        with self._lock:
            if self._build is not None and self._link_target() == self._build.name:
                return
            index, build = open_current(self.index_dir)
            self._index, self._build = index, build
            self._generation += 1

    def searcher(self) -> Searcher:
        """A searcher on the current build, reused by this thread until a new build lands."""
        self._ensure_current()
        cached = getattr(self._local, "searcher", None)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        if cached is not None:
            cached[1].close()
        searcher = self._index.searcher()
        self._local.searcher = (self._generation, searcher)
        return searcher

    @property
    def build(self) -> Path:
        self._ensure_current()
        return self._build

    def stats(self) -> dict:
        """Documents, sources, date range, size and build time of the current index."""
        searcher = self.searcher()
        reader = searcher.reader()
        meta = read_meta(self.build)
        dates = sorted(filter(None, (term_text(d) for d in reader.lexicon("date"))))
        sources = {}
        for term in reader.lexicon("source_facet"):
            name = term_text(term)
            sources[name] = reader.doc_frequency("source_facet", name)
        size = sum(f.stat().st_size for f in self.build.iterdir() if f.is_file())
        return {
            "path": str(self.index_dir),
            "documents": searcher.doc_count(),
            "built_at": meta.get("built_at"),
            "date_from": dates[0] if dates else None,
            "date_to": dates[-1] if dates else None,
            "sources": dict(sorted(sources.items(), key=lambda kv: -kv[1])),
            "size_bytes": size,
        }
