"""Loupe's benchmark suite: indexing, query latency, HTTP throughput and relevance beside Lucene, tantivy and FTS5.

    python -m bench [--limit N] [--scale 3 | --skip-scale] [--skip-http] [--rounds 3] [--duration 15] [--out bench/results/]

Prints one Markdown table and writes it to <out>/YYYY-MM-DD-<hostname>.md (raw figures beside it as .json).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from bench import http_load, report
from bench.builds import build_all, close_engines, open_engines
from bench.corpus import REPO, WORK_DIR, unique_records, write_corpus
from bench.latency import interleaved_latencies
from bench.progress import log
from bench.queries import load_queries
from bench.relevance_sets import relevance_results

UPDATE_FRACTION = 0.01
CONCURRENCY = (1, 4, 16)
# Whoosh with its stock analyzer is a relevance baseline only: built (and its build measured), not timed.
QUERIED = ("loupe", "lucene_fr", "lucene_fr_fold", "tantivy", "fts5")
BUILT = QUERIED + ("whoosh_stock",)


def query_latencies(run_dir: Path, queries, rounds: int) -> dict:
    """Milliseconds per full request, engines interleaved query by query so noise hits them alike."""
    engines = open_engines(run_dir, QUERIED)
    try:
        return interleaved_latencies(engines, queries, rounds)
    finally:
        close_engines(engines)


def relevance(run_dir: Path, corpus_ids: set[str]) -> dict:
    engines = open_engines(run_dir, BUILT)
    try:
        return relevance_results(engines, corpus_ids)
    finally:
        close_engines(engines)


def http_figures(run_dir: Path, queries, rounds: int, duration: float) -> dict:
    urls = [q.loupe_url for q in queries]
    with http_load.served(run_dir / "loupe", workers=2) as port:
        log(f"serving on 127.0.0.1:{port} with 2 workers")
        latency = report.latency_summary(http_load.sequential_latencies(port, urls, rounds))
        levels = []
        for clients in CONCURRENCY:
            levels.append(http_load.throughput(port, urls, clients, duration))
            log(f"  {levels[-1]}")
    return {"http_latency": latency, "throughput": levels}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use the first N unique articles (default: all)")
    parser.add_argument("--scale", type=int, default=3, help="also build and query the corpus replicated N× (default 3)")
    parser.add_argument("--skip-scale", action="store_true", help="no replicated-corpus run")
    parser.add_argument("--skip-http", action="store_true", help="no served-app latency or throughput")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query list (default 3)")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per throughput level (default 15)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="where the table is written")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    machine, code = report.machine(), report.code_version()
    records = list(unique_records(limit=args.limit))
    run_dir = WORK_DIR / f"run-{len(records)}"
    corpus = write_corpus(records, run_dir / "corpus.jsonl")
    queries = load_queries()
    log(f"{len(records):,} documents, {len(queries)} queries")

    results: dict = {"build": build_all(corpus, run_dir, BUILT, UPDATE_FRACTION)}
    log("query latency in-process")
    results["latency"] = query_latencies(run_dir, queries, args.rounds)
    log("relevance")
    results["relevance"] = relevance(run_dir, {r["id"] for r in records})
    if not args.skip_http:
        log("HTTP latency and throughput")
        results.update(http_figures(run_dir, queries, args.rounds, args.duration))
    if not args.skip_scale and args.scale > 1:
        scale_dir = WORK_DIR / f"run-{len(records)}x{args.scale}"
        scale_corpus = write_corpus(records, scale_dir / "corpus.jsonl", scale=args.scale)
        results["build_scale"] = build_all(scale_corpus, scale_dir, QUERIED, UPDATE_FRACTION)
        log("query latency in-process, scaled corpus")
        results["latency_scale"] = query_latencies(scale_dir, queries, 1)

    results["meta"] = {"date": report.today(), "machine": machine, "documents": len(records), "scale": args.scale,
                       "queries": len(queries), "rounds": args.rounds, "command": command, "code": code,
                       "seconds": time.perf_counter() - started}
    text = report.document(results)
    print(report.markdown(results))
    if report.refused_note(results["relevance"]):
        print("\n" + report.refused_note(results["relevance"]))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{results['meta']['date']}-{machine['hostname']}"
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    log(f"written to {stem}.md ({results['meta']['seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
