"""Build one engine's index in this (child) process and print seconds, documents and peak RSS as JSON.

    python -m bench.build_child ENGINE CORPUS.jsonl OUT_DIR [--update-fraction 0.01]

Run as a separate process so that its peak memory is this build's own. The peak is VmHWM from
/proc/self/status, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child forked from the
(large) benchmark process would report the parent's size. An engine that builds in a process of
its own (Lucene's JVM) reports that process's peak through `build_peak_rss_kib()`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import time
from pathlib import Path

from bench.corpus import edited, read_corpus

# "module" or "module:object": the object (or module) has build(corpus, out_dir), and may have update(),
# prepare() (untimed set-up, such as compiling) and build_peak_rss_kib().
ENGINE_MODULES = {
    "loupe": "bench.engines.loupe",
    "tantivy": "bench.engines.tantivy_engine",
    "fts5": "bench.engines.fts5",
    "whoosh_stock": "bench.engines.whoosh_stock",
    "lucene_fr": "bench.engines.lucene:FR",
    "lucene_fr_fold": "bench.engines.lucene:FR_FOLD",
    "solr": "bench.engines.solr_loupe:PRE",  # on the cluster bench/solr_cluster.py started
    "solr_lucene": "bench.engines.solr_loupe:LUCENE",
}


def load_engine(name: str):
    """The module (or the object inside it) that builds engine `name`."""
    module_name, _, attribute = ENGINE_MODULES[name].partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def every_nth(corpus: Path, fraction: float) -> list[tuple[int, dict]]:
    """(position, edited record) of an evenly spread `fraction` of the corpus."""
    step = max(1, round(1 / fraction))
    return [(i, edited(r)) for i, r in enumerate(read_corpus(corpus)) if i % step == 0]


def peak_rss_kib() -> int:
    """High-water mark of this process's resident memory since exec (VmHWM, in KiB)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=ENGINE_MODULES)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--update-fraction", type=float, default=0.0)
    args = parser.parse_args()
    module = load_engine(args.engine)
    if hasattr(module, "prepare"):
        module.prepare()
    started = time.perf_counter()
    documents = module.build(args.corpus, args.out_dir)
    seconds = time.perf_counter() - started
    peak_mb = (module.build_peak_rss_kib() if hasattr(module, "build_peak_rss_kib") else peak_rss_kib()) / 1024
    outcome = {"engine": args.engine, "documents": documents, "seconds": seconds, "peak_rss_mb": peak_mb}
    if args.update_fraction and hasattr(module, "update"):
        changed = every_nth(args.corpus, args.update_fraction)
        outcome["update_documents"] = len(changed)
        outcome["update_seconds"] = module.update(args.corpus, args.out_dir, changed)
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
