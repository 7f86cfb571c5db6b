"""Relevance only, fast: build (or reuse) just the engines asked for, then print the relevance table.

    python -m bench.relevance --run [--limit N] [--engines loupe,lucene_fr,...] [--reuse] [--rebuild loupe]

Builds go to bench/work/run-N/ like the full suite's (without its 1% update). With --reuse, an engine
already built there from the same corpus file by the same code (its bench/engines module; for Loupe also
indexer/, for Lucene bench/lucene/) is used again, so iterating on Loupe's analyzer is
`--reuse --rebuild loupe`: only Loupe is built (a change under indexer/ rebuilds it anyway). The table goes to stdout, the figures and every item's
rank to bench/work/run-N/relevance.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench import report
from bench.build_child import ENGINE_MODULES
from bench.builds import build_engine, close_engines, finished_build, open_engines
from bench.corpus import WORK_DIR, read_corpus, unique_records, write_corpus
from bench.progress import log
from bench.relevance_sets import relevance_results

ENGINES = ("loupe", "lucene_fr", "lucene_fr_fold", "tantivy", "fts5", "whoosh_stock")


def engine_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in ENGINE_MODULES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance --run", description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="(the switch that brings you here)")
    parser.add_argument("--limit", type=int, default=0, help="use the first N unique articles (default: all)")
    parser.add_argument("--engines", type=engine_list, default=ENGINES,
                        help=f"comma-separated (default: {','.join(ENGINES)})")
    parser.add_argument("--reuse", action="store_true", help="use the builds already in bench/work/run-N/")
    parser.add_argument("--rebuild", type=engine_list, default=(),
                        help="build these again even with --reuse (e.g. loupe)")
    parser.add_argument("--misses", metavar="ENGINE", default="",
                        help="also list the items ENGINE misses (not in its top 10) that another engine finds")
    return parser.parse_args(argv)


def corpus_for(limit: int, reuse: bool) -> tuple[Path, set[str]]:
    """The run's corpus file (written unless --reuse finds it) and the ids it holds."""
    records = list(unique_records(limit=limit))
    run_dir = WORK_DIR / f"run-{len(records)}"
    corpus = run_dir / "corpus.jsonl"
    if not (reuse and corpus.exists()):
        write_corpus(records, corpus)
    return corpus, {record["id"] for record in read_corpus(corpus)}


def ensure_builds(corpus: Path, engines: tuple[str, ...], reuse: bool, rebuild: tuple[str, ...]) -> None:
    for engine in engines:
        earlier = finished_build(corpus.parent, engine, corpus) if reuse and engine not in rebuild else None
        if earlier:
            log(f"reusing {engine} ({earlier['documents']:,} documents, built in {earlier['seconds']:.1f} s)")
        else:
            build_engine(engine, corpus, corpus.parent)


def misses(relevance: dict, engine: str) -> list[str]:
    """Lines for the items `engine` misses while another engine ranks the article in its top 10."""
    lines = []
    for key, table in relevance["per_item"].items():
        ranks = table["ranks"]
        if engine not in ranks:
            continue
        for n, item_id in enumerate(table["ids"]):
            found_by = {e: round(1 / r[n]) for e, r in ranks.items() if e != engine and r[n] > 0}
            if ranks[engine][n] == 0 and found_by:
                by = ", ".join(f"{e} #{rank}" for e, rank in sorted(found_by.items(), key=lambda x: x[1]))
                lines.append(f"{key} {table['kinds'][n]} {item_id} `{table['queries'][n]}`: {by}")
    return lines


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    corpus, corpus_ids = corpus_for(args.limit, args.reuse)
    log(f"{len(corpus_ids):,} documents in {corpus}")
    ensure_builds(corpus, args.engines, args.reuse, args.rebuild)
    log("relevance")
    engines = open_engines(corpus.parent, args.engines)
    try:
        relevance = relevance_results(engines, corpus_ids)
    finally:
        close_engines(engines)
    log("seconds answering: " + ", ".join(f"{e} {s:.0f}" for e, s in relevance["seconds"].items()))
    (corpus.parent / "relevance.json").write_text(json.dumps(relevance, indent=1), encoding="utf-8")
    references = tuple(e for e in args.engines if e != "loupe")
    head = ["measure"] + [report.TITLES[e] for e in ("loupe",) + references] + ["Loupe against the best reference"]
    print(f"Relevance on {len(corpus_ids):,} articles ({', '.join(relevance['files'].values())})\n")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    print("\n".join(report.relevance_rows(relevance, references)))
    if report.refused_note(relevance):
        print("\n" + report.refused_note(relevance))
    if args.misses:
        found = misses(relevance, args.misses)
        print(f"\n{len(found)} items {args.misses} misses that another engine finds:")
        print("\n".join(found))
    log(f"done in {time.perf_counter() - started:.0f} s; per-item ranks in {corpus.parent / 'relevance.json'}")
