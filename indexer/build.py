"""Build an index beside the one in use and swap it in atomically; progress and report.

See indexer/store.py for the layout of an index directory.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.document import Document
from indexer.errors import IndexLocked, SourceError
from indexer.schema import SCHEMA_VERSION, TAG_SEPARATOR, build_schema
from indexer.corpus import read_sources
from indexer.sources.outcome import Failure
from indexer.store import CURRENT_LINK, META_FILE, current_build

LOCK_FILE = ".lock"
WRITER_MEMORY_MB = 256


@dataclass
class BuildReport:
    """What a build did, printed by the CLI and kept as JSON beside the index."""

    added: int = 0
    merged: list[str] = field(default_factory=list)  # "id (same url as other-id)"
    failed: list[str] = field(default_factory=list)  # "path[:line]: reason"
    seconds: float = 0.0
    index_path: str = ""

    @property
    def docs_per_second(self) -> float:
        return self.added / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "docs_per_second": round(self.docs_per_second, 1)}


ProgressCallback = Callable[[int, str], None]  # (documents so far, current origin)


def document_fields(doc: Document) -> dict:
    """The Whoosh fields of one Document: one definition of how a Document is indexed."""
    day = doc.published.isoformat() if doc.published else ""
    fields = {
        "id": doc.id,
        "title": doc.title,
        "text": "\n\n".join(part for part in (doc.title, doc.summary, doc.body) if part),
        "exact": "\n\n".join(part for part in (doc.title, doc.summary, doc.body) if part),
        "summary": doc.summary,
        "body": doc.body,
        "url": doc.url,
        "origin": doc.origin,
        "content_hash": doc.content_hash,
        "language": doc.language,
        "author": doc.author,
        "source": doc.source,
        "section": doc.section,
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


def unique_documents(
    items: Iterable[Document | Failure], report: BuildReport
) -> Iterator[Document]:
    """Documents with an id or url not seen before; failures and merges go to the report."""
    seen_ids: set[str] = set()
    seen_urls: dict[str, str] = {}
    for item in items:
        if isinstance(item, Failure):
            report.failed.append(str(item))
        elif item.id in seen_ids:
            report.merged.append(f"{item.origin}: same id {item.id} as an earlier record")
        elif item.url and item.url in seen_urls:
            report.merged.append(f"{item.origin}: same url as {seen_urls[item.url]}")
        else:
            seen_ids.add(item.id)
            if item.url:
                seen_urls[item.url] = item.id
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


def write_meta(build_dir: Path, documents: int, report: BuildReport, corpus: list[Path]) -> None:
    meta = {
        "schema_version": SCHEMA_VERSION,
        "documents": documents,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "corpus": [str(p) for p in corpus],
        "report": report.as_dict(),
    }
    (build_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def _nothing_indexed_message(corpus: list[Path], report: BuildReport) -> str:
    where = ", ".join(str(p) for p in corpus)
    reasons = "; ".join(report.failed[:3]) or "no readable article files there"
    return f"no document to index in {where} ({reasons}); the index in use is unchanged"


def build_index(
    corpus: list[Path],
    index_dir: Path,
    progress: ProgressCallback | None = None,
) -> BuildReport:
    """Index every document under `corpus` into a new build and make it current.

    Raises IndexLocked if another build runs. If anything fails before the swap,
    the index in use is untouched and the half-written build is removed.
    """
    report = BuildReport()
    started = time.perf_counter()
    with build_lock(index_dir):
        build_dir = _new_build_dir(index_dir)
        try:
            ix = whoosh_index.create_in(str(build_dir), build_schema())
            writer = ix.writer(limitmb=WRITER_MEMORY_MB)
            try:
                for count, doc in enumerate(unique_documents(read_sources(corpus), report), start=1):
                    writer.add_document(**document_fields(doc))
                    report.added = count
                    if progress:
                        progress(count, doc.origin)
                if report.added == 0:
                    raise SourceError(_nothing_indexed_message(corpus, report))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            report.seconds = time.perf_counter() - started
            report.index_path = str(index_dir)
            write_meta(build_dir, report.added, report, corpus)
            swap_current(index_dir, build_dir)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)
            raise
        prune_builds(index_dir)
    return report
