"""Every engine on every relevance set: MRR@10 and success@10 on the known items, the kind set and the questions.

Sets (each item: the id of the article it should find, and a query):

- `known_items` (known_items.json): the rewritten titles and summaries, all words (AND) and any word (OR);
- `kinds` (known_items_kinds.json): three words per item, plain, accentless or inflected; all words is the
  primary figure (a search box), any word beside it; each kind and all of them together;
- `questions` (questions.json, when the file exists): a question as a user would type it. Loupe gets it as
  typed through its API (it must make sense of a question itself); each reference engine gets it escaped
  through its own query parser with OR between the words (what Elasticsearch's `match` query does), since
  all words would find nothing for a long question.

A Loupe request answered with HTTP 4xx counts as a miss and is listed, so one bad query does not end a run.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.engines.loupe import RequestRefused
from bench.known_item_kinds import KINDS, KINDS_FILE, load_kind_items
from bench.relevance import KNOWN_ITEMS_FILE, load_known_items, reciprocal_rank

QUESTIONS_FILE = Path(__file__).resolve().parent / "questions.json"
ALL_KINDS = "all"
MODES = {"and": "all words", "or": "any word", "question": "as typed (references: any word)"}


@dataclass(frozen=True)
class RelevanceSet:
    """Items of one file, each {"id", "query", "kind"}, and the modes they are asked in."""

    name: str
    label: str
    source: str
    items: tuple[dict, ...]
    modes: tuple[str, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        found = {item["kind"] for item in self.items}
        ordered = tuple(k for k in KINDS if k in found) + tuple(sorted(found - set(KINDS)))
        return ordered + ((ALL_KINDS,) if len(ordered) > 1 else ())


def load_sets(corpus_ids: set[str]) -> list[RelevanceSet]:
    """The sets whose files exist, each limited to the articles of this corpus."""
    sets = [RelevanceSet("known_items", "known items", KNOWN_ITEMS_FILE.name, tuple(
        {"id": i["id"], "query": i["query"], "kind": "rewritten"} for i in load_known_items()
        if i["id"] in corpus_ids), ("and", "or"))]
    if KINDS_FILE.exists():
        sets.append(RelevanceSet("kinds", "by kind", KINDS_FILE.name, tuple(
            i for i in load_kind_items() if i["id"] in corpus_ids), ("and", "or")))
    if QUESTIONS_FILE.exists():
        questions = json.loads(QUESTIONS_FILE.read_text(encoding="utf-8"))
        sets.append(RelevanceSet("questions", "questions", QUESTIONS_FILE.name, tuple(
            {"id": q["id"], "query": q["question"], "kind": "question"} for q in questions
            if q["id"] in corpus_ids), ("question",)))
    return [s for s in sets if s.items]


def ranked_ids(engine, query: str, mode: str) -> list[str]:
    """The engine's top 10 for a query in a mode; a question goes to `ask` if the engine has one (Loupe)."""
    if mode == "question":
        return engine.ask(query) if hasattr(engine, "ask") else engine.rank(query, False)
    return engine.rank(query, mode == "and")


def _summary(ranks: list[float]) -> tuple[float, float]:
    """MRR@10 and success@10 (share of items whose article is in the top 10)."""
    if not ranks:
        return 0.0, 0.0
    return sum(ranks) / len(ranks), sum(1 for r in ranks if r > 0) / len(ranks)


def evaluate(engines: dict, sets: list[RelevanceSet]) -> dict:
    """Rows of MRR@10 and success@10 per set, mode and kind; per-item ranks; Loupe's refused requests;
    seconds each engine spent answering."""
    rows, per_item, refused = [], {}, []
    seconds: dict[str, float] = defaultdict(float)
    for relevance_set in sets:
        for mode in relevance_set.modes:
            ranks: dict[str, list[float]] = {}
            for name, engine in engines.items():
                ranks[name] = []
                started = time.perf_counter()
                for item in relevance_set.items:
                    try:
                        ids = ranked_ids(engine, item["query"], mode)
                    except RequestRefused as error:
                        refused.append({"engine": name, "set": relevance_set.name, "mode": mode, "id": item["id"],
                                        "query": item["query"], "status": error.status, "message": error.message})
                        ids = []
                    ranks[name].append(reciprocal_rank(ids, item["id"]))
                seconds[name] += time.perf_counter() - started
            per_item[f"{relevance_set.name}:{mode}"] = {
                "ids": [i["id"] for i in relevance_set.items], "queries": [i["query"] for i in relevance_set.items],
                "kinds": [i["kind"] for i in relevance_set.items], "ranks": ranks}
            for kind in relevance_set.kinds:
                chosen = [n for n, i in enumerate(relevance_set.items) if kind in (ALL_KINDS, i["kind"])]
                figures = {name: _summary([values[n] for n in chosen]) for name, values in ranks.items()}
                rows.append({"set": relevance_set.name, "label": relevance_set.label, "kind": kind, "mode": mode,
                             "items": len(chosen), "mrr": {e: f[0] for e, f in figures.items()},
                             "success": {e: f[1] for e, f in figures.items()}})
    return {"rows": rows, "per_item": per_item, "refused": refused,
            "files": {s.name: s.source for s in sets}, "seconds": dict(seconds)}


def relevance_results(engines: dict, corpus_ids: set[str]) -> dict:
    """What the bench stores under "relevance": the rows, plus the old set's MRR in its earlier shape."""
    evaluated = evaluate(engines, load_sets(corpus_ids))
    old = [r for r in evaluated["rows"] if r["set"] == "known_items"]
    mrr: dict = defaultdict(dict)
    for row in old:
        for engine, value in row["mrr"].items():
            mrr[engine][row["mode"]] = value
    return {"items": old[0]["items"] if old else 0, "mrr": dict(mrr), **evaluated}
