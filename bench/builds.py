"""Each engine's build in its own child process, and which finished builds a run directory holds.

A finished build leaves `<run_dir>/<engine>.build.json` (the child's figures, the corpus it read and a hash
of the code it ran) beside `<run_dir>/<engine>/`, so that `python -m bench.relevance --run --reuse` can use
it again, and builds again when the corpus or that code changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench.build_child import ENGINE_MODULES, load_engine
from bench.corpus import REPO
from bench.progress import log

# Code a build depends on beyond its engine module (folders of .py and .java files, relative to the repo).
BUILD_CODE = {"loupe": ("indexer",), "lucene_fr": ("bench/lucene",), "lucene_fr_fold": ("bench/lucene",),
              "solr": ("indexer", "engines/solr"), "solr_lucene": ("indexer", "engines/solr")}


def _marker(run_dir: Path, engine: str) -> Path:
    return run_dir / f"{engine}.build.json"


def code_hash(engine: str) -> str:
    """SHA-256 of the engine module's source and of the code in BUILD_CODE: what the index was made by."""
    files = [Path(importlib.util.find_spec(ENGINE_MODULES[engine].partition(":")[0]).origin)]
    for folder in BUILD_CODE.get(engine, ()):
        files += sorted(p for p in (REPO / folder).rglob("*") if p.suffix in (".py", ".java"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp(corpus: Path, engine: str) -> dict:
    return {"corpus": corpus.name, "corpus_bytes": corpus.stat().st_size, "code": code_hash(engine)}


def build_engine(engine: str, corpus: Path, run_dir: Path, update_fraction: float = 0.0) -> dict:
    """Build `engine` from `corpus` into run_dir/engine (from scratch): seconds, documents, peak RSS, update."""
    out_dir = run_dir / engine
    _marker(run_dir, engine).unlink(missing_ok=True)
    shutil.rmtree(out_dir, ignore_errors=True)
    log(f"building {engine} from {corpus.name}")
    command = [sys.executable, "-m", "bench.build_child", engine, str(corpus), str(out_dir)]
    if update_fraction:
        command += ["--update-fraction", str(update_fraction)]
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"bench: building {engine} failed:\n{finished.stderr[-2000:]}")
    outcome = json.loads(finished.stdout.strip().splitlines()[-1])
    _marker(run_dir, engine).write_text(json.dumps({**outcome, **_stamp(corpus, engine)}), encoding="utf-8")
    log(f"  {outcome}")
    return outcome


def build_all(corpus: Path, run_dir: Path, engines: tuple[str, ...], update_fraction: float = 0.0) -> dict:
    return {engine: build_engine(engine, corpus, run_dir, update_fraction) for engine in engines}


def finished_build(run_dir: Path, engine: str, corpus: Path) -> dict | None:
    """The figures of an earlier build of `engine` from this same corpus file by the same code, or None."""
    marker = _marker(run_dir, engine)
    if not (marker.exists() and (run_dir / engine).is_dir()):
        return None
    outcome = json.loads(marker.read_text(encoding="utf-8"))
    stamp = _stamp(corpus, engine)
    changed = [what for what in ("corpus_bytes", "code") if outcome.get(what) != stamp[what]]
    if changed:
        log(f"{engine}: not reusing the build in {run_dir.name} ({' and '.join(changed)} changed since)")
        return None
    return outcome


def open_engines(run_dir: Path, engines: tuple[str, ...]) -> dict:
    """The query side of each engine on its index in run_dir."""
    return {engine: load_engine(engine).Engine(run_dir / engine) for engine in engines}


def close_engines(opened: dict) -> None:
    """End the engines that run in a process of their own (Lucene's JVM)."""
    for engine in opened.values():
        if hasattr(engine, "close"):
            engine.close()
