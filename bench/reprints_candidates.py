"""Candidate reprint pairs in OrangeSum, with their exact Jaccard similarity.

    python -m bench.reprints_candidates [--out /tmp/reprint_candidates.json]

Text is title + "\\n" + body, lowercased, accents removed (NFKD, combining marks
dropped) and split on anything but letters and digits; each article is the set of
its word 5-shingles. MinHashLSH (128 permutations, threshold 0.2) over the unique
articles (no `duplicate_of`) and the three seed pages gives candidate pairs; the
exact Jaccard of each pair's shingle sets is then computed. Prints how many pairs
fall in each Jaccard band (0.2-0.3 ... 0.9-1.0) and writes every candidate pair,
sorted by Jaccard, as JSON [{"a", "b", "jaccard"}] for bench/reprints_labelled.json
to be sampled from (the sample and its labels are described in that file).
Takes a few minutes on the whole corpus.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from bench.corpus import REPO, unique_records

SEEDS = REPO / "corpus" / "seeds"
SHINGLE = 5
NUM_PERM = 128
LSH_THRESHOLD = 0.2
BANDS = [round(0.2 + 0.1 * i, 1) for i in range(8)]  # lower bounds 0.2 ... 0.9
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """Lowercased words without accents: letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(plain)


def shingles(title: str, body: str) -> frozenset[str]:
    """The set of word 5-shingles of title + body (the whole text if it is shorter)."""
    tokens = words(f"{title}\n{body}")
    if len(tokens) < SHINGLE:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def seed_texts() -> dict[str, tuple[str, str]]:
    """id -> (title, body) of the seed pages, read as Loupe reads them."""
    from indexer.corpus import CorpusSource, read_corpus

    source = CorpusSource(paths=tuple(sorted(SEEDS.glob("*.txt"))))
    return {doc.id: (doc.title, doc.body) for doc in read_corpus([source]) if hasattr(doc, "body")}


def corpus_texts() -> dict[str, tuple[str, str]]:
    """id -> (title, body) of every unique OrangeSum article, then the seeds."""
    texts = {record["id"]: (record["title"] or "", record["body"] or "") for record in unique_records()}
    texts.update(seed_texts())
    return texts


def candidate_pairs(sets: dict[str, frozenset]) -> list[dict]:
    """Pairs the LSH index puts together, each with its exact Jaccard, highest first."""
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    ids = list(sets)
    hashes = MinHash.bulk(([s.encode() for s in sets[i]] for i in ids), num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for doc_id, minhash in zip(ids, hashes):
            session.insert(doc_id, minhash)
    pairs = set()
    for doc_id, minhash in zip(ids, hashes):
        pairs.update((min(doc_id, other), max(doc_id, other)) for other in lsh.query(minhash) if other != doc_id)
    found = [{"a": a, "b": b, "jaccard": round(jaccard(sets[a], sets[b]), 4)} for a, b in pairs]
    return sorted(found, key=lambda pair: (-pair["jaccard"], pair["a"], pair["b"]))


def band_of(value: float) -> float | None:
    """Lower bound of the 0.1-wide band holding `value` (1.0 goes in 0.9-1.0); None below 0.2."""
    if value < BANDS[0]:
        return None
    return min(BANDS[-1], round(int(round(value * 1e6)) // 100000 / 10, 1))


def summary(pairs: list[dict]) -> str:
    counts = Counter(band_of(pair["jaccard"]) for pair in pairs)
    lines = [f"{len(pairs)} candidate pairs", "jaccard    pairs"]
    lines += [f"{low:.1f}-{low + 0.1:.1f}  {counts[low]:7d}" for low in BANDS]
    lines.append(f"<0.2       {counts[None]:7d}  (LSH candidates below the lowest band)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/reprint_candidates.json"))
    args = parser.parse_args(argv)
    texts = corpus_texts()
    print(f"{len(texts)} articles", file=sys.stderr)
    sets = {doc_id: shingles(title, body) for doc_id, (title, body) in texts.items()}
    pairs = candidate_pairs(sets)
    args.out.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    print(summary(pairs))
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
