#!/usr/bin/env python3
"""Loupe's command line: index, search, stats and serve, thin over the library."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from indexer.errors import LoupeError
from indexer.store import default_index_dir

EXIT_USAGE = 2
DEFAULT_CORPUS = Path(__file__).resolve().parent / "corpus"


def _progress_printer(corpus: list[Path]):
    """A progress bar with a rate and an estimate on a terminal; None when stderr is not one."""
    if not sys.stderr.isatty():
        return None
    from indexer.corpus import count_documents

    total = max(1, count_documents(corpus))
    started = time.monotonic()

    def show(count: int, origin: str) -> None:
        if count % 50 and count not in (1, total):
            return
        done = min(1.0, count / total)
        bar = "█" * int(done * 30) + "·" * (30 - int(done * 30))
        elapsed = time.monotonic() - started
        rate = count / elapsed if elapsed else 0.0
        left = (total - count) / rate if rate else 0.0
        status = "writing the index…" if count >= total else f"~{left:,.0f} s left"
        sys.stderr.write(f"\r\033[K  [{bar}] {done:4.0%}  {count:,}/{total:,}  {rate:,.0f} docs/s  {status}")
        sys.stderr.flush()

    return show


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.build import build_index

    corpus = [Path(p) for p in args.corpus] if args.corpus else [DEFAULT_CORPUS]
    report = build_index(corpus, Path(args.index), progress=_progress_printer(corpus))
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(f"Indexed {report.added:,} documents into {args.index}/ in {report.seconds:.1f} s "
          f"({report.docs_per_second:,.0f} docs/s).")
    print(f"  merged duplicates: {len(report.merged):,}")
    print(f"  failed: {len(report.failed):,}")
    for line in report.failed[:50]:
        print(f"    {line}")
    if len(report.failed) > 50:
        print(f"    … and {len(report.failed) - 50:,} more (see {args.index}/current/loupe.json)")
    return 0


def _bold_marks(snippet_html: str, bold: bool) -> str:
    """<mark> → terminal bold (or *word* when piped); other entities unescaped."""
    import html

    on, off = ("\033[1m", "\033[0m") if bold else ("*", "*")
    return html.unescape(re.sub(r"</?mark>", lambda m: off if m.group(0)[1] == "/" else on, snippet_html))


def cmd_search(args: argparse.Namespace) -> int:
    from webui.index_handle import IndexHandle
    from webui.search import SearchRequest, result_to_json, run_search

    handle = IndexHandle(Path(args.index))
    request = SearchRequest(query_text=args.query, per_page=args.limit)
    result = run_search(handle.searcher(), request)
    if args.json:
        print(json.dumps(result_to_json(result), ensure_ascii=False, indent=2))
        return 0
    if result.notice == "only_stop_words":
        print("Only common words (le, la, de…): add a word that carries meaning.")
        return 0
    bold = sys.stdout.isatty()
    print(f"{result.total:,} results for {args.query!r} ({result.took_ms:.0f} ms)")
    if result.suggestion:
        print(f"Did you mean: {result.suggestion.text}")
    for rank, hit in enumerate(result.hits, start=1):
        meta = " · ".join(part for part in (hit.source, hit.author, hit.published or "") if part)
        print(f"\n{rank:>2}. {hit.title}  [{hit.id}]")
        if meta:
            print(f"    {meta}")
        print(f"    {_bold_marks(hit.snippet_html, bold)}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from webui.index_handle import IndexHandle

    stats = IndexHandle(Path(args.index)).stats()
    print(json.dumps(stats, ensure_ascii=False, indent=2) if args.json else _format_stats(stats))
    return 0


def _format_stats(stats: dict) -> str:
    lines = [
        f"index:      {stats['path']}",
        f"documents:  {stats['documents']:,}",
        f"built at:   {stats['built_at']}",
        f"date range: {stats['date_from'] or '?'} → {stats['date_to'] or '?'}",
        f"size:       {stats['size_bytes'] / 1e6:.1f} MB",
        "sources:",
    ]
    lines += [f"  {count:>7,}  {name}" for name, count in stats["sources"].items()]
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    from webui.serve import serve

    serve(Path(args.index), host=args.host, port=args.port, dev=args.dev, workers=args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description="Loupe: full-text search for French press archives.")
    commands = parser.add_subparsers(dest="command", required=True)
    index_help = "index directory (default: $LOUPE_INDEX or index/)"

    index = commands.add_parser("index", help="build the index from corpus files and directories")
    index.add_argument("--corpus", action="append", metavar="PATH", help="file or directory (repeatable; default: corpus/)")
    index.add_argument("--index", default=str(default_index_dir()), help=index_help)
    index.add_argument("--rebuild", action="store_true", help="build from scratch beside the current index, then swap")
    index.set_defaults(func=cmd_index)

    search = commands.add_parser("search", help="search the index")
    search.add_argument("query")
    search.add_argument("--index", default=str(default_index_dir()), help=index_help)
    search.add_argument("--limit", type=int, default=10, help="hits to show (1–100, default 10)")
    search.add_argument("--json", action="store_true", help="print the JSON of GET /api/v1/search")
    search.set_defaults(func=cmd_search)

    stats = commands.add_parser("stats", help="documents, sources, date range, size")
    stats.add_argument("--index", default=str(default_index_dir()), help=index_help)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    serve = commands.add_parser("serve", help="serve the web app")
    serve.add_argument("--index", default=str(default_index_dir()), help=index_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=0, help="worker processes (default: number of CPUs)")
    serve.add_argument("--dev", action="store_true", help="Flask's debug server, one process")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "limit", 10) is not None and not 1 <= getattr(args, "limit", 10) <= 100:
        print("run.py: error: --limit must be between 1 and 100", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except LoupeError as error:
        print(f"run.py: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("run.py: interrupted; the index in use is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
