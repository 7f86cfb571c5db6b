"""tantivy (Python bindings): French Snowball stemming with ASCII folding, the same work as Loupe's API."""

from __future__ import annotations

import re
import time
from pathlib import Path

import tantivy

from bench.corpus import day_of, full_text, read_corpus, year_of
from bench.engines import TITLE_BOOST
from bench.queries import BenchQuery

ANALYZER = "fr_stem"
HEAP_BYTES = 256_000_000  # Loupe's writer gets 256 MB too
_SYNTAX = re.compile(r"([^\w\s])")
_OPERATORS = re.compile(r"\b(AND|OR|NOT|IN|TO)\b")


def plain_words(text: str) -> str:
    """`text` with every character of tantivy's query syntax escaped, so `?` or `"` never breaks parsing."""
    return _OPERATORS.sub(lambda m: m.group(1).lower(), _SYNTAX.sub(r"\\\1", text))


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stopword("french"))
        .filter(tantivy.Filter.stemmer("french"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("source", stored=True, fast=True, tokenizer_name="raw")
    builder.add_text_field("section", stored=True, fast=True, tokenizer_name="raw")
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    builder.add_integer_field("day", stored=True, indexed=True, fast=True)
    return builder.build()


def _open(path: Path, create: bool = False) -> tantivy.Index:
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(_schema(), path=str(path), reuse=not create)
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


def _document(record: dict) -> tantivy.Document:
    return tantivy.Document(
        id=record["id"], title=record.get("title") or "", text=full_text(record),
        source=record.get("source") or "", section=record.get("section") or "",
        year=year_of(record), day=day_of(record),
    )


def build(corpus: Path, out_dir: Path) -> int:
    index = _open(out_dir, create=True)
    writer = index.writer(heap_size=HEAP_BYTES)
    count = 0
    for record in read_corpus(corpus):
        writer.add_document(_document(record))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def update(corpus: Path, out_dir: Path, records: list[tuple[int, dict]]) -> float:
    """Seconds to replace (position, record) pairs (delete by id, add again, commit)."""
    started = time.perf_counter()
    index = _open(out_dir)
    writer = index.writer(heap_size=HEAP_BYTES)
    for _position, record in records:
        writer.delete_documents("id", record["id"])
        writer.add_document(_document(record))
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


class Engine:
    name = "tantivy"

    def __init__(self, out_dir: Path) -> None:
        self.index = _open(out_dir)
        self.index.reload()
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def _text_query(self, text: str, conjunction: bool) -> tantivy.Query:
        try:
            return self.index.parse_query(text, ["title", "text"], field_boosts={"title": TITLE_BOOST},
                                          conjunction_by_default=conjunction)
        except ValueError:
            return self.index.parse_query_lenient(text, ["title", "text"], field_boosts={"title": TITLE_BOOST},
                                                  conjunction_by_default=conjunction)[0]

    def _query(self, bench_query: BenchQuery) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, self._text_query(bench_query.text, True))]
        for field in ("source", "section"):
            values = getattr(bench_query, field)
            if values:
                clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, field, list(values))))
        if bench_query.day_range:
            low, high = bench_query.day_range
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "day", tantivy.FieldType.Integer, low, high)))
        return tantivy.Query.boolean_query(clauses)

    def search(self, bench_query: BenchQuery) -> tuple[int, list[str]]:
        """Top 10, counts per source and year over all matches, snippets: (total, hit ids)."""
        query = self._query(bench_query)
        result = self.searcher.search(query, 10)
        self.searcher.aggregate(query, {
            "source": {"terms": {"field": "source", "size": 100}},
            "year": {"terms": {"field": "year", "size": 100}},
        })
        snippets = tantivy.SnippetGenerator.create(self.searcher, query, self.schema, "text")
        ids = []
        for _score, address in result.hits:
            doc = self.searcher.doc(address)
            snippets.snippet_from_doc(doc).to_html()
            ids.append(doc["id"][0])
        return result.count, ids

    def rank(self, text: str, conjunction: bool) -> list[str]:
        result = self.searcher.search(self._text_query(plain_words(text), conjunction), 10, count=False)
        return [self.searcher.doc(address)["id"][0] for _score, address in result.hits]
