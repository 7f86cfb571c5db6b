"""Known-item relevance: queries rewritten from an article's title or summary, MRR@10 per engine.

    python -m bench.relevance --make   # rewrite bench/known_items.json (committed; do not regenerate casually)
    python -m bench.relevance --run [--limit N] [--engines loupe,lucene_fr,...] [--reuse] [--rebuild loupe]
                                       # build or reuse, then print the relevance table (bench/relevance_run.py)

The other sets (by query kind, questions) and their scoring are in known_item_kinds.py and relevance_sets.py.

Rewriting (deterministic): accents removed, elided articles and stop words dropped, about one
word in three swapped for another inflected form (plural ↔ singular, -al ↔ -aux, -er ↔ -é,
feminine -ée → -é), at most 8 words.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path

from bench.corpus import unique_records

KNOWN_ITEMS_FILE = Path(__file__).resolve().parent / "known_items.json"
SAMPLE_SIZE = 200
SAMPLE_FROM_FIRST = 10_000  # so a `--limit 10000` run evaluates the whole set
MAX_WORDS = 8
# A generic French function-word list (not Loupe's), so the rewrite does not favour Loupe.
STOP_WORDS = frozenset("""
le la les l un une des du de d au aux a à et ou en dans sur sous par pour avec sans ce cet cette ces
son sa ses leur leurs mon ma mes ton ta tes notre nos votre vos qui que qu quoi dont où ne n pas plus
se s il elle ils elles on nous vous je j me m te t lui y est sont été être a ont avait c ça cela
comme mais donc or ni car si tout tous toute toutes aussi très après avant entre selon chez lors
""".split())
ELIDED = ("l'", "d'", "qu'", "n'", "s'", "j'", "c'", "m'", "t'", "jusqu'", "lorsqu'", "puisqu'")


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.replace("œ", "oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def inflect(word: str) -> str:
    """Another inflected form of a (lowercased, accented) French word, or the word itself."""
    rules = (("aux", "al"), ("ées", "é"), ("ée", "é"), ("és", "é"), ("al", "aux"), ("é", "er"), ("er", "é"))
    for ending, replacement in rules:
        if word.endswith(ending) and len(word) > len(ending) + 3:
            return word[: -len(ending)] + replacement
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    if len(word) > 4 and word[-1] in "eènt":
        return word + "s"
    return word


def _digest(text: str) -> bytes:
    return hashlib.sha256(("loupe-bench-known-item:" + text).encode()).digest()


def rewrite(text: str, doc_id: str) -> str:
    words = []
    for raw in re.findall(r"\w+(?:['’]\w+)*", text.replace("’", "'")):
        lowered = raw.lower()
        for prefix in ELIDED:
            if lowered.startswith(prefix):
                raw, lowered = raw[len(prefix):], lowered[len(prefix):]
                break
        if lowered in STOP_WORDS or len(lowered) < 2 or "'" in lowered or raw.upper() in ("AND", "OR", "NOT", "TO"):
            continue
        words.append(raw)
    chosen = []
    for position, word in enumerate(words[:MAX_WORDS]):
        if _digest(f"{doc_id}:{position}")[0] % 3 == 0 and not word[0].isupper():
            word = inflect(word)
        chosen.append(fold(word))
    return " ".join(chosen)


def first_sentence(summary: str) -> str:
    return re.split(r"(?<=[.!?])\s", summary, maxsplit=1)[0]


def make_known_items() -> list[dict]:
    candidates = sorted(unique_records(limit=SAMPLE_FROM_FIRST), key=lambda r: _digest(r["id"]))
    items = []
    for record in candidates:
        use_summary = _digest(record["id"])[1] % 2 == 1 and record.get("summary")
        origin = first_sentence(record["summary"]) if use_summary else record["title"]
        query_text = rewrite(origin, record["id"])
        if len(query_text.split()) >= 3:
            items.append({"id": record["id"], "from": "summary" if use_summary else "title", "query": query_text})
        if len(items) == SAMPLE_SIZE:
            break
    return items


def load_known_items(path: Path = KNOWN_ITEMS_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def reciprocal_rank(ranked_ids: list[str], wanted: str) -> float:
    return 1.0 / (ranked_ids.index(wanted) + 1) if wanted in ranked_ids[:10] else 0.0


def mean_reciprocal_rank(engine, items: list[dict], conjunction: bool) -> float:
    """MRR@10 of `engine.rank(query, conjunction)` over `items`."""
    if not items:
        return 0.0
    return sum(reciprocal_rank(engine.rank(item["query"], conjunction), item["id"]) for item in items) / len(items)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--run" in argv:
        from bench.relevance_run import main as run  # imported here: it needs this module's names

        run(argv)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--make", action="store_true", help=f"rewrite {KNOWN_ITEMS_FILE.name}")
    parser.add_argument("--run", action="store_true", help="build or reuse, then print the relevance table "
                        "(see python -m bench.relevance --run --help)")
    args = parser.parse_args(argv)
    if args.make:
        items = make_known_items()
        KNOWN_ITEMS_FILE.write_text(
            "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n", encoding="utf-8")
        print(f"{len(items)} known items written to {KNOWN_ITEMS_FILE}")
    else:
        parser.print_help()


if __name__ == "__main__":
    main()
