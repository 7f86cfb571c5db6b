"""Build an index beside the one in use and swap it in atomically; progress and report.

See indexer/store.py for the layout of an index directory.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.analysis import fold
from indexer.document import Document
from indexer.errors import IndexLocked, SourceError
from indexer.schema import SCHEMA_VERSION, TAG_SEPARATOR, build_schema
from indexer.corpus import CorpusSource, read_corpus
from indexer.sources.outcome import Failure
from indexer.store import CURRENT_LINK, META_FILE, current_build, read_meta

LOCK_FILE = ".lock"
WRITER_MEMORY_MB = 256


@dataclass
class BuildReport:
    """What a build did, printed by the CLI and kept as JSON beside the index."""

    mode: str = "rebuild"  # or "incremental"
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    merged: list[str] = field(default_factory=list)  # "origin: same url as other-id"
    failed: list[str] = field(default_factory=list)  # "path[:line]: reason"
    seconds: float = 0.0
    index_path: str = ""
    documents: int = 0  # in the index after the run
    # Files that failed to read (from Failure.origin): their indexed documents are kept. Not reported.
    failed_files: set[str] = field(default_factory=set, repr=False)

    @property
    def read(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def docs_per_second(self) -> float:
        """Documents read per second (each is parsed, hashed and compared or indexed)."""
        return self.read / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        fields = {name: value for name, value in asdict(self).items() if name != "failed_files"}
        return {**fields, "docs_per_second": round(self.docs_per_second, 1)}


ProgressCallback = Callable[[int, str], None]  # (documents so far, current origin)


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
    return fields


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index directory's lock; a second build fails at once with a clear message.

    flock is released by the kernel when the process dies, so a killed build
    never leaves a stale lock behind.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLocked(
                f"another indexing run holds {index_dir / LOCK_FILE}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def content_fingerprint(doc: Document) -> str:
    """Title and body as two feeds' copies of one article share them: NFC, lower case, no accents, single spaces."""
    text = fold(unicodedata.normalize("NFC", f"{doc.title}\n{doc.body}").lower())
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def unique_documents(
    items: Iterable[Document | Failure], report: BuildReport
) -> Iterator[Document]:
    """Documents with an id, url or text not seen before; failures and merges go to the report."""
    seen_ids: set[str] = set()
    seen_urls: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    for item in items:
        fingerprint = "" if isinstance(item, Failure) else content_fingerprint(item)
        if isinstance(item, Failure):
            report.failed.append(str(item))
            report.failed_files.add(_origin_file(item.origin))
        elif item.id in seen_ids:
            report.merged.append(f"{item.origin}: same id {item.id} as an earlier record")
        elif item.url and item.url in seen_urls:
            report.merged.append(f"{item.origin}: same url as {seen_urls[item.url]}")
        elif fingerprint in seen_texts:
            report.merged.append(f"{item.origin}: same title and text as {seen_texts[fingerprint]}")
        else:
            seen_ids.add(item.id)
            if item.url:
                seen_urls[item.url] = item.id
            seen_texts[fingerprint] = item.id
            yield item


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


def prune_builds(index_dir: Path) -> None:
    """Remove old and abandoned builds, keeping `current` and the complete build before it.

    The previous build stays because a server process may still be answering
    from a searcher opened on it.
    """
    current = current_build(index_dir)
    builds = sorted(index_dir.glob("build-*"), key=lambda p: p.name, reverse=True)
    previous = [
        b for b in builds if current and b.name < current.name and (b / META_FILE).exists()
    ][:1]
    for build in builds:
        if build != current and build not in previous:
            shutil.rmtree(build, ignore_errors=True)


def write_meta(build_dir: Path, report: BuildReport, corpus: list[CorpusSource]) -> None:
    meta = {
        "schema_version": SCHEMA_VERSION,
        "documents": report.documents,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": [str(p) for c in corpus for p in c.paths],
        "report": report.as_dict(),
    }
    (build_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def _nothing_indexed_message(corpus: list[CorpusSource], report: BuildReport) -> str:
    where = ", ".join(str(p) for c in corpus for p in c.paths) or "the registry"
    reasons = "; ".join(report.failed[:3]) or "no readable article files there"
    return f"no document to index in {where} ({reasons}); the index in use is unchanged"


def _writer(ix, parallel: bool):
    """A writer; a full build analyses in one process per core (about 1.9x on 2 cores).

    Whoosh's multiprocessing writer leaves one segment per process, which costs
    searches little. Incremental runs write few documents and need update/delete,
    so they use the plain writer.
    """
    processes = os.cpu_count() or 1
    if parallel and processes > 1:
        return ix.writer(procs=processes, limitmb=WRITER_MEMORY_MB // processes, multisegment=True)
    return ix.writer(limitmb=WRITER_MEMORY_MB)


class _NothingChanged(Exception):
    """An incremental run found nothing to add, update or delete."""


def _as_sources(corpus: list[Path] | list[CorpusSource]) -> list[CorpusSource]:
    return [c if isinstance(c, CorpusSource) else CorpusSource(paths=(Path(c),)) for c in corpus]


def _link_copy(build: Path, new_build: Path) -> None:
    """Hard-link the segment and TOC files of `build` into `new_build`.

    Whoosh never rewrites a segment file in place: a commit writes new segments
    and a new TOC, and unlinks old ones only in the directory it writes to. The
    build being served is therefore never touched by an incremental run.
    """
    for item in build.iterdir():
        if item.is_file() and item.name not in (META_FILE,) and not item.name.endswith("WRITELOCK"):
            os.link(item, new_build / item.name)


def _origin_file(origin: str) -> str:
    path, _, line = origin.rpartition(":")
    return path if path and line.isdigit() else origin


def _indexed_documents(ix, scope: set[str] | None) -> dict[str, tuple[str, str]]:
    """id → (content_hash, origin file) of the documents in `scope` (None: all)."""
    with ix.searcher() as searcher:
        return {
            fields["id"]: (fields.get("content_hash", ""), _origin_file(fields.get("origin", "")))
            for fields in searcher.all_stored_fields()
            if scope is None or fields.get("collection", "") in scope
        }


def _add_all(writer, documents: Iterator[Document], report: BuildReport, progress) -> None:
    for count, doc in enumerate(documents, start=1):
        writer.add_document(**document_fields(doc))
        report.added = count
        if progress:
            progress(count, doc.origin)


def _apply_changes(
    writer, indexed: dict[str, tuple[str, str]], documents: Iterator[Document], report: BuildReport, progress
) -> None:
    """Add new documents, update changed ones, delete those no longer in the corpus.

    A document whose file failed to read this time is kept: a transient read
    error must not empty the archive.
    """
    seen: set[str] = set()
    for count, doc in enumerate(documents, start=1):
        seen.add(doc.id)
        known = indexed.get(doc.id)
        if known is None:
            writer.add_document(**document_fields(doc))
            report.added += 1
        elif known[0] != doc.content_hash:
            writer.update_document(**document_fields(doc))
            report.updated += 1
        else:
            report.unchanged += 1
        if progress:
            progress(count, doc.origin)
    for doc_id, (_hash, origin_file) in indexed.items():
        if doc_id not in seen and origin_file not in report.failed_files:
            writer.delete_by_term("id", doc_id)
            report.deleted += 1


def build_index(
    corpus: list[Path] | list[CorpusSource],
    index_dir: Path,
    progress: ProgressCallback | None = None,
    rebuild: bool = False,
    scope: set[str] | None = None,
) -> BuildReport:
    """Bring the index in line with `corpus` in a new build, then make it current.

    Incremental by default: the current build is hard-linked into a new one and
    only added, changed and removed documents are written. `rebuild` (or no
    current build, or one of an older schema) indexes everything from scratch.
    `scope` limits deletions to documents of those registry sources, for a
    reindex of one source. Raises IndexLocked if another build runs. If
    anything fails before the swap, the index in use is untouched and the
    half-written build is removed.
    """
    sources = _as_sources(corpus)
    report = BuildReport()
    started = time.perf_counter()
    with build_lock(index_dir):
        current = current_build(index_dir)
        incremental = (
            not rebuild and current is not None and read_meta(current).get("schema_version") == SCHEMA_VERSION
        )
        build_dir = _new_build_dir(index_dir)
        try:
            documents = unique_documents(read_corpus(sources), report)
            if incremental:
                report.mode = "incremental"
                _link_copy(current, build_dir)
                ix = whoosh_index.open_dir(str(build_dir))
                indexed = _indexed_documents(ix, scope)
            else:
                ix = whoosh_index.create_in(str(build_dir), build_schema())
            writer = _writer(ix, parallel=not incremental)
            try:
                if incremental:
                    _apply_changes(writer, indexed, documents, report, progress)
                else:
                    _add_all(writer, documents, report, progress)
                if report.read == 0:
                    raise SourceError(_nothing_indexed_message(sources, report))
                if incremental and not (report.added or report.updated or report.deleted):
                    raise _NothingChanged()
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            with ix.searcher() as searcher:
                report.documents = searcher.doc_count()
            report.seconds = time.perf_counter() - started
            report.index_path = str(index_dir)
            write_meta(build_dir, report, sources)
            swap_current(index_dir, build_dir)
        except _NothingChanged:
            # The build in use is already up to date: keep it rather than swap in a copy.
            shutil.rmtree(build_dir, ignore_errors=True)
            prune_builds(index_dir)  # still clear what an interrupted run left
            # Nothing was written, so the build in use holds what its own report counted.
            report.documents = read_meta(current).get("documents", 0)
            report.seconds = time.perf_counter() - started
            report.index_path = str(index_dir)
            return report
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        prune_builds(index_dir)
    return report
