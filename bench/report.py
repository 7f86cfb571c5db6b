"""The one Markdown table: Loupe's figures, each reference engine's and its ratio to Loupe; machine header."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
from datetime import date
from pathlib import Path

import psutil

from bench.corpus import REPO
from bench.relevance_sets import ALL_KINDS, MODES

REFERENCES = ("lucene_fr", "lucene_fr_fold", "tantivy", "fts5", "whoosh_stock")
TITLES = {"loupe": "Loupe", "lucene_fr": "Lucene FrenchAnalyzer", "lucene_fr_fold": "Lucene French + ASCII folding",
          "tantivy": "tantivy", "fts5": "SQLite FTS5", "whoosh_stock": "Whoosh StandardAnalyzer"}
MEASURES = {"mrr": "MRR@10", "success": "success@10"}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def print_and_save(lines: list[str], out: Path | None) -> None:
    """Print a Markdown report of `lines`, and write it to `out` when given."""
    text = "\n".join(lines) + "\n"
    print(text)
    if out is not None:
        out.write_text(text, encoding="utf-8")


def latency_summary(timings: list[float]) -> dict:
    return {"median": statistics.median(timings), "p95": percentile(timings, 0.95),
            "p99": percentile(timings, 0.99), "n": len(timings)}


def code_version() -> str:
    """The commit measured, and how many files of the app differ from it (others edit the tree)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()

    changed = [line for line in git("status", "--porcelain", "indexer", "webui", "run.py").splitlines() if line]
    return f"{git('rev-parse', '--short', 'HEAD')}" + (f" + {len(changed)} uncommitted files in indexer/, webui/, run.py" if changed else "")


def machine() -> dict:
    return {
        "hostname": socket.gethostname(),
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "load_average": os.getloadavg(),
    }


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2 if abs(value) >= 0.1 else 3
    return f"{value:,.{digits}f}{unit}"


def _with_ratio(value: float | None, loupe: float | None) -> str:
    if value is None:
        return "—"
    if not loupe:
        return _fmt(value)
    return f"{_fmt(value)} (×{value / loupe:.2f})"


def _target(value: float | None, target: float, higher_is_better: bool) -> str:
    if not isinstance(value, (int, float)):
        return f"{'≥' if higher_is_better else '<'} {target:g}: **missed** ({value or 'not measured'})"
    met = value >= target if higher_is_better else value < target
    gap = (value / target - 1) * 100
    return f"{'≥' if higher_is_better else '<'} {target:g}: " + ("met" if met else f"**missed by {abs(gap):.0f}%**")


def _row(measure: str, figures: dict, target: str = "", references: tuple[str, ...] = REFERENCES) -> str:
    loupe = figures.get("loupe")
    cells = [_fmt(loupe) if isinstance(loupe, (int, float)) else (loupe or "—")]
    for engine in references:
        value = figures.get(engine)
        cells.append(_with_ratio(value, loupe if isinstance(loupe, (int, float)) else figures.get("loupe_ref")))
    return "| " + " | ".join([measure] + cells + [target]) + " |"


def _build_rows(builds: dict, label: str) -> list[str]:
    documents = builds["loupe"]["documents"]
    rate = {e: b["documents"] / b["seconds"] for e, b in builds.items()}
    rows = [
        _row(f"{label}: full build, docs/s ({documents:,} docs)", rate,
             _target(rate["loupe"], 400, True) if label == "corpus" else ""),
        _row(f"{label}: full build, peak RSS MB", {e: b["peak_rss_mb"] for e, b in builds.items()}),
    ]
    updates = {e: b["update_seconds"] for e, b in builds.items() if "update_seconds" in b}
    if updates:
        count = next(b["update_documents"] for b in builds.values() if "update_documents" in b)
        if "loupe" not in updates:
            updates["loupe"] = "n/a (full rebuild only)"
        target = _target(updates["loupe"], 10, False) if label == "corpus" and "loupe" in builds else ""
        rows.append(_row(f"{label}: update of 1% ({count:,} docs edited), s", updates, target))
    return rows


def _latency_rows(latency: dict, label: str) -> list[str]:
    rows = []
    targets = {"median": 25, "p95": 60}
    passes = (("first pass, every query new to the caches", "first_pass_"), ("repeated passes", ""))
    for name, prefix in passes:
        for stat in ("median", "p95", "p99"):
            figures = {e: s[prefix + stat] for e, s in latency.items() if prefix + stat in s}
            if not figures:
                continue
            target = _target(figures["loupe"], targets[stat], False) if stat in targets and label == "corpus" else ""
            rows.append(_row(f"{label}: API request in-process, {name}, {stat} ms", figures, target))
    return rows


def _versus_best(figures: dict) -> str:
    """Whether Loupe is at least as good as every reference, and the best one if not."""
    others = {e: v for e, v in figures.items() if e != "loupe"}
    if "loupe" not in figures or not others:
        return ""
    best = max(others, key=others.get)
    if figures["loupe"] >= others[best]:
        return "≥ every reference: met"
    return f"≥ every reference: **missed by {others[best] - figures['loupe']:.3f}** ({TITLES[best]})"


def relevance_rows(relevance: dict, references: tuple[str, ...] = REFERENCES) -> list[str]:
    """MRR@10 and success@10 per set, mode and kind, one row each (see bench/relevance_sets.py)."""
    rows = []
    for row in relevance["rows"]:
        kind = {"rewritten": "", "question": "", ALL_KINDS: ": all kinds"}.get(row["kind"], f": {row['kind']}")
        for measure, title in MEASURES.items():
            label = f"{row['label']}{kind} ({row['items']}), {MODES[row['mode']]}: {title}"
            rows.append(_row(label, row[measure], _versus_best(row[measure]), references))
    return rows


def refused_note(relevance: dict) -> str:
    """One line on the Loupe requests that answered HTTP 4xx (counted as misses), with a few examples."""
    refused = relevance.get("refused") or []
    if not refused:
        return ""
    examples = "; ".join(f"`{r['query']}` ({r['status']}: {r['message']})" for r in refused[:5])
    return (f"Loupe answered HTTP 4xx to {len(refused)} relevance request(s), counted as misses: "
            f"{examples}{' …' if len(refused) > 5 else ''}")


def markdown(results: dict) -> str:
    head = ["measure"] + [TITLES[e] for e in ("loupe",) + REFERENCES] + ["issue 7 target (Loupe)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += _build_rows(results["build"], "corpus")
    lines += _latency_rows(results["latency"], "corpus")
    if "http_latency" in results:
        http = results["http_latency"]
        for stat in ("median", "p95", "p99"):
            lines.append(_row(f"corpus: API request over HTTP (1 client), {stat} ms", {"loupe": http[stat]}))
        for level in results["throughput"]:
            target = _target(level["rps"], 150, True) if level["clients"] > 1 else ""
            lines.append(_row(
                f"corpus: HTTP throughput, {level['clients']} client(s), req/s (errors {level['error_rate']:.1%})",
                {"loupe": level["rps"]}, target))
    lines += relevance_rows(results["relevance"])
    if "build_scale" in results:
        label = f"{results['meta']['scale']}× corpus"
        lines += _build_rows(results["build_scale"], label)
        lines += _latency_rows(results["latency_scale"], label)
    return "\n".join(lines)


def document(results: dict) -> str:
    meta = results["meta"]
    host = meta["machine"]
    return "\n".join([
        f"# Loupe benchmark, {meta['date']}, {host['hostname']}",
        "",
        f"- Machine: {host['cores']} cores, {host['ram_gb']} GB RAM, Python {host['python']}, {host['platform']}; "
        f"load average at start {', '.join(f'{x:.2f}' for x in host['load_average'])}",
        f"- Corpus: {meta['documents']:,} OrangeSum articles (duplicates skipped)"
        + (f"; scale run {meta['scale']}× = {meta['documents'] * meta['scale']:,}" if "build_scale" in results else ""),
        f"- Queries: {meta['queries']} from bench/queries.json × {meta['rounds']} rounds; relevance sets: "
        + ", ".join(f"bench/{f}" for f in results["relevance"].get("files", {}).values()),
        f"- Code: {meta['code']}",
        f"- Command: `{meta['command']}`",
        f"- Duration: {meta['seconds'] / 60:.1f} min",
        "",
        "Ratios are the reference engine's figure divided by Loupe's, from this run only. "
        "Latency is the whole request: search, counts per source and year (Loupe: all five facets) over all "
        "matches, 10 hits with snippets. See bench/README.md for what each row measures.",
        "",
        markdown(results),
        "",
        refused_note(results["relevance"]),
        "",
    ])


def today() -> str:
    return date.today().isoformat()
