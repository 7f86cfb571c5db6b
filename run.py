#!/usr/bin/env python3
"""Loupe's command line: index, search, stats and serve, thin over the library."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import typing
from pathlib import Path

from indexer.errors import LoupeError
from settings import Settings, load_settings

EXIT_USAGE = 2
REPO = Path(__file__).resolve().parent
DEFAULT_CLUSTER_DIR = REPO / "solr-cluster"


def _progress_printer():
    """A progress bar with a rate and an estimate on a terminal; None when stderr is not one."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()

    def show(count: int, total: int, origin: str) -> None:
        total = max(1, total)
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


def _sources_for(args: argparse.Namespace):
    """Paths given with --corpus, else the registry's sources (all, or --source NAME)."""
    from indexer.corpus import CorpusSource
    from indexer.registry import RegistryError, load_registry

    if args.corpus:
        # Paths outside the registry form the unnamed part of the index: an update
        # from them never deletes what registry sources indexed.
        return [CorpusSource(paths=tuple(Path(p) for p in args.corpus))], {""}
    registry = Path(args.registry)
    registered = load_registry(registry)
    if not registered:
        return [CorpusSource(paths=(registry.parent,))], None
    if args.source:
        chosen = [s for s in registered if s.name in args.source]
        missing = set(args.source) - {s.name for s in chosen}
        if missing:
            raise RegistryError(f"no source named {', '.join(sorted(missing))} in {registry}; see `python run.py sources list`")
        return [s.corpus_source(registry.parent) for s in chosen], set(args.source)
    return [s.corpus_source(registry.parent) for s in registered], None


def cmd_index(args: argparse.Namespace) -> int:
    from engines.factory import open_target
    from indexer.jobs import run_job

    sources, scope = _sources_for(args)
    started_by = os.environ.get("LOUPE_JOB_STARTED_BY", "cli")  # the admin console sets "admin"
    settings = args.settings
    target = open_target(settings.engine, **_engine_settings(args), solr_shards=settings.solr_shards,
                         solr_replicas=settings.solr_replicas)
    report = run_job(
        sources, Path(args.index), target=target, rebuild=args.rebuild, scope=scope, allow_shrink=args.allow_shrink,
        started_by=started_by, progress=_progress_printer(), entities=settings.entities and not args.no_entities,
    )
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    if report.mode == "rebuild":
        outcome = "rebuilt from scratch"
    elif report.added or report.updated or report.deleted:
        outcome = "updated incrementally"
    else:
        outcome = "nothing changed, the index in use is kept"
    where = f"{args.index}/" if settings.engine == "whoosh" else target.location
    print(f"Indexed {report.read:,} documents into {where} in {report.seconds:.1f} s "
          f"({report.docs_per_second:,.0f} docs/s): {outcome}; {report.documents:,} documents in the index.")
    print(f"  added: {report.added:,}   updated: {report.updated:,}   deleted: {report.deleted:,}   "
          f"unchanged: {report.unchanged:,}")
    if report.deleted_ids:
        print(f"  deleted ids: {', '.join(report.deleted_ids[:20])}{' …' if len(report.deleted_ids) > 20 else ''}")
    print(f"  merged duplicates: {len(report.merged):,}")
    for line in report.merged[:10]:
        print(f"    {line}")
    print(f"  failed: {len(report.failed):,}")
    for line in report.failed[:50]:
        print(f"    {line}")
    if len(report.failed) > 50:
        print(f"    … and {len(report.failed) - 50:,} more (see {args.index}/jobs/)")
    if report.removed:
        print(f"  removed (earlier or unfinished builds no longer kept): {', '.join(report.removed)}")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from indexer.registry import RegisteredSource, add_source, load_registry, remove_source

    registry = Path(args.registry)
    if args.action == "add":
        add_source(registry, RegisteredSource(args.name, args.path, args.publication or "", args.section or "", args.language))
        print(f"Added source {args.name!r} to {registry}; run `python run.py index --source {args.name}` to index it.")
        return 0
    if args.action == "remove":
        remove_source(registry, args.name)
        print(f"Removed source {args.name!r} from {registry}; the next `python run.py index` deletes its documents.")
        return 0
    counts = _documents_per_collection(args)
    for s in load_registry(registry):
        files = s.files(registry.parent)
        print(f"{s.name:<24} {counts.get(s.name, 0):>7,} docs  {len(files):>4} file(s)  {s.path}"
              + (f"  [source: {s.source}]" if s.source else ""))
    return 0


def _engine_settings(args: argparse.Namespace) -> dict:
    settings = args.settings
    return {"index_dir": Path(args.index), "solr_url": settings.solr_url, "solr_collection": settings.solr_collection}


def _engine(args: argparse.Namespace):
    from engines.factory import open_engine

    return open_engine(args.settings.engine, **_engine_settings(args))


def _documents_per_collection(args: argparse.Namespace) -> dict[str, int]:
    from indexer.errors import IndexMissing

    try:
        return _engine(args).documents_per_collection()
    except IndexMissing:
        return {}


def _bold_marks(snippet_html: str, bold: bool) -> str:
    """<mark> → terminal bold (or *word* when piped); other entities unescaped."""
    import html

    on, off = ("\033[1m", "\033[0m") if bold else ("*", "*")
    return html.unescape(re.sub(r"</?mark>", lambda m: off if m.group(0)[1] == "/" else on, snippet_html))


def cmd_search(args: argparse.Namespace) -> int:
    from search.request import SearchRequest
    from search.results import result_to_json
    from search.service import run_search

    request = SearchRequest(query_text=args.query, per_page=args.limit)
    result = run_search(_engine(args), request)
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
    stats = _engine(args).stats()
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


def cmd_solr(args: argparse.Namespace) -> int:
    """The local SolrCloud cluster for development: ZooKeeper and N Solr nodes, each in its own JVM."""
    from engines.solr import cluster

    if args.action == "start":
        info = cluster.start(args.dir, nodes=args.nodes, base_port=args.port)
        print(",".join(info.base_urls))  # one line: a value for LOUPE_SOLR_URL or --solr-url
        print(f"SolrCloud ready: {len(info.nodes)} node(s), ZooKeeper {info.zk_host}, logs in {info.cluster_dir}; "
              f"stop it with `python run.py solr stop --dir {args.dir}`", file=sys.stderr)
    elif args.action == "stop":
        for record in cluster.stop(args.dir):
            print(record)
    else:
        for record in cluster.status(args.dir):
            print(record)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from webui.serve import serve

    serve(args.settings, host=args.host, port=args.port, dev=args.dev, workers=args.workers, threads=args.threads)
    return 0


def port(text: str) -> int:
    """A TCP port for --port; argparse names a bad one in its usage error (exit code 2)."""
    number = int(text)
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: a port from 1 to 65535")
    return number


def read_settings(args: argparse.Namespace) -> None:
    """The settings, read once: the flags --index, --registry, --engine and --solr-url override LOUPE_* and the file."""
    flags = {"index_dir": getattr(args, "index", None), "registry_path": getattr(args, "registry", None),
             "engine": getattr(args, "engine", None), "solr_url": getattr(args, "solr_url", None)}
    args.settings = load_settings(**{name: value for name, value in flags.items() if value})
    args.index = str(args.settings.index_dir)
    if "registry" in args:
        args.registry = str(args.settings.registry_path)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description="Loupe: full-text search for French press archives.")
    commands = parser.add_subparsers(dest="command", required=True)
    index_help = "index directory (default: $LOUPE_INDEX, else index_dir in the $LOUPE_CONFIG file, else index/)"

    registry_help = "source registry (default: $LOUPE_REGISTRY_PATH or corpus/sources.toml)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--registry", help=registry_help)
    common.add_argument("--index", help=index_help)
    engine = argparse.ArgumentParser(add_help=False)
    engine.add_argument("--engine", choices=typing.get_args(Settings.model_fields["engine"].annotation),
                        help="the search engine (default: $LOUPE_ENGINE, else whoosh)")
    engine.add_argument("--solr-url", metavar="URL", help="SolrCloud node URL(s), comma-separated "
                                                          "(default: $LOUPE_SOLR_URL)")
    index = commands.add_parser("index", help="bring the index in line with the sources (incremental)",
                                parents=[common, engine])
    index.add_argument("--corpus", action="append", metavar="PATH", help="file or directory to index instead of the registry (repeatable)")
    index.add_argument("--source", action="append", metavar="NAME", help="reindex only this registry source (repeatable)")
    index.add_argument("--rebuild", action="store_true", help="build from scratch beside the current index, then swap")
    index.add_argument("--no-entities", action="store_true",
                       help="skip finding people, places and organisations (faster; LOUPE_ENTITIES=false does the same)")
    index.add_argument("--allow-shrink", action="store_true",
                       help="let a rebuild with fewer documents than the index in use replace it")
    index.set_defaults(func=cmd_index)

    sources = commands.add_parser("sources", help="list, add or remove registry sources")
    actions = sources.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="sources with their document counts", parents=[common])
    add = actions.add_parser("add", help="declare a source", parents=[common])
    add.add_argument("name")
    add.add_argument("path", help="file, directory or glob, relative to the registry's folder")
    add.add_argument("--publication", help="publication name for documents that carry none")
    add.add_argument("--section")
    add.add_argument("--language", default="fr")
    remove = actions.add_parser("remove", help="forget a source (its documents go at the next index run)", parents=[common])
    remove.add_argument("name")
    sources.set_defaults(func=cmd_sources)

    search = commands.add_parser("search", help="search the index", parents=[engine])
    search.add_argument("query")
    search.add_argument("--index", help=index_help)
    search.add_argument("--limit", type=int, default=10, help="hits to show (1–100, default 10)")
    search.add_argument("--json", action="store_true", help="print the JSON of GET /api/v1/search")
    search.set_defaults(func=cmd_search)

    stats = commands.add_parser("stats", help="documents, sources, date range, size", parents=[engine])
    stats.add_argument("--index", help=index_help)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    serve = commands.add_parser("serve", help="serve the web app", parents=[engine])
    serve.add_argument("--index", help=index_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port, default=8000)
    serve.add_argument("--workers", type=int, default=0, help="worker processes (default: number of CPUs)")
    serve.add_argument("--threads", type=int, default=16, help="threads per worker: a slow client holds one (default 16)")
    serve.add_argument("--dev", action="store_true", help="Flask's debug server, one process")
    serve.set_defaults(func=cmd_serve)

    solr = commands.add_parser("solr", help="start, stop or inspect the local SolrCloud cluster (development)")
    solr_actions = solr.add_subparsers(dest="action", required=True)
    dir_help = f"the cluster's directory (default: {DEFAULT_CLUSTER_DIR.relative_to(REPO)}/ in the repository)"
    for action, action_help in (("start", "start ZooKeeper and the Solr nodes in the background"),
                                ("stop", "stop the nodes, then ZooKeeper"),
                                ("status", "one line per node and one for ZooKeeper: address, pid, state")):
        command = solr_actions.add_parser(action, help=action_help)
        command.add_argument("--dir", type=Path, default=DEFAULT_CLUSTER_DIR, help=dir_help)
        if action == "start":
            command.add_argument("--nodes", type=int, default=2, help="Solr nodes, each in its own JVM (default 2)")
            command.add_argument("--port", type=port, default=8983,
                                 help="node i listens on PORT+i, ZooKeeper on PORT+1000 (default 8983)")
    solr.set_defaults(func=cmd_solr)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "limit", 10) is not None and not 1 <= getattr(args, "limit", 10) <= 100:
        print("run.py: error: --limit must be between 1 and 100", file=sys.stderr)
        return EXIT_USAGE
    try:
        read_settings(args)  # a bad setting is a SettingsError: one line, exit code 2
        return args.func(args)
    except LoupeError as error:
        print(f"run.py: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # Whoever read our output stopped (`run.py search … | head`): nothing to report.
        # Point stdout at /dev/null so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        # A full disk or a read-only index directory: the build in use is kept.
        where = f" ({error.filename})" if error.filename else ""
        print(f"run.py: error: {error.strerror or error}{where}; the index in use is unchanged. "
              "Free some space or fix the directory's permissions, then run the command again.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("run.py: interrupted; the index in use is unchanged", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
