"""cProfile of Loupe's two slow parts: a build and the in-process API over the query list.

    python -m bench.profile --run-dir bench/work/run-2000 [--build-docs 500] [--top 25]

Uses the corpus and Loupe index of an earlier `python -m bench` run; prints the top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import tempfile
from pathlib import Path

from bench.corpus import read_corpus, write_corpus
from bench.engines import loupe
from bench.queries import load_queries


def _top(profiler: cProfile.Profile, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def profile_build(corpus: Path, documents: int, top: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        sample = write_corpus(list(itertools.islice(read_corpus(corpus), documents)), Path(tmp) / "sample.jsonl")
        profiler = cProfile.Profile()
        profiler.runcall(loupe.build, sample, Path(tmp) / "index")
    return _top(profiler, top)


def profile_queries(index_dir: Path, top: int) -> str:
    engine = loupe.Engine(index_dir)
    queries = load_queries()
    for bench_query in queries:  # warm-up outside the profile
        engine.search(bench_query)
    profiler = cProfile.Profile()
    profiler.enable()
    for bench_query in queries:
        engine.search(bench_query)
    profiler.disable()
    return _top(profiler, top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--build-docs", type=int, default=500)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print("=== build ===")
    print(profile_build(args.run_dir / "corpus.jsonl", args.build_docs, args.top))
    print("=== API queries ===")
    print(profile_queries(args.run_dir / "loupe", args.top))


if __name__ == "__main__":
    main()
