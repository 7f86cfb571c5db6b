"""Bring an index in line with the sources: read, deduplicate, write the changes, publish; progress and report.

The engine's side (a new Whoosh build directory, a new Solr collection) is an
IndexTarget (indexer/target.py), handed in by the caller: this module never
imports an engine.
"""

from __future__ import annotations

import hashlib
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from indexer.analysis import fold
from indexer.corpus import CorpusSource, read_corpus
from indexer.document import Document
from indexer.entities import EntityCache, EntityExtractor, article_text, in_batches
from indexer.errors import IndexShrunk, SourceError
from indexer.sources.outcome import Failure
from indexer.stories import StoryIndex, signature, story_text
from indexer.target import Generation, Indexed, IndexTarget


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
    deleted_ids: list[str] = field(default_factory=list)  # articles the run took out of the index
    entities_extracted: int = 0  # articles the entity model read (the others came from the cache)
    removed: list[str] = field(default_factory=list)  # builds or collections of earlier runs the tidy-up removed
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
            report.failed_files.add(origin_file(item.origin))
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


def build_meta(report: BuildReport, corpus: list[CorpusSource], previous: dict) -> dict:
    """What is kept beside a published index: its size, when, from what, the run's report, deletions by day.

    `deletions` (UTC day → articles taken out that day) carries over from the
    index in use, so a search pinned to a date can say how many left since.
    """
    now = datetime.now(timezone.utc)
    deletions = dict(previous.get("deletions", {}))
    if report.deleted_ids:
        day = now.date().isoformat()
        deletions[day] = deletions.get(day, 0) + len(report.deleted_ids)
    return {
        "documents": report.documents,
        "built_at": now.isoformat(timespec="seconds"),
        "corpus": [str(p) for c in corpus for p in c.paths],
        "deletions": deletions,
        "report": report.as_dict(),
    }


def _nothing_indexed_message(corpus: list[CorpusSource], report: BuildReport) -> str:
    where = ", ".join(str(p) for c in corpus for p in c.paths) or "the registry"
    reasons = "; ".join(report.failed[:3]) or "no readable article files there"
    return f"no document to index in {where} ({reasons}); the index in use is unchanged"


def _shrunk_message(report: BuildReport, in_use: int) -> str:
    failed = f"; {len(report.failed)} failed, e.g. {report.failed[0]}" if report.failed else ""
    return (f"the rebuild holds {report.documents:,} documents, the index in use {in_use:,}{failed}: "
            "the index in use is unchanged. Fix or restore the missing files, or run again with "
            "--allow-shrink to accept the smaller index")


class _NothingChanged(Exception):
    """An incremental run found nothing to add, update or delete."""


def _as_sources(corpus: list[Path] | list[CorpusSource]) -> list[CorpusSource]:
    return [c if isinstance(c, CorpusSource) else CorpusSource(paths=(Path(c),)) for c in corpus]


def origin_file(origin: str) -> str:
    """`path:line` → `path`: the file an origin comes from."""
    path, _, line = origin.rpartition(":")
    return path if path and line.isdigit() else origin


Change = tuple[str, Document]  # ("add" | "update", the document)


def _all_added(documents: Iterator[Document], report: BuildReport, progress) -> Iterator[Change]:
    for count, doc in enumerate(documents, start=1):
        report.added = count
        if progress:
            progress(count, doc.origin)
        yield "add", doc


def _changes(every: dict[str, Indexed], scope: set[str] | None, documents: Iterator[Document],
             report: BuildReport, progress, deletions: list[str]) -> Iterator[Change]:
    """The documents to add or update; `deletions` gets those of `scope` no longer in the corpus, at the end.

    An id is one article in the whole index: a document already indexed from
    another source (a registry source, then the same file with --corpus) is
    updated or left alone, never added twice. Deletions stay within `scope`.
    A document whose file failed to read this time is kept: a transient read
    error must not empty the archive.
    """
    seen: set[str] = set()
    for count, doc in enumerate(documents, start=1):
        seen.add(doc.id)
        known = every.get(doc.id)
        if known is None:
            report.added += 1
            change: Change | None = ("add", doc)
        elif known.content_hash != doc.content_hash:
            report.updated += 1
            change = ("update", doc)
        else:
            report.unchanged += 1
            change = None
        if progress:
            progress(count, doc.origin)
        if change is not None:
            yield change
    for doc_id, known in every.items():
        if doc_id not in seen and (scope is None or known.collection in scope) and known.origin_file not in report.failed_files:
            deletions.append(doc_id)


@dataclass
class Enrichment:
    """What a run adds to each document it writes: when it entered, its story, its entities."""

    stories: StoryIndex
    previous: dict[str, Indexed]  # the index in use, for the dates articles entered it (kept through updates)
    entities: EntityExtractor | None
    now: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"))

    def enrich(self, changes: Iterator[Change]) -> Iterator[Change]:
        for batch in in_batches(changes, ENRICH_BATCH):
            found = self.entities.entities_of([(doc.content_hash, article_text(doc.title, doc.summary, doc.body))
                                               for _, doc in batch]) if self.entities else [()] * len(batch)
            for (action, doc), entities in zip(batch, found):
                before = self.previous.get(doc.id)
                signature_bytes = signature(story_text(doc.title, doc.body))
                yield action, replace(
                    doc, added=before.added if before is not None and before.added else self.now,
                    story=self.stories.assign(doc.id, signature_bytes), signature=signature_bytes,
                    entities=tuple(entities))


ENRICH_BATCH = 256  # documents sent to entity extraction at a time


def _write(generation: Generation, changes: Iterator[Change]) -> set[str]:
    """Add or update each document; the ids written."""
    written: set[str] = set()
    for action, doc in changes:
        if action == "add":
            generation.add(doc)
        else:
            generation.update(doc)
        written.add(doc.id)
    return written


def build_index(
    corpus: list[Path] | list[CorpusSource],
    target: IndexTarget,
    progress: ProgressCallback | None = None,
    rebuild: bool = False,
    scope: set[str] | None = None,
    allow_shrink: bool = False,
    entities: bool = False,
    entity_processes: int = 0,
) -> BuildReport:
    """Bring the index of `target` in line with `corpus` in a new generation, then publish it.

    Incremental by default: the new generation starts from the index in use and
    only added, changed and removed documents are written. `rebuild` (or no
    usable index in use) indexes everything from scratch. `scope` limits
    deletions to documents of those registry sources, for a reindex of one
    source. Raises IndexLocked if another run holds the target. If anything
    fails before publishing, the index in use is untouched and the half-written
    generation is discarded. A rebuild that ends with fewer documents than
    the index in use (a truncated file, an unreadable folder) is discarded
    too, with IndexShrunk, unless `allow_shrink`.

    Every written document gets the date it entered the index (kept from the
    index in use when it was there), its story (indexer/stories.py) and, with
    `entities`, the people, places and organisations it names
    (indexer/entities.py, in `entity_processes` processes, 0: one per core).
    """
    sources = _as_sources(corpus)
    report = BuildReport()
    started = time.perf_counter()
    with target.lock():
        generation = target.begin(rebuild)
        in_use = 0 if generation.incremental else target.current_meta().get("documents", 0)
        extractor = EntityExtractor(EntityCache(target.cache_dir / "entities.sqlite"),
                                    entity_processes or os.cpu_count() or 1) if entities else None
        try:
            documents = unique_documents(read_corpus(sources), report)
            if generation.incremental:
                report.mode = "incremental"
                every = previous = generation.indexed()
                stories = StoryIndex.of((i, known.signature, known.story) for i, known in every.items())
                deletions: list[str] = []
                enrichment = Enrichment(stories, previous, extractor)
                _write(generation, enrichment.enrich(_changes(every, scope, documents, report, progress, deletions)))
                for doc_id in deletions:
                    generation.delete(doc_id)
                    stories.remove(doc_id)
                report.deleted = len(deletions)
                report.deleted_ids = deletions
            else:
                previous = target.in_use()
                enrichment = Enrichment(StoryIndex(), previous, extractor)
                written = _write(generation, enrichment.enrich(_all_added(documents, report, progress)))
                report.deleted_ids = sorted(set(previous) - written)
            report.entities_extracted = extractor.extracted if extractor else 0
            if report.read == 0:
                raise SourceError(_nothing_indexed_message(sources, report))
            if generation.incremental and not (report.added or report.updated or report.deleted):
                raise _NothingChanged()
            report.documents = generation.commit()
            if report.documents < in_use and not allow_shrink:
                raise IndexShrunk(_shrunk_message(report, in_use))
            report.seconds = time.perf_counter() - started
            report.index_path = target.location
            generation.publish(build_meta(report, sources, target.current_meta()))
        except _NothingChanged:
            # The index in use is already up to date: keep it rather than publish a copy.
            generation.discard()
            report.removed = target.tidy()  # still clear what an interrupted run left
            # Nothing was written, so the index in use holds what its own report counted.
            report.documents = target.current_meta().get("documents", 0)
            report.seconds = time.perf_counter() - started
            report.index_path = target.location
            return report
        except BaseException:
            generation.discard()
            raise
        finally:
            if extractor is not None:
                extractor.close()
        report.removed = target.tidy()
    return report
