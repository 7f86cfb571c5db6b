"""Where an index lives on disk: the `current` build, its metadata, and opening it for reading.

Layout of an index directory:

    index/
      current -> build-20261123T101500123456-1234   (symlink, replaced atomically)
      build-20261123T101500123456-1234/             (a complete Whoosh index + loupe.json)
      .lock                                         (held while a build runs)

Whoosh does not fsync, so an index is never patched in place: a build writes a new
directory and only a committed, complete build is pointed to by `current`.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import Index

from indexer.errors import IndexCorrupt, IndexMissing, IndexOutdated
from engines.whoosh.schema import SCHEMA_VERSION

CURRENT_LINK = "current"
META_FILE = "loupe.json"


def current_build(index_dir: Path) -> Path | None:
    """The build directory `current` points to, or None when there is none."""
    link = index_dir / CURRENT_LINK
    if not link.is_symlink():
        return None
    target = index_dir / os.readlink(link)
    return target if target.is_dir() else None


def open_current(index_dir: Path) -> tuple[Index, Path]:
    """Open the current build for reading, checked; IndexMissing/IndexCorrupt say what to run."""
    build = current_build(index_dir)
    if build is None or not any(build.glob("_MAIN_*.toc")):
        raise IndexMissing(f"no index at {index_dir}/: run `python run.py index` first")
    try:
        index = whoosh_index.open_dir(str(build))
        check_readable(index)
    except Exception as error:  # Whoosh raises assorted types on damaged files
        raise IndexCorrupt(
            f"the index at {build} cannot be read ({type(error).__name__}: {error}); "
            "run `python run.py index --rebuild` to build it again from the corpus"
        ) from None
    version = read_meta(build).get("schema_version")
    if version is not None and version != SCHEMA_VERSION:
        raise IndexOutdated(
            f"the index at {index_dir}/ was built by an older Loupe (schema {version}, now {SCHEMA_VERSION}); "
            "run `python run.py index` to rebuild it"
        )
    return index, build


def check_readable(index: Index) -> None:
    """Touch what a search touches: the TOC, every segment's terms, columns and stored fields."""
    with index.searcher() as searcher:
        reader = searcher.reader()
        for fieldname in ("text", "id"):
            for _term in itertools.islice(reader.lexicon(fieldname), 3):
                pass
        if searcher.doc_count_all():
            last = searcher.doc_count_all() - 1
            searcher.stored_fields(0)
            searcher.stored_fields(last)
            if reader.has_column("date"):
                reader.column_reader("date")[last]


def read_meta(build: Path) -> dict:
    """The build's loupe.json (documents, built_at, corpus, report); {} if unreadable."""
    try:
        return json.loads((build / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
