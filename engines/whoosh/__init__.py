"""The Whoosh engine: Loupe's embedded default (read side engine.py, write side writer.py)."""

from __future__ import annotations

from pathlib import Path

from indexer.build import BuildReport, build_index as _build_into
from indexer.corpus import CorpusSource


def build_index(corpus: list[Path] | list[CorpusSource], index_dir: Path, **options) -> BuildReport:
    """indexer.build.build_index into a Whoosh index directory (progress, rebuild, scope as there)."""
    from engines.whoosh.writer import WhooshIndex

    return _build_into(corpus, WhooshIndex(Path(index_dir)), **options)
