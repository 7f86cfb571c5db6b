"""The scale run's tables: Whoosh and Solr per corpus size with Solr/Whoosh ratios, and where the CPU went."""

from __future__ import annotations

from bench.report import _fmt

TITLES = {"loupe": "Whoosh", "solr": "Solr"}
HIGHER_IS_BETTER = "higher is better"


def _cell(value: float | None, whoosh: float | None, with_ratio: bool) -> str:
    if value is None:
        return "—"
    if not with_ratio or not whoosh:
        return _fmt(value)
    return f"{_fmt(value)} (×{value / whoosh:.2f})"


def _figures(size: dict, engine: str) -> dict:
    """The table's columns for one engine at one size: name → value (None when not measured)."""
    build = size.get("build", {}).get(engine, {})
    latency = size.get("latency", {}).get(engine, {})
    http = size.get("http", {}).get(engine, {})
    row = {
        "build docs/s": build["documents"] / build["seconds"] if build else None,
        "indexing process peak RSS MB": build.get("peak_rss_mb"),
        "1 % update s": build.get("update_seconds"),
    }
    for prefix, label in (("first_pass_", "first pass"), ("", "repeated")):
        for stat in ("median", "p95", "p99"):
            row[f"{label} {stat} ms"] = latency.get(prefix + stat)
    row["HTTP 1 client median ms"] = http.get("latency", {}).get("median")
    for level in http.get("throughput", []):
        row[f"req/s {level['clients']} client{'s' if level['clients'] > 1 else ''}"] = level["rps"]
    return row


def markdown(results: dict) -> str:
    """One row per engine and size; each Solr cell also gives Solr's figure divided by Whoosh's."""
    sizes = results["sizes"]
    if not sizes:
        return "(no size finished)"
    columns: list[str] = []  # every column any row has, in order: a size stopped early lacks the later ones
    for size in sizes:
        for engine in ("loupe", "solr"):
            columns += [c for c in _figures(size, engine) if c not in columns]
    head = ["engine", "corpus", "articles"] + columns
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for size in sizes:
        whoosh = _figures(size, "loupe")
        for engine in ("loupe", "solr"):
            figures = _figures(size, engine)
            documents = next((b["documents"] for b in size.get("build", {}).values()), None)
            cells = [TITLES[engine], f"{size['scale']}×", f"{documents:,}" if documents else "—"]
            cells += [_cell(figures.get(c), whoosh.get(c), engine == "solr") for c in columns]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cpu_row(label: str, spent: dict, python_seconds: float) -> str:
    jvms = spent["processes"]
    wall = spent["wall"]
    jvm_total = sum(jvms.values())
    nodes = " / ".join(f"{seconds / wall:.2f}" for seconds in jvms.values())
    return (f"| {label} | {wall:,.0f} | {python_seconds / wall:.2f} | {nodes} | {jvm_total / wall:.2f} | "
            f"{spent['machine'] / wall:.2f} |")


def cpu_markdown(results: dict) -> str:
    """Cores in use (CPU seconds / wall seconds) by Loupe's Python side and by each Solr JVM, per phase."""
    lines = ["| phase | wall s | Loupe's Python processes, cores | each Solr node, cores | all Solr nodes, cores | "
             "whole machine busy, cores |", "|---|---|---|---|---|---|"]
    for size in results["sizes"]:
        scale = f"{size['scale']}×"
        for engine in ("loupe", "solr"):
            spent = size.get("build", {}).get(engine, {}).get("cpu")
            if spent:
                lines.append(_cpu_row(f"{scale} {TITLES[engine]} build + 1 % update", spent, spent["children"]))
        spent = size.get("latency", {}).get("cpu")
        if spent:
            python = spent["machine"] - sum(spent["processes"].values())
            engines = " and ".join(TITLES[e] for e in spent.get("engines", ("loupe", "solr")))
            lines.append(_cpu_row(f"{scale} in-process latency ({engines}, interleaved; Python = machine − JVMs)",
                                  spent, python))
        for engine in ("loupe", "solr"):
            levels = size.get("http", {}).get(engine, {}).get("throughput", [])
            if levels:
                top = levels[-1]
                spent = top["cpu"]
                python = spent["machine"] - sum(spent["processes"].values())
                lines.append(_cpu_row(f"{scale} {TITLES[engine]} HTTP, {top['clients']} clients (Python = gunicorn "
                                      "+ load clients = machine − JVMs)", spent, python))
    return "\n".join(lines)


def document(results: dict) -> str:
    meta = results["meta"]
    host = meta["machine"]
    return "\n".join([
        f"# Loupe on Whoosh and on SolrCloud at {', '.join(f'{s}×' for s in meta['sizes'])} OrangeSum, {meta['date']}",
        "",
        f"**Taken on a loaded, shared {host['cores']}-core VM** ({host['ram_gb']} GB RAM; load average at start "
        f"{', '.join(f'{x:.2f}' for x in host['load_average'])}; other people's tests ran at the same time). "
        "The absolute figures are noisy; the Solr/Whoosh ratios, taken side by side in one run, are what matter.",
        "",
        f"- Solr: a local SolrCloud of {meta['nodes']} node(s) on this same machine (one JVM each, 512 MB heap, "
        f"ZooKeeper beside them), collections of **{meta['shards']} shards × {meta['replicas']} replica**, "
        "Loupe's own tokens (PreAnalyzedField, `analysis=\"pre\"`); analysis in 2 Python processes (one per core)",
        "- Whoosh: Loupe's default engine, one writer (bench/engines/loupe.py)",
        f"- Corpus: {meta['documents']:,} unique OrangeSum articles × each size, copies with new ids "
        "(bench/corpus.py); Loupe merges none of them",
        f"- Queries: {meta['queries']} from bench/queries.json, the full API request in-process (Flask test client), "
        f"the two engines interleaved; first pass = every query new to the caches, then {meta['rounds']} repeated "
        f"rounds; HTTP: `run.py serve --workers {meta['http_workers']}` (gunicorn), {meta['duration']:g} s per "
        f"throughput level at {', '.join(map(str, meta['concurrency']))} client(s)",
        "- 1 % update: every 100th article edited, then an incremental `build_index` over the whole file",
        f"- Code: {meta['code']}",
        f"- Command: `{meta['command']}`"
        + "".join(f"; then `{run['command']}` (code {run['code']})" for run in meta.get("later_runs", [])),
        f"- Duration: {(meta.get('seconds', 0) + meta.get('seconds_earlier', 0)) / 60:.1f} min",
        "",
        "Solr cells: the figure, then (×Solr/Whoosh). For docs/s and req/s higher is better; for seconds and "
        "milliseconds lower is better. The peak RSS is the indexing process's (Python), not Solr's JVMs.",
        "",
        markdown(results),
        "",
        "## Where the CPU went",
        "",
        "Cores in use = CPU seconds / wall seconds over the phase, read from /proc (bench/cpu.py). "
        "\"Whole machine\" includes other people's work on the VM.",
        "",
        cpu_markdown(results),
        "",
    ])
