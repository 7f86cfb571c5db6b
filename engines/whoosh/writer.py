"""Write a Whoosh index: each run builds a new directory beside the one in use and swaps it in atomically.

The Whoosh side of the write seam (indexer/target.py). See engines/whoosh/store.py
for the layout of an index directory.
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import shutil
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name

from engines.whoosh.schema import ENTITY_FACETS, SCHEMA_VERSION, TAG_SEPARATOR, build_schema
from engines.whoosh.store import CURRENT_LINK, META_FILE, current_build, read_meta
from indexer.build import origin_file
from indexer.document import Document
from indexer.processes import die_with_parent
from indexer.target import Indexed, run_lock

LOCK_FILE = ".lock"
WRITER_MEMORY_MB = 256


def document_fields(doc: Document) -> dict:
    """The Whoosh fields of one Document: one definition of how a Document is indexed."""
    day = doc.published.isoformat() if doc.published else ""
    full_text = "\n\n".join(part for part in (doc.title, doc.summary, doc.body) if part)
    fields = {
        "id": doc.id,
        "title": doc.title,
        "text": full_text,
        "exact": full_text,
        "summary": doc.summary,
        "body": doc.body,
        "url": doc.url,
        "origin": doc.origin,
        "content_hash": doc.content_hash,
        "language": doc.language,
        "author": doc.author,
        "source": doc.source,
        "section": doc.section,
        "collection": doc.collection,
        "tags": TAG_SEPARATOR.join(doc.tags),
        "date": day,
        "year": day[:4],
        "month": day[:7],
    }
    # Facet columns hold only real values, so an unknown author is not a facet value.
    for name, value in (("author_facet", doc.author), ("source_facet", doc.source), ("section_facet", doc.section)):
        if value:
            fields[name] = value
    if doc.tags:
        fields["tag_facet"] = TAG_SEPARATOR.join(doc.tags)
    fields.update(added=doc.added, story=doc.story or doc.id, signature=doc.signature,
                  entities=[e.as_list() for e in doc.entities])
    for kind in ENTITY_FACETS:
        named = [e for e in doc.entities if e.type == kind]
        if named:
            fields[kind] = "\n".join(e.form for e in named)
            fields[f"{kind}_facet"] = TAG_SEPARATOR.join(e.key for e in named)
            fields[f"{kind}_form"] = TAG_SEPARATOR.join(e.form_value for e in named)
    return fields


def indexed_articles(ix) -> dict[str, Indexed]:
    """What an indexing run needs of each article of a Whoosh index."""
    with ix.searcher() as searcher:
        return {
            fields["id"]: Indexed(fields.get("content_hash", ""), origin_file(fields.get("origin", "")),
                                  fields.get("collection", ""), fields.get("added", ""), fields.get("story", ""),
                                  fields.get("signature", b""))
            for fields in searcher.all_stored_fields()
        }


def build_lock(index_dir: Path):
    """Hold the index directory's lock; a second build fails at once with a clear message."""
    return run_lock(index_dir / LOCK_FILE)


def _new_build_dir(index_dir: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    path = index_dir / f"build-{stamp}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


def swap_current(index_dir: Path, build_dir: Path) -> None:
    """Point `current` at `build_dir` in one atomic rename."""
    tmp_link = index_dir / f".{CURRENT_LINK}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(build_dir.name)
    os.replace(tmp_link, index_dir / CURRENT_LINK)


def prune_builds(index_dir: Path) -> list[str]:
    """Remove old and abandoned builds, keeping `current` and the complete build before it; returns their names.

    The previous build stays because a server process may still be answering
    from a searcher opened on it.
    """
    current = current_build(index_dir)
    builds = sorted(index_dir.glob("build-*"), key=lambda p: p.name, reverse=True)
    previous = [
        b for b in builds if current and b.name < current.name and (b / META_FILE).exists()
    ][:1]
    removed = [build for build in builds if build != current and build not in previous]
    for build in removed:
        shutil.rmtree(build, ignore_errors=True)
    return [build.name for build in removed]


class _WorkerTask(SubWriterTask):
    """One of Whoosh's writer processes, ending with the run that forked it (see die_with_parent)."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.parent_pid = os.getpid()

    def run(self) -> None:
        die_with_parent(self.parent_pid)
        try:
            super().run()
        except OSError as error:
            # A full disk (or a build the run has already discarded): the run reports it in one
            # line and keeps the index in use; a traceback per process would only bury that line.
            os._exit(error.errno if error.errno and 0 < error.errno < 256 else 1)


class _ParallelWriter(MpWriter):
    """Whoosh's multiprocessing writer whose processes die with the run, even on kill -9."""

    def commit(self, *args, **kwargs) -> None:
        """Commit, then refuse the result if a writer process failed: Whoosh would leave its documents out."""
        super().commit(*args, **kwargs)
        failed = sorted({task.exitcode for task in self.tasks if task.exitcode})
        if failed:
            reasons = ", ".join(os.strerror(code) if code > 1 else "an error" for code in failed)
            raise OSError(failed[0] if failed[0] > 1 else 0,
                          f"a writer process stopped ({reasons}) and the new build lacks its documents")

    def _enqueue(self) -> None:
        """Whoosh's _enqueue, except that a full job queue with every writer process dead is an error.

        Whoosh waits on the bounded queue forever: once every process has died (a
        full disk), nothing takes the next job and the run would hang.
        """
        filename = f"{random_name()}.doclist"
        with self.temp_storage().create_file(filename).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, 2)
        if len(self.tasks) < self.procs:
            self._new_task()
        job = (filename, len(self.docbuffer))
        while True:
            try:
                self.jobqueue.put(job, timeout=1.0)
                break
            except queue.Full:
                if not any(task.is_alive() for task in self.tasks):
                    codes = sorted({task.exitcode for task in self.tasks if task.exitcode})
                    code = codes[0] if codes and codes[0] > 1 else 0
                    raise OSError(code, f"every writer process stopped ({os.strerror(code) if code else 'an error'})"
                                  " and the new build cannot be written") from None
        self.docbuffer = []

    def _new_task(self):
        task = _WorkerTask(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                           self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def _writer(ix, parallel: bool):
    """A writer; a full build analyses in one process per core (about 1.9x on 2 cores).

    Whoosh's multiprocessing writer leaves one segment per process, which costs
    searches little. Incremental runs write few documents and need update/delete,
    so they use the plain writer.
    """
    processes = os.cpu_count() or 1
    if parallel and processes > 1:
        return _ParallelWriter(ix, procs=processes, limitmb=WRITER_MEMORY_MB // processes, multisegment=True)
    return ix.writer(limitmb=WRITER_MEMORY_MB)


def _link_copy(build: Path, new_build: Path) -> None:
    """Hard-link the segment and TOC files of `build` into `new_build`.

    Whoosh never rewrites a segment file in place: a commit writes new segments
    and a new TOC, and unlinks old ones only in the directory it writes to. The
    build being served is therefore never touched by an incremental run.
    """
    for item in build.iterdir():
        if item.is_file() and item.name not in (META_FILE,) and not item.name.endswith("WRITELOCK"):
            os.link(item, new_build / item.name)


class WhooshGeneration:
    """A new build directory: a hard-linked copy of the build in use (incremental) or an empty index."""

    def __init__(self, index_dir: Path, current: Path | None) -> None:
        self.index_dir = index_dir
        self.incremental = current is not None
        self.build_dir = _new_build_dir(index_dir)
        if current is not None:
            _link_copy(current, self.build_dir)
            self.ix = whoosh_index.open_dir(str(self.build_dir))
        else:
            self.ix = whoosh_index.create_in(str(self.build_dir), build_schema())
        self._writer = None

    @property
    def writer(self):
        if self._writer is None:
            self._writer = _writer(self.ix, parallel=not self.incremental)
        return self._writer

    def indexed(self) -> dict[str, Indexed]:
        return indexed_articles(self.ix)

    def add(self, doc: Document) -> None:
        self.writer.add_document(**document_fields(doc))

    def update(self, doc: Document) -> None:
        self.writer.update_document(**document_fields(doc))

    def delete(self, doc_id: str) -> None:
        self.writer.delete_by_term("id", doc_id)

    def commit(self) -> int:
        writer, self._writer = self.writer, None  # committed or failed, it is closed: discard must not cancel it
        writer.commit()
        with self.ix.searcher() as searcher:
            return searcher.doc_count()

    def publish(self, meta: dict) -> None:
        meta = {"schema_version": SCHEMA_VERSION, **meta}
        (self.build_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        swap_current(self.index_dir, self.build_dir)

    def discard(self) -> None:
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                writer.cancel()
        finally:
            shutil.rmtree(self.build_dir, ignore_errors=True)


class WhooshIndex:
    """An index directory as an indexing target: `current` → the build in use, one lock, new builds beside it."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self.location = str(self.index_dir)
        self.cache_dir = self.index_dir / "cache"

    def lock(self):
        return build_lock(self.index_dir)

    def begin(self, rebuild: bool) -> WhooshGeneration:
        """Incremental from the build in use, unless `rebuild` or it has an older schema."""
        current = current_build(self.index_dir)
        usable = current is not None and read_meta(current).get("schema_version") == SCHEMA_VERSION
        return WhooshGeneration(self.index_dir, current if usable and not rebuild else None)

    def current_meta(self) -> dict:
        current = current_build(self.index_dir)
        return read_meta(current) if current is not None else {}

    def in_use(self) -> dict[str, Indexed]:
        current = current_build(self.index_dir)
        if current is None:
            return {}
        try:
            return indexed_articles(whoosh_index.open_dir(str(current)))
        except Exception:  # noqa: BLE001 — an unreadable index in use has nothing to carry over
            return {}

    def tidy(self) -> list[str]:
        return prune_builds(self.index_dir)
