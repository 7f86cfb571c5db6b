"""Bounded load test on loopback: N concurrent clients against `run.py serve`, also while a reindex runs.

    python -m bench.load --index DIR --clients 1,4,16 --seconds 60

Starts the server with 2 gunicorn workers (rate limit off), drives each level of
concurrent clients for the given time, then one level while `run.py index
--rebuild` runs on the same index, and prints a Markdown table: requests/s,
p50/p95/p99 latency and error rate per level. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from bench.corpus import REPO
from bench.http_load import HOST, REQUEST_TIMEOUT_SECONDS, START_TIMEOUT_SECONDS, free_port, get, stop_process_group

MAX_SECONDS_PER_LEVEL = 600
MAX_CLIENTS = 64
DEFAULT_REINDEX_CORPUS = Path("/work/shared/corpus/orangesum/articles.jsonl.xz")
# What readers type: single words, two words, a phrase, a field, a prefix, a filter, a deep page.
QUERIES = [
    "souveraineté", "Macron", "coopération Mali", "réforme des retraites", '"gilets jaunes"', "titre:Chine",
    "football", "économie OR croissance", "santé -covid", "président*", "élections municipales", "Trump",
    "grève SNCF", "climat", "terrorisme", "date:2019 Brexit", "auteur:AFP incendie", "vaccin",
]
PATHS = (
    [f"/api/v1/search?q={quote(q)}" for q in QUERIES]
    + [f"/search?q={quote(q)}" for q in QUERIES[:6]]
    + ["/api/v1/search?q=gouvernement&page=20", "/api/v1/search?q=france&section=Politique&per_page=50"]
)


def start_server(index_dir: Path, workers: int, log_path: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "LOUPE_RATE_LIMIT_PER_MINUTE": "0"}
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "run.py", "serve", "--workers", str(workers), "--host", HOST, "--port", str(port),
             "--index", str(index_dir)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            if get(port, "/healthz") == 200:
                return server, port
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            stop_process_group(server)
            raise SystemExit(f"bench.load: the server did not start; see {log_path}")
        time.sleep(0.3)


@dataclass
class Level:
    name: str
    clients: int
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + sum(self.errors.values())

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def row(self) -> str:
        rate = self.requests / self.seconds if self.seconds else 0.0
        error_rate = sum(self.errors.values()) / self.requests if self.requests else 0.0
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(self.errors.items())) or "none"
        return (f"| {self.name} | {self.clients} | {self.seconds:.0f} | {self.requests:,} | {rate:,.1f} | "
                f"{self.percentile(50):,.0f} | {self.percentile(95):,.0f} | {self.percentile(99):,.0f} | "
                f"{error_rate:.2%} ({errors}) | {self.note} |")


def drive(port: int, level: Level, seconds: float) -> Level:
    """`level.clients` threads, each sending one request after another for `seconds`."""
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        sent = number * 7
        while time.monotonic() < deadline:
            path = PATHS[sent % len(PATHS)]
            sent += 1
            started = time.perf_counter()
            try:
                status = get(port, path)
                outcome = None if status == 200 else f"HTTP {status}"
            except OSError as error:
                outcome = type(error).__name__
            elapsed_ms = (time.perf_counter() - started) * 1000
            with lock:
                if outcome is None:
                    level.latencies_ms.append(elapsed_ms)
                else:
                    level.errors[outcome] = level.errors.get(outcome, 0) + 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(level.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT_SECONDS + 5)
    level.seconds = time.monotonic() - started
    return level


def warm_up(port: int) -> None:
    for path in PATHS:
        for _worker in range(2):
            try:
                get(port, path)
            except OSError:
                pass


def run_with_reindex(port: int, index_dir: Path, corpus: Path, clients: int, seconds: float, finish: bool) -> Level:
    level = Level("during `index --rebuild`", clients)
    log = open(index_dir.parent / f"{index_dir.name}-load-reindex.log", "wb")
    reindex = subprocess.Popen(
        [sys.executable, "run.py", "index", "--rebuild", "--corpus", str(corpus), "--index", str(index_dir)],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    time.sleep(2)  # let it take the lock and start reading
    drive(port, level, seconds)
    if finish:
        code = reindex.wait()
        level.note = f"reindex finished (exit {code}) after the level"
    elif reindex.poll() is None:
        stop_process_group(reindex, signal.SIGINT, wait=60)  # "interrupted; the index in use is unchanged"
        level.note = f"reindex still running after {seconds:.0f} s, then interrupted (exit {reindex.returncode})"
    else:
        level.note = f"reindex ended during the level (exit {reindex.returncode})"
    log.close()
    return level


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True, type=Path, help="index directory to serve (and to rebuild)")
    parser.add_argument("--clients", default="1,4,16", help="comma-separated concurrency levels (default 1,4,16)")
    parser.add_argument("--seconds", type=float, default=60, help="seconds per level (default 60)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reindex-clients", type=int, default=4, help="clients during the reindex level (0: skip it)")
    parser.add_argument("--reindex-corpus", type=Path, default=DEFAULT_REINDEX_CORPUS)
    parser.add_argument("--finish-reindex", action="store_true", help="wait for the rebuild to end instead of interrupting it")
    args = parser.parse_args(argv)
    args.levels = [int(n) for n in args.clients.split(",") if n.strip()]
    if not all(1 <= n <= MAX_CLIENTS for n in args.levels) or not 1 <= args.seconds <= MAX_SECONDS_PER_LEVEL:
        parser.error(f"clients must be 1–{MAX_CLIENTS} and seconds 1–{MAX_SECONDS_PER_LEVEL}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = os.getloadavg()
    server, port = start_server(args.index, args.workers, args.index.parent / f"{args.index.name}-load-serve.log")
    levels: list[Level] = []
    try:
        warm_up(port)
        for clients in args.levels:
            print(f"bench.load: {clients} client(s) for {args.seconds:.0f} s…", file=sys.stderr, flush=True)
            levels.append(drive(port, Level("normal", clients), args.seconds))
        if args.reindex_clients:
            print(f"bench.load: {args.reindex_clients} client(s) during a rebuild…", file=sys.stderr, flush=True)
            levels.append(run_with_reindex(port, args.index, args.reindex_corpus, args.reindex_clients,
                                           args.seconds, args.finish_reindex))
    finally:
        stop_process_group(server)
    print(f"Load test, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
          f"load average before {load_before[0]:.2f}; `run.py serve --workers {args.workers}` on {HOST}, "
          f"index {args.index}; {len(PATHS)} URLs in rotation (API and HTML search).\n")
    print("| level | clients | s | requests | req/s | p50 ms | p95 ms | p99 ms | errors | note |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for level in levels:
        print(level.row())
    return 0 if all(not level.errors for level in levels) else 1


if __name__ == "__main__":
    sys.exit(main())
