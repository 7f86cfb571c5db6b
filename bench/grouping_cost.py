"""What grouping reprints costs a search, and how many stories the OrangeSum corpus holds.

    python -m bench.grouping_cost [--index DIR] [--out FILE]

Builds (or reuses) a Whoosh index of the unique OrangeSum articles without
entities, then asks the API every query of bench/queries.json with `group=none`
and `group=story`, in alternation, each query new to the caches both times
(the ranking cache keys on `group`), then once more (repeated). Prints the
medians and 95th percentiles of each, their ratio, and the stories with copies.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.corpus import unique_records, write_corpus
from bench.queries import load_queries
from bench.report import latency_summary, print_and_save
from engines.whoosh import build_index
from engines.whoosh.doc_values import doc_values
from webui.app import create_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory()
    index_dir = args.index or Path(scratch.name) / "index"
    if not (index_dir / "current").exists():
        corpus = write_corpus(list(unique_records()), Path(scratch.name) / "corpus.jsonl")
        started = time.perf_counter()
        report = build_index([corpus], index_dir)
        print(f"built {report.documents:,} articles in {time.perf_counter() - started:.0f} s")
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    client = app.test_client()
    queries = load_queries()
    timings: dict[str, list[float]] = {"none": [], "story": [], "none again": [], "story again": []}
    grouped_hits = 0
    for rounds in (("none", "story"), ("none again", "story again")):
        for query in queries:
            for label in rounds:
                url = query.loupe_url + "&group=" + label.split()[0]
                started = time.perf_counter()
                answer = client.get(url).get_json()
                timings[label].append((time.perf_counter() - started) * 1000)
                if label == "story":
                    grouped_hits += sum(1 for hit in answer["hits"] if hit["copies"])
    with app.app_context():
        from webui.state import current_engine

        values = doc_values(current_engine().handle.searcher())
    shared = {values.story[d] for d in values.in_shared_story}
    lines = [
        "# Grouping reprints: cost per search",
        "",
        f"{len(values.story):,} OrangeSum articles; {len(values.in_shared_story):,} of them are in "
        f"{len(shared):,} stories with several copies. {len(queries)} queries (bench/queries.json) through the "
        f"Flask test client; {grouped_hits} hits of the grouped first pages stand for copies.",
        "",
        "| pass | group=none median | p95 | group=story median | p95 | median ratio |",
        "|---|---|---|---|---|---|",
    ]
    for first, second, name in (("none", "story", "new to the caches"), ("none again", "story again", "repeated")):
        a, b = latency_summary(timings[first]), latency_summary(timings[second])
        lines.append(f"| {name} | {a['median']:.1f} ms | {a['p95']:.1f} ms | {b['median']:.1f} ms | {b['p95']:.1f} ms | "
                     f"{b['median'] / a['median']:.2f} |")
    print_and_save(lines, args.out)


if __name__ == "__main__":
    main()
