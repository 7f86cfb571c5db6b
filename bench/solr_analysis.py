"""Solr with Loupe's tokens (analysis="pre") or with its own Lucene French chain ("lucene"): MRR@10 on the relevance sets.

    python -m bench.solr_analysis [--limit N] [--nodes 2] [--out bench/results/]

Builds both collections from the same corpus (all 34k OrangeSum articles by default) on a local SolrCloud
that it starts and stops, then scores the known items, the kind set and the questions (bench/relevance_sets.py)
with three engines: Loupe's API on the pre collection (what users get), and Solr's edismax on each collection
(bench/engines/solr_direct.py: the same plain query, only the analysis differs). Loupe's read side cannot query
the lucene fields, so the API column has no lucene twin. Writes <out>/YYYY-MM-DD-solr-analysis.md and .json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

from bench import report
from bench.builds import build_engine
from bench.corpus import REPO, WORK_DIR, unique_records, write_corpus
from bench.engines import solr_direct, solr_loupe
from bench.progress import log
from bench.relevance_sets import MODES, evaluate, load_sets
from bench.solr_cluster import URL_VARIABLE, local_cluster, stopping_on_sigterm

BUILDS = {"pre": "solr", "lucene": "solr_lucene"}  # analysis → bench engine name (bench/build_child.py)
COLUMNS = {"api_pre": "Loupe API on Solr, pre", "edismax_pre": "edismax, pre (Loupe's tokens)",
           "edismax_lucene": "edismax, lucene (Solr's French chain)"}
MEASURES = {"mrr": "MRR@10", "success": "success@10"}


def scoring_engines(run_dir: Path) -> dict:
    return {"api_pre": solr_loupe.SolrLoupeEngine(run_dir / BUILDS["pre"]),
            "edismax_pre": solr_direct.Engine(run_dir / BUILDS["pre"], "pre"),
            "edismax_lucene": solr_direct.Engine(run_dir / BUILDS["lucene"], "lucene")}


def markdown(results: dict) -> str:
    head = ["set (items), mode", "measure", *COLUMNS.values(), "lucene / pre (edismax)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    rates = {a: b["documents"] / b["seconds"] for a, b in results["build"].items()}
    lines.append(f"| build ({results['build']['pre']['documents']:,} docs) | docs/s | {rates['pre']:,.0f} | "
                 f"{rates['pre']:,.0f} | {rates['lucene']:,.0f} | ×{rates['lucene'] / rates['pre']:.2f} |")
    for row in results["relevance"]["rows"]:
        kind = "" if row["kind"] in ("rewritten", "question") else f": {row['kind']}"
        for measure, title in MEASURES.items():
            figures = row[measure]
            ratio = figures["edismax_lucene"] / figures["edismax_pre"] if figures["edismax_pre"] else 0.0
            cells = [f"{figures[name]:.3f}" for name in COLUMNS]
            label = f"{row['label']}{kind} ({row['items']}), {MODES[row['mode']]}"
            lines.append("| " + " | ".join([label, title, *cells, f"×{ratio:.2f}"]) + " |")
    return "\n".join(lines)


def document(results: dict) -> str:
    meta = results["meta"]
    host = meta["machine"]
    return "\n".join([
        f"# Solr analysis: Loupe's tokens (pre) or Solr's French chain (lucene), {meta['date']}",
        "",
        f"- Machine: a loaded, shared {host['cores']}-core VM (load average at start "
        f"{', '.join(f'{x:.2f}' for x in host['load_average'])}); build speeds are noisy, relevance is not",
        f"- Corpus: {meta['documents']:,} unique OrangeSum articles; SolrCloud of {meta['nodes']} nodes, "
        f"{solr_loupe.SHARDS} shards × {solr_loupe.REPLICAS} replica, ExactStatsCache (scores do not depend on the shard)",
        "- pre: title_t/text_t are PreAnalyzedField holding Loupe's French analyzer's tokens (elision, stop words, "
        "accent folding, Loupe's stemmer and its variants); lucene: title_l/text_l, Solr's StandardTokenizer → "
        "elision → lowercase → French stop words → ASCII folding → FrenchLightStem",
        "- Engines: Loupe's full API on the pre collection (its query planner: all words first, then any word, "
        "exact-form boost); Solr's edismax on each collection, the same words, all (mm=100%) or any (mm=1), title "
        "boosted as in Loupe. Loupe's read side (engines/solr/engine.py) queries the *_t fields only: the lucene "
        "collection cannot be searched through the app",
        f"- Code: {meta['code']}",
        f"- Command: `{meta['command']}`",
        f"- Duration: {meta['seconds'] / 60:.1f} min",
        "",
        markdown(results),
        "",
    ])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.solr_analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="the first N unique articles (default: all)")
    parser.add_argument("--nodes", type=int, default=2, help="Solr nodes in the local cluster (default 2)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="where the table is written")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    meta = {"date": report.today(), "machine": report.machine(), "code": report.code_version(),
            "command": "python -m bench.solr_analysis " + shlex.join(sys.argv[1:] if argv is None else argv),
            "nodes": args.nodes}
    records = list(unique_records(limit=args.limit))
    meta["documents"] = len(records)
    run_dir = WORK_DIR / f"analysis-{len(records)}"
    corpus = write_corpus(records, run_dir / "corpus.jsonl")
    with stopping_on_sigterm(), local_cluster(args.nodes) as info:
        os.environ[URL_VARIABLE] = ",".join(info.base_urls)
        results: dict = {"build": {analysis: build_engine(engine, corpus, run_dir) for analysis, engine in BUILDS.items()}}
        log("relevance sets")
        results["relevance"] = evaluate(scoring_engines(run_dir), load_sets({r["id"] for r in records}))
    results["meta"] = {**meta, "seconds": time.perf_counter() - started}
    print(markdown(results))
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{meta['date']}-solr-analysis"
    stem.with_suffix(".md").write_text(document(results), encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    log(f"written to {stem}.md ({results['meta']['seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()
