"""The write seam: where an indexing run writes, as indexer/build.py sees it.

Each engine implements these (engines/whoosh/writer.py: a new build directory
swapped in by a symlink; engines/solr/writer.py: a collection behind an alias),
so the same sources, registry, deduplication and report feed either.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from dataclasses import dataclass
from typing import Protocol

from indexer.document import Document
from indexer.errors import IndexLocked


@dataclass(frozen=True)
class Indexed:
    """What a run needs to know of an article already indexed."""

    content_hash: str
    origin_file: str  # the file it was read from (its origin without the line)
    collection: str = ""
    added: str = ""  # when it entered the index (kept through updates and rebuilds)
    story: str = ""
    signature: bytes = b""


class Generation(Protocol):
    """One indexing run's view of the index being written."""

    incremental: bool  # True: starts from the index in use; False: from empty

    def indexed(self) -> dict[str, Indexed]:
        """id → what this generation already holds (nothing for a rebuild)."""

    def add(self, doc: Document) -> None: ...

    def update(self, doc: Document) -> None: ...

    def delete(self, doc_id: str) -> None: ...

    def commit(self) -> int:
        """Write what was added; returns the number of documents the new index holds."""

    def publish(self, meta: dict) -> None:
        """Make the committed index the one searches read, atomically, with `meta` beside it."""

    def discard(self) -> None:
        """Forget this run, written or not: the index in use is untouched."""


class IndexTarget(Protocol):
    """Where indexing runs write: an index directory, a Solr collection alias."""

    location: str  # shown in reports and messages

    def lock(self) -> AbstractContextManager[None]:
        """Held for the whole run; a second run fails at once with IndexLocked."""

    def begin(self, rebuild: bool) -> Generation:
        """A new generation: incremental from the index in use unless `rebuild` or there is none usable."""

    def current_meta(self) -> dict:
        """The metadata of the index in use (`documents`, `built_at`, `report`…); {} when there is none."""

    def in_use(self) -> dict[str, Indexed]:
        """id → the articles of the index in use ({} when there is none), read before a rebuild replaces it."""

    cache_dir: Path  # where runs keep what they may reuse (entities by content hash)

    def tidy(self) -> list[str]:
        """Remove what earlier or interrupted runs left behind, keeping what servers may still read; returns its names."""


def _locked_message(lock_path: Path) -> str:
    try:
        holder = int(lock_path.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return f"another indexing run holds {lock_path}; wait for it to finish"
    return (f"another indexing run (process {holder}) holds {lock_path}; wait for it to finish, or, if "
            f"`ps -o args -p {holder}` shows no `run.py index`, stop that process (kill {holder}) and run again")


@contextmanager
def run_lock(lock_path: Path) -> Iterator[None]:
    """Hold `lock_path` for an indexing run; a second run fails at once with IndexLocked naming the file.

    flock is released by the kernel when the process dies, so a killed run
    never leaves a stale lock behind; its worker processes die with it
    (indexer/processes.py), since they share its descriptors. The holder's pid
    is written in the file, so a refusal can say which process to look at.
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(_locked_message(lock_path)) from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(f"{os.getpid()}\n")
        lock_file.flush()
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
