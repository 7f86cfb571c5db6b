"""In-process latency of the full API request, engines interleaved query by query so noise hits them alike."""

from __future__ import annotations

import time

from bench import report


def interleaved_latencies(engines: dict, queries, rounds: int) -> dict:
    """Milliseconds per request: a first pass per engine (every query new to its caches), then `rounds` interleaved."""
    first_pass = {name: [] for name in engines}
    for name, engine in engines.items():  # warm-up, timed apart: opens searchers, fills caches
        for bench_query in queries:
            started = time.perf_counter()
            engine.search(bench_query)
            first_pass[name].append((time.perf_counter() - started) * 1000)
    timings = {name: [] for name in engines}
    for _ in range(rounds):
        for bench_query in queries:
            for name, engine in engines.items():
                started = time.perf_counter()
                engine.search(bench_query)
                timings[name].append((time.perf_counter() - started) * 1000)
    summaries = {name: report.latency_summary(values) for name, values in timings.items()}
    for name, values in first_pass.items():
        first = report.latency_summary(values)
        summaries[name].update({f"first_pass_{stat}": first[stat] for stat in ("median", "p95", "p99")})
    return summaries
