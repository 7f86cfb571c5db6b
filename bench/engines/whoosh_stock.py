"""Whoosh with its stock StandardAnalyzer (no folding, no stemming): the baseline for relevance."""

from __future__ import annotations

import re
from pathlib import Path

from whoosh import fields, index, qparser
from whoosh.analysis import StandardAnalyzer

from bench.corpus import full_text, read_corpus

BOOSTS = {"title": 3.0, "text": 1.0}


def build(corpus: Path, out_dir: Path) -> int:
    analyzer = StandardAnalyzer()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer, stored=True),
        text=fields.TEXT(analyzer=analyzer),
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = index.create_in(str(out_dir), schema).writer(limitmb=256)
    count = 0
    for record in read_corpus(corpus):
        writer.add_document(id=record["id"], title=record.get("title") or "", text=full_text(record))
        count += 1
    writer.commit()
    return count


class Engine:
    name = "Whoosh (StandardAnalyzer)"

    def __init__(self, out_dir: Path) -> None:
        self.index = index.open_dir(str(out_dir))
        self.searcher = self.index.searcher()

    def rank(self, text: str, conjunction: bool) -> list[str]:
        group = qparser.AndGroup if conjunction else qparser.OrGroup
        parser = qparser.MultifieldParser(list(BOOSTS), self.index.schema, fieldboosts=BOOSTS, group=group)
        # Whoosh's parser has no escape; its analyzer keeps only words anyway, so pass just those (lowered,
        # so that AND/OR/NOT stay words), and no `?` or `*` wildcard comes from the text.
        results = self.searcher.search(parser.parse(" ".join(re.findall(r"\w+", text.lower()))), limit=10)
        return [hit["id"] for hit in results]
