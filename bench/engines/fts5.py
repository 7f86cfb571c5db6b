"""SQLite FTS5 (unicode61, diacritics removed, no stemming): the same work as Loupe's API."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from bench.corpus import day_of, full_text, read_corpus, year_of
from bench.engines import TITLE_BOOST
from bench.queries import BenchQuery

DB_FILE = "fts5.sqlite"
CREATE = """CREATE VIRTUAL TABLE docs USING fts5(
    title, text, id UNINDEXED, source UNINDEXED, section UNINDEXED, year UNINDEXED, day UNINDEXED,
    tokenize = "unicode61 remove_diacritics 2")"""
# bm25 weights per column, the title's as in Loupe; unindexed columns weigh nothing.
RANK = f"bm25(docs, {TITLE_BOOST}, 1.0, 0, 0, 0, 0, 0)"


def _row(record: dict) -> tuple:
    return (record.get("title") or "", full_text(record), record["id"], record.get("source") or "",
            record.get("section") or "", year_of(record), day_of(record))


def build(corpus: Path, out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DB_FILE).unlink(missing_ok=True)
    db = sqlite3.connect(out_dir / DB_FILE)
    db.execute(CREATE)
    count = 0
    with db:
        for record in read_corpus(corpus):
            db.execute("INSERT INTO docs(rowid, title, text, id, source, section, year, day) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (count,) + _row(record))
            count += 1
    with db:
        db.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    db.close()
    return count


def update(corpus: Path, out_dir: Path, records: list[tuple[int, dict]]) -> float:
    """Seconds to replace (position, record) pairs (delete by rowid, insert again) in one transaction."""
    started = time.perf_counter()
    db = sqlite3.connect(out_dir / DB_FILE)
    with db:
        for position, record in records:
            db.execute("DELETE FROM docs WHERE rowid = ?", (position,))
            db.execute("INSERT INTO docs(rowid, title, text, id, source, section, year, day) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (position,) + _row(record))
    db.close()
    return time.perf_counter() - started


def _quoted(words: list[str]) -> str:
    return '"' + " ".join(words) + '"'


def match_expression(bench_query: BenchQuery, conjunction: bool = True) -> str:
    """FTS5 MATCH text: each word or phrase quoted, AND (or OR) between them, NOT for exclusions."""
    groups = bench_query.groups()
    positive = [_quoted(words) for negated, words in groups if not negated]
    negative = [_quoted(words) for negated, words in groups if negated]
    expression = (" AND " if conjunction else " OR ").join(positive)
    return expression + "".join(f" NOT {n}" for n in negative)


def _filters(bench_query: BenchQuery) -> tuple[str, list]:
    sql, params = "", []
    for field in ("source", "section"):
        values = getattr(bench_query, field)
        if values:
            sql += f" AND {field} IN ({', '.join('?' * len(values))})"
            params += list(values)
    if bench_query.day_range:
        sql += " AND day BETWEEN ? AND ?"
        params += list(bench_query.day_range)
    return sql, params


class Engine:
    name = "FTS5"

    def __init__(self, out_dir: Path) -> None:
        self.db = sqlite3.connect(out_dir / DB_FILE, check_same_thread=False)

    def search(self, bench_query: BenchQuery) -> tuple[int, list[str]]:
        """Top 10 with snippets, counts per source and year over all matches: (total, hit ids)."""
        match = match_expression(bench_query)
        if not match:
            return 0, []
        where, params = _filters(bench_query)
        where = "docs MATCH ?" + where
        params = [match] + params
        hits = self.db.execute(
            f"SELECT id, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs WHERE {where} "
            f"ORDER BY {RANK} LIMIT 10", params).fetchall()
        by_source = self.db.execute(f"SELECT source, count(*) FROM docs WHERE {where} GROUP BY source", params).fetchall()
        self.db.execute(f"SELECT year, count(*) FROM docs WHERE {where} GROUP BY year", params).fetchall()
        return sum(count for _source, count in by_source), [row[0] for row in hits]

    def rank(self, text: str, conjunction: bool) -> list[str]:
        # Plain words, each quoted: no FTS5 syntax (not even a leading `-`) can come from the text.
        match = (" AND " if conjunction else " OR ").join(_quoted([w]) for w in re.findall(r"\w+", text))
        if not match:
            return []
        rows = self.db.execute(f"SELECT id FROM docs WHERE docs MATCH ? ORDER BY {RANK} LIMIT 10", [match])
        return [row[0] for row in rows]
