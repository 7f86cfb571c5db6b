"""Lucene 8 (Debian's liblucene8-java), two French analyzers: the bench's Java program compiled and driven.

`FR` is Lucene's stock FrenchAnalyzer (Elasticsearch's `french`, OpenSearch, Solr's text_fr); `FR_FOLD` adds
ASCII folding before the light stemmer. The Java sources are bench/lucene/*.java, compiled with javac into
bench/work/lucene-classes/ when they change (nothing is downloaded or committed). Queries go to one long-lived
JVM per engine over a pipe, one JSON line each way, so a latency is one query, not a JVM start.
"""

from __future__ import annotations

import atexit
import glob
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import REPO, WORK_DIR
from bench.engines import TITLE_BOOST
from bench.queries import BenchQuery

SOURCES = REPO / "bench" / "lucene"
CLASSES = WORK_DIR / "lucene-classes"
MAIN_CLASS = "LuceneBench"
JARS_DIR = Path("/usr/share/java")
JARS = ("lucene-core", "lucene-analyzers-common", "lucene-queryparser",
        "lucene-highlighter", "lucene-memory", "lucene-queries")  # the highlighter needs memory and queries
INSTALL_HINT = "apt-get install -y liblucene8-java openjdk-17-jdk-headless"
# A fixed heap, as a search server is given one (Elasticsearch's default is 1 GB); the build's RAM buffer is 256 MB.
JVM_OPTIONS = ("-Xmx1g",)


def _jar(name: str) -> str:
    found = sorted(glob.glob(str(JARS_DIR / f"{name}-8*.jar")))
    if not found:
        raise SystemExit(f"bench: no {name}-8*.jar in {JARS_DIR}: run `{INSTALL_HINT}`")
    return found[-1]


def classpath() -> str:
    return ":".join([str(CLASSES)] + [_jar(name) for name in JARS])


def compile_sources() -> None:
    """javac the bench's Java sources into bench/work/ unless the classes are newer than every source."""
    sources = sorted(SOURCES.glob("*.java"))
    stamp = CLASSES / f"{MAIN_CLASS}.class"
    if stamp.exists() and all(stamp.stat().st_mtime >= s.stat().st_mtime for s in sources):
        return
    CLASSES.mkdir(parents=True, exist_ok=True)
    try:
        finished = subprocess.run(["javac", "-encoding", "UTF-8", "-d", str(CLASSES), "-cp", classpath(),
                                   *map(str, sources)], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise SystemExit(f"bench: no javac: run `{INSTALL_HINT}`") from None
    if finished.returncode != 0:
        raise SystemExit(f"bench: compiling {SOURCES} failed:\n{finished.stderr[-3000:]}")


def _java(*args: str) -> list[str]:
    return ["java", *JVM_OPTIONS, "-cp", classpath(), MAIN_CLASS, *args]


def _run_java(*args: str) -> dict:
    """One build or update run; its last stdout line is its JSON report."""
    finished = subprocess.run(_java(*args), capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"lucene {args[0]} failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


@dataclass
class Variant:
    """One analyzer's engine: what build_child.py and the bench need (prepare, build, update, Engine)."""

    analyzer: str
    last_peak_rss_kib: int = 0

    def prepare(self) -> None:
        compile_sources()

    def build(self, corpus: Path, out_dir: Path) -> int:
        out_dir.mkdir(parents=True, exist_ok=True)
        outcome = _run_java("build", self.analyzer, str(corpus), str(out_dir))
        # The build runs in the JVM: its peak is the JVM's, not this (idle) Python process's.
        self.last_peak_rss_kib = outcome["peak_rss_kib"]
        return outcome["documents"]

    def build_peak_rss_kib(self) -> int:
        return self.last_peak_rss_kib

    def update(self, corpus: Path, out_dir: Path, records: list[tuple[int, dict]]) -> float:
        """Seconds to replace (position, record) pairs (delete by id, add, commit), timed inside the JVM."""
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".jsonl", dir=out_dir.parent,
                                         delete=False) as edited:
            for position, record in records:  # the position keeps the tie-break order (ArticleDocuments.java)
                edited.write(json.dumps({"position": position, "record": record}, ensure_ascii=False) + "\n")
        try:
            outcome = _run_java("update", self.analyzer, edited.name, str(out_dir))
        finally:
            Path(edited.name).unlink()
        if outcome["documents"] != len(records):
            raise RuntimeError(f"lucene update replaced {outcome['documents']} of {len(records)} records")
        return outcome["seconds"]

    def Engine(self, out_dir: Path) -> Engine:  # noqa: N802 (reads like the other engine modules' class)
        return Engine(out_dir, self.analyzer)


FR = Variant("fr")
FR_FOLD = Variant("fr_fold")


class Engine:
    """A QueryServer JVM on the index in `out_dir`, asked one request at a time."""

    def __init__(self, out_dir: Path, analyzer: str) -> None:
        compile_sources()
        self.name = f"Lucene ({analyzer})"
        self.process = subprocess.Popen(_java("serve", analyzer, str(out_dir), str(TITLE_BOOST)),
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        encoding="utf-8", bufsize=1)
        atexit.register(self.close)
        ready = self.process.stdout.readline()
        if not ready:
            raise RuntimeError(f"lucene server on {out_dir} did not start (exit {self.process.wait()})")

    def _ask(self, request: dict) -> dict:
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"lucene: {answer['error']} for {request}")
        return answer

    def search(self, bench_query: BenchQuery) -> tuple[int, list[str]]:
        """Top 10 with snippets, counts per source and year over all matches: (total, hit ids)."""
        day_from, day_to = bench_query.day_range or (None, None)
        answer = self._ask({"op": "search", "text": bench_query.text, "source": list(bench_query.source),
                            "section": list(bench_query.section), "day_from": day_from, "day_to": day_to})
        return answer["total"], answer["ids"]

    def rank(self, text: str, conjunction: bool) -> list[str]:
        return self._ask({"op": "rank", "text": text, "conjunction": conjunction})["ids"]

    def close(self) -> None:
        """End the JVM: closing its stdin ends its request loop."""
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
