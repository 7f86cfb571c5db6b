"""Whoosh and SolrCloud on the same corpora at several sizes: build, 1 % update, query latency, HTTP throughput.

    python -m bench.scale [--sizes 1,3,10] [--nodes 2] [--limit N] [--rounds 2] [--duration 10] [--out bench/results/]
                          [--engines loupe,solr] [--append] [--reuse]

Starts a local SolrCloud of --nodes nodes (a temp dir, free ports) and always stops it at the end. Each size
is OrangeSum replicated N× with new ids (bench/corpus.py). Prints one Markdown table (engine × size) and
writes it to <out>/YYYY-MM-DD-scale.md, raw figures beside it as .json, both rewritten after every size.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench import http_load, report, scale_report
from bench.builds import build_engine, close_engines, finished_build, open_engines
from bench.corpus import REPO, WORK_DIR, unique_records, write_corpus
from bench.cpu import cpu_seconds
from bench.engines import solr_loupe
from bench.latency import interleaved_latencies
from bench.progress import log
from bench.queries import load_queries
from bench.solr_cluster import URL_VARIABLE, jvm_pids, local_cluster, stopping_on_sigterm

UPDATE_FRACTION = 0.01
ENGINES = ("loupe", "solr")  # Loupe on Whoosh (the embedded default), Loupe on SolrCloud
BUILD_ORDER = ("solr", "loupe")  # the faster build first: a run stopped during the slow one still has a figure
CONCURRENCY = (1, 4, 16)
HTTP_WORKERS = 2


@contextmanager
def solr_environment(out_dir: Path):
    """LOUPE_ENGINE=solr and the cluster's URL and alias for the server `run.py serve` starts; restored after."""
    values = {"LOUPE_ENGINE": "solr", "LOUPE_SOLR_URL": solr_loupe.solr_url(),
              "LOUPE_SOLR_COLLECTION": solr_loupe.alias_for(out_dir)}
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def measured_builds(corpus: Path, run_dir: Path, pids: dict[str, int], engines: tuple[str, ...], reuse: bool,
                    builds: dict, save) -> dict:
    """Each engine's build and 1 % update in a child process, with the CPU seconds of the child and of each JVM.

    With `reuse`, a Whoosh build of an earlier run from the same corpus by the same code is kept (its figures
    too, without CPU seconds); Solr's collections do not outlive their cluster, so Solr always builds.
    """
    for engine in (e for e in BUILD_ORDER if e in engines):
        earlier = finished_build(run_dir, engine, corpus) if reuse and engine == "loupe" else None
        if earlier and "update_seconds" in earlier:
            log(f"{engine}: reusing the build in {run_dir.name}")
            builds[engine] = {**earlier, "reused": True}
            continue
        with cpu_seconds(pids) as spent:
            builds[engine] = build_engine(engine, corpus, run_dir, UPDATE_FRACTION)
        builds[engine]["cpu"] = spent
        save()
    return builds


def measured_latencies(run_dir: Path, queries, rounds: int, pids: dict[str, int], names: tuple[str, ...]) -> dict:
    engines = open_engines(run_dir, names)
    try:
        with cpu_seconds(pids) as spent:
            latency = interleaved_latencies(engines, queries, rounds)
    finally:
        close_engines(engines)
    return {**latency, "cpu": {**spent, "engines": list(names)}}


def served_figures(index_dir: Path, queries, duration: float, pids: dict[str, int]) -> dict:
    urls = [q.loupe_url for q in queries]
    with http_load.served(index_dir, workers=HTTP_WORKERS) as port:
        latency = report.latency_summary(http_load.sequential_latencies(port, urls, 1))
        levels = []
        for clients in CONCURRENCY:
            with cpu_seconds(pids) as spent:
                level = http_load.throughput(port, urls, clients, duration)
            levels.append({**level, "cpu": spent})
            log(f"  {index_dir.name}: {clients} client(s) {level['rps']:.1f} req/s, errors {level['error_rate']:.1%}")
    return {"latency": latency, "throughput": levels}


def http_figures(run_dir: Path, queries, duration: float, pids: dict[str, int], engines: tuple[str, ...]) -> dict:
    figures = {}
    if "loupe" in engines:
        figures["loupe"] = served_figures(run_dir / "loupe", queries, duration, pids)
    if "solr" in engines:
        with solr_environment(run_dir / "solr"):
            figures["solr"] = served_figures(run_dir / "solr", queries, duration, pids)
    return figures


def measure_size(records: list[dict], scale: int, queries, args, pids: dict[str, int], figures: dict, save) -> dict:
    """Fill `figures` for one size, phase by phase, calling `save()` after each so a stopped run keeps them."""
    run_dir = WORK_DIR / f"scale-{len(records)}x{scale}"
    corpus = run_dir / "corpus.jsonl"
    if not (args.reuse and corpus.exists()):  # rewriting it would change nothing but its date
        write_corpus(records, corpus, scale=scale)
    log(f"{scale}×: {len(records) * scale:,} records in {corpus}")
    figures.update({"scale": scale, "records": len(records) * scale})
    figures.setdefault("build", {})
    try:
        measured_builds(corpus, run_dir, pids, args.engines, args.reuse, figures["build"], save)
        log(f"{scale}×: query latency in-process")
        figures.setdefault("latency", {}).update(measured_latencies(run_dir, queries, args.rounds, pids, args.engines))
        save()
        if not args.skip_http:
            log(f"{scale}×: HTTP latency and throughput")
            figures.setdefault("http", {}).update(http_figures(run_dir, queries, args.duration, pids, args.engines))
    finally:
        if not args.keep_collections:
            solr_loupe.drop(run_dir / "solr")
    return figures


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,3,10", help="corpus sizes as multiples of OrangeSum (default 1,3,10)")
    parser.add_argument("--nodes", type=int, default=2, help="Solr nodes in the local cluster (default 2)")
    parser.add_argument("--limit", type=int, default=0, help="the first N unique articles before scaling (default: all)")
    parser.add_argument("--rounds", type=int, default=2, help="repeated passes over the query list (default 2)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput level (default 10)")
    parser.add_argument("--skip-http", action="store_true", help="no served-app latency or throughput")
    parser.add_argument("--engines", type=lambda text: tuple(text.split(",")), default=ENGINES,
                        help="loupe (Whoosh), solr or both (default loupe,solr)")
    parser.add_argument("--append", action="store_true", help="add this run's figures to the same day's "
                        "<date>-scale.json (per size and engine) instead of starting a new one")
    parser.add_argument("--reuse", action="store_true", help="keep a Whoosh build (and its figures) of an earlier run "
                        "from the same corpus by the same code")
    parser.add_argument("--keep-collections", action="store_true", help="leave each size's Solr collection in place "
                        "(they go with the cluster anyway)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="where the table is written")
    return parser.parse_args(argv)


def appended_to(results: dict, out_dir: Path) -> dict:
    """The same day's earlier results with this run's command and machine noted beside theirs."""
    earlier_file = out_dir / f"{results['meta']['date']}-scale.json"
    if not earlier_file.exists():
        return results
    earlier = json.loads(earlier_file.read_text(encoding="utf-8"))
    earlier["meta"].setdefault("later_runs", []).append(
        {name: results["meta"][name] for name in ("command", "code", "machine", "rounds", "duration")})
    earlier["meta"]["seconds_earlier"] = earlier["meta"].get("seconds_earlier", 0) + earlier["meta"].get("seconds", 0)
    earlier["meta"]["sizes"] = sorted(set(earlier["meta"]["sizes"]) | set(results["meta"]["sizes"]))
    return earlier


def write_results(results: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"{results['meta']['date']}-scale"
    stem.with_suffix(".md").write_text(scale_report.document(results), encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return stem


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    sizes = [int(size) for size in args.sizes.split(",")]
    records = list(unique_records(limit=args.limit))
    queries = load_queries()
    command = "python -m bench.scale " + shlex.join(sys.argv[1:] if argv is None else argv)
    results: dict = {"meta": {
        "date": report.today(), "machine": report.machine(), "code": report.code_version(), "command": command,
        "documents": len(records), "sizes": sizes, "nodes": args.nodes, "shards": solr_loupe.SHARDS,
        "replicas": solr_loupe.REPLICAS, "queries": len(queries), "rounds": args.rounds,
        "duration": args.duration, "concurrency": list(CONCURRENCY), "http_workers": HTTP_WORKERS},
        "sizes": []}
    if args.append:
        results = appended_to(results, args.out)
    with stopping_on_sigterm(), local_cluster(args.nodes) as info:
        os.environ[URL_VARIABLE] = ",".join(info.base_urls)
        pids = jvm_pids(info)

        def save() -> Path:
            results["meta"]["seconds"] = time.perf_counter() - started
            return write_results(results, args.out)

        for scale in sizes:
            figures = next((size for size in results["sizes"] if size["scale"] == scale), None)
            if figures is None:
                figures = {"scale": scale}
                results["sizes"].append(figures)
            measure_size(records, scale, queries, args, pids, figures, save)
            log(f"{scale}× done ({results['meta']['seconds'] / 60:.1f} min): written to {save()}.md")
    print(scale_report.markdown(results))


if __name__ == "__main__":
    main()
