"""Quality and cost of reprint grouping and entity facets, on the labelled samples.

    python -m bench.enrichment_eval [--out bench/results/DATE-enrichment.md]

- Reprints: bench/reprints_labelled.json (170 pairs labelled same story / different).
  Each pair's texts go through Loupe's own pipeline (indexer/stories.py: shingles,
  MinHash signature, the MIN_WORDS guard); "same" is predicted when the estimated
  similarity reaches a threshold. Prints precision and recall for several
  thresholds, STORY_THRESHOLD marked.
- Entities: bench/entities_labelled.json (50 articles, people/places/organisations
  listed by hand). indexer/entities.extract runs on each article's text; a found
  entity is right when its merged key (entity_key) is the key of a labelled one of
  the same type or of one of its aliases. Precision and recall per type, and the
  model's time per article.
- Cost per document at indexing: signatures and entities on 1,000 OrangeSum articles.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date
from pathlib import Path

from bench.corpus import REPO, unique_records
from bench.report import print_and_save
from indexer.corpus import CorpusSource, read_corpus
from indexer.entities import ENTITY_TYPES, article_text, entity_key, extract
from indexer.stories import STORY_THRESHOLD, signature, similarity, story_text

BENCH = Path(__file__).resolve().parent
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def _articles(ids: set[str]) -> dict[str, dict]:
    """OrangeSum records and seed pages by id: title, summary, body."""
    found = {r["id"]: r for r in unique_records() if r["id"] in ids}
    seeds = sorted((REPO / "corpus" / "seeds").glob("*.txt"))
    for doc in read_corpus([CorpusSource(paths=tuple(seeds))]):
        if getattr(doc, "id", None) in ids:
            found[doc.id] = {"title": doc.title, "summary": doc.summary, "body": doc.body}
    return found


def reprints() -> list[str]:
    pairs = json.loads((BENCH / "reprints_labelled.json").read_text(encoding="utf-8"))["pairs"]
    texts = _articles({p[k] for p in pairs for k in ("a", "b")})
    signatures = {i: signature(story_text(t["title"], t["body"])) for i, t in texts.items()}
    scored = [(similarity(signatures[p["a"]], signatures[p["b"]]) if signatures[p["a"]] and signatures[p["b"]] else 0.0,
               p["label"] == "same") for p in pairs]
    same = sum(truth for _, truth in scored)
    lines = ["## Reprint grouping", "",
             f"{len(pairs)} labelled pairs ({same} same story), bench/reprints_labelled.json; estimated similarity of "
             "Loupe's MinHash signatures (128 permutations, word 5-shingles, texts under 40 words never grouped).", "",
             "| threshold | predicted same | precision | recall | F1 |", "|---|---|---|---|---|"]
    for threshold in THRESHOLDS:
        predicted = [truth for score, truth in scored if score >= threshold]
        right = sum(predicted)
        precision = right / len(predicted) if predicted else 0.0
        recall = right / same if same else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        mark = " **(used)**" if abs(threshold - STORY_THRESHOLD) < 1e-9 else ""
        lines.append(f"| {threshold:.2f}{mark} | {len(predicted)} | {precision:.2f} | {recall:.2f} | {f1:.2f} |")
    return lines


def entities() -> list[str]:
    labelled = json.loads((BENCH / "entities_labelled.json").read_text(encoding="utf-8"))["articles"]
    texts = _articles({a["id"] for a in labelled})
    started = time.perf_counter()
    found = extract([article_text(texts[a["id"]]["title"], texts[a["id"]].get("summary", ""), texts[a["id"]]["body"])
                     for a in labelled])
    seconds = time.perf_counter() - started
    totals = {kind: [0, 0, 0] for kind in ENTITY_TYPES}  # right, found, labelled
    any_type = [0, 0, 0]
    for article, entities in zip(labelled, found):
        aliases = {entity_key(short): entity_key(full) for short, full in article.get("aliases", {}).items()}
        truth = {kind: {entity_key(name) for name in article.get(kind, [])} for kind in ENTITY_TYPES}
        truth_any = set().union(*truth.values())
        for kind in ENTITY_TYPES:
            predicted = {aliases.get(e.key, e.key) for e in entities if e.type == kind}
            expected = {aliases.get(k, k) for k in truth[kind]}
            totals[kind][0] += len(predicted & expected)
            totals[kind][1] += len(predicted)
            totals[kind][2] += len(expected)
        predicted_any = {aliases.get(e.key, e.key) for e in entities}
        expected_any = {aliases.get(k, k) for k in truth_any}
        any_type[0] += len(predicted_any & expected_any)
        any_type[1] += len(predicted_any)
        any_type[2] += len(expected_any)
    lines = ["## Entities", "",
             f"{len(labelled)} hand-labelled articles (3 seeds, 47 OrangeSum), bench/entities_labelled.json; "
             "spaCy fr_core_news_sm (tok2vec + ner) and Loupe's merge rule (indexer/entities.py). "
             "An entity counts once per article; it is right when its merged key equals a labelled one's.", "",
             "| type | found | right | labelled | precision | recall |", "|---|---|---|---|---|---|"]
    for kind, (right, predicted, expected) in [*totals.items(), ("any type", any_type)]:
        lines.append(f"| {kind} | {predicted} | {right} | {expected} | {right / max(predicted, 1):.2f} | "
                     f"{right / max(expected, 1):.2f} |")
    lines += ["", f"Model time on these articles: {seconds / len(labelled) * 1000:.0f} ms per article (one process)."]
    return lines


def cost(count: int = 1000) -> list[str]:
    records = [r for _, r in zip(range(count), unique_records())]
    texts = [(r["title"], r.get("summary", ""), r["body"]) for r in records]
    started = time.perf_counter()
    for title, _summary, body in texts:
        signature(story_text(title, body))
    stories = (time.perf_counter() - started) / count * 1000
    started = time.perf_counter()
    extract([article_text(*t) for t in texts])
    entities_ms = (time.perf_counter() - started) / count * 1000
    return ["## Cost per article at indexing", "",
            f"On {count:,} OrangeSum articles, one process (CPU time; a build runs entities in one process per core).", "",
            "| step | ms per article |", "|---|---|",
            f"| story signature (shingles + MinHash) | {stories:.2f} |",
            f"| entities (spaCy fr_core_news_sm) | {entities_ms:.1f} |"]


def build_cost(count: int = 2000) -> list[str]:
    """Whole builds of `count` OrangeSum articles: without entities, with them (model reading every article),
    and a rebuild with them served from the cache; stories are computed in all three."""
    import tempfile

    from bench.corpus import write_corpus
    from engines.whoosh import build_index

    records = [r for _, r in zip(range(count), unique_records())]
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        corpus = write_corpus(records, Path(scratch) / "corpus.jsonl")
        for label, index, options in (("stories, no entities", "plain", {}),
                                      ("stories + entities (model)", "entities", {"entities": True}),
                                      ("stories + entities (cache)", "entities", {"entities": True, "rebuild": True})):
            started = time.perf_counter()
            report = build_index([corpus], Path(scratch) / index, **options)
            seconds = time.perf_counter() - started
            rows.append(f"| {label} | {seconds:.1f} | {report.documents / seconds:.0f} | {report.entities_extracted:,} |")
    return ["## Whole builds", "",
            f"{count:,} OrangeSum articles, `build_index` from scratch (one process per core for writing and for "
            "the entity model; the machine has 2).", "",
            "| build | seconds | articles/s | read by the model |", "|---|---|---|---|", *rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--skip-cost", action="store_true")
    args = parser.parse_args()
    lines = [f"# Reprints and entities — {date.today().isoformat()}", "", *reprints(), "", *entities()]
    if not args.skip_cost:
        lines += ["", *cost(), "", *build_cost()]
    print_and_save(lines, args.out)


if __name__ == "__main__":
    main()
