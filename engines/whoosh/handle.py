"""Keep a searcher open on the current build; move to a new build once it is swapped in, warmed.

Never `Searcher.refresh()`: in Whoosh 2.7.5 it can duplicate documents after a
merge. A new build is a new directory, so a new searcher is opened on it.
Searchers are per thread because Whoosh's file readers seek and read shared
handles.

A new build is warmed (value columns, word lists: `warm`) before it is served.
A served process runs `watch()`, which notices a swap within a second and warms
the new build in the background while requests still read the old one; without
the watcher (tests, the CLI), the first request after a swap does it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path

from whoosh.index import Index
from whoosh.searching import Searcher

from engines.whoosh.caches import share_memos
from engines.whoosh.store import CURRENT_LINK, open_current

WATCH_SECONDS = 1.0


def _no_warming(_searcher: Searcher) -> None:
    pass


@dataclass(frozen=True)
class _Served:
    """One build as served: its index and the memos of its searchers, numbered in swap order."""

    generation: int
    index: Index
    build: Path
    memos: dict


class IndexHandle:
    """The index a process serves from; `searcher()` always reads the newest warmed build."""

    def __init__(self, index_dir: Path, warm: Callable[[Searcher], None] = _no_warming) -> None:
        self.index_dir = Path(index_dir)
        self._warm = warm
        self._lock = threading.Lock()
        # Replaced whole, never field by field, so a reader never pairs one build's
        # index with another build's memos (value columns indexed by its docnums).
        self._current: _Served | None = None
        self._local = threading.local()
        self._watcher: threading.Thread | None = None

    def _link_target(self) -> str | None:
        try:
            return os.readlink(self.index_dir / CURRENT_LINK)
        except OSError:
            return None

    def _ensure_current(self) -> _Served:
        current = self._current
        if current is not None and self._link_target() == current.build.name:
            return current
        # While another thread (the watcher) warms the new build, keep serving the old one.
        if not self._lock.acquire(blocking=current is None):
            return current
        try:
            current = self._current
            if current is not None and self._link_target() == current.build.name:
                return current
            index, build = open_current(self.index_dir)
            memos: dict = {}
            with index.searcher() as searcher:
                share_memos(searcher, memos)
                self._warm(searcher)
            generation = 1 if current is None else current.generation + 1
            self._current = _Served(generation, index, build, memos)
            return self._current
        finally:
            self._lock.release()

    def watch(self, interval: float = WATCH_SECONDS) -> None:
        """Warm each new build in a background thread as soon as it is swapped in."""
        if self._watcher is not None:
            return

        def follow() -> None:
            while True:
                try:
                    self._ensure_current()
                except Exception:  # noqa: BLE001 — an unreadable build is reported by the next request
                    pass
                time.sleep(interval)

        self._watcher = threading.Thread(target=follow, name="loupe-index-watcher", daemon=True)
        self._watcher.start()

    def searcher(self) -> Searcher:
        """A searcher on the current build, reused by this thread until a new build lands."""
        current = self._ensure_current()
        cached = getattr(self._local, "searcher", None)
        if cached is not None and cached[0] == current.generation:
            return cached[1]
        if cached is not None:
            cached[1].close()
        searcher = current.index.searcher()
        share_memos(searcher, current.memos)
        self._local.searcher = (current.generation, searcher)
        return searcher

    @property
    def build(self) -> Path:
        return self._ensure_current().build
