"""The known-item set by query kind (known_items_kinds.json): three-word queries, as typed, accent-less, inflected.

    python -m bench.known_item_kinds   # rewrite bench/known_items_kinds.json (committed; deterministic)

About 300 articles, sampled by a hash of their id from the first 10,000 unique ones (so a `--limit 10000`
run evaluates all of them), each gives one item of one kind. Its query is three words of its title or of
the first sentence of its summary: the three most distinctive content words (fewest articles in the corpus
hold them; words of four letters or more first; the generic stop list of relevance.py skipped), in their
order in the text. Kinds:

- `plain`: the three words as written, accents kept;
- `accentless`: the same words without accents (only articles where one of them has an accent);
- `inflected`: without accents, and one or two words (two when possible) changed to another inflected form:
  plural ↔ singular (-s, -x), feminine ↔ masculine (-e, -ée/-é, -ive/-if, -euse/-eux, -elle/-el,
  -ienne/-ien), -é ↔ -er ↔ -ait, -al ↔ -aux. A form is used only if it occurs, written in lower case, somewhere
  in the corpus: no invented forms, and no proper nouns (only words written in lower case are changed).

The old set, known_items.json, stays as it is, for comparison with earlier runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bench.corpus import unique_records
from bench.relevance import ELIDED, SAMPLE_FROM_FIRST, STOP_WORDS, first_sentence, fold

KINDS_FILE = Path(__file__).resolve().parent / "known_items_kinds.json"
KINDS = ("plain", "accentless", "inflected")
ITEMS_PER_KIND = 100
QUERY_WORDS = 3
LONG_WORD = 4  # letters; shorter content words are used only when a text has too few long ones
# (ending, replacement) pairs, tried on the lower-cased accented word; the corpus says which results are real.
INFLECTIONS = (
    # plural ↔ singular
    ("s", ""), ("x", ""), ("", "s"), ("", "x"),
    # feminine ↔ masculine (and their plurals); -ée ↔ -é is the -e rule
    ("e", ""), ("", "e"), ("es", "s"), ("s", "es"),
    ("ive", "if"), ("if", "ive"), ("ives", "ifs"), ("ifs", "ives"),
    ("euse", "eux"), ("eux", "euse"), ("euses", "eux"),
    ("elle", "el"), ("el", "elle"), ("elles", "els"), ("els", "elles"),
    ("ienne", "ien"), ("ien", "ienne"), ("iennes", "iens"), ("iens", "iennes"),
    # verb forms: participle, infinitive, imperfect
    ("é", "er"), ("é", "ait"), ("er", "é"), ("er", "ait"), ("ait", "é"), ("ait", "er"),
    ("ée", "er"), ("és", "er"), ("ées", "er"),
    # -al ↔ -aux
    ("al", "aux"), ("aux", "al"),
)
MIN_STEM = 3  # letters left before the ending, so that short words keep their meaning
_WORD = re.compile(r"\w+(?:['’]\w+)*")


def _digest(text: str) -> bytes:
    return hashlib.sha256(("loupe-bench-kind-item:" + text).encode()).digest()


def words_of(text: str) -> list[str]:
    """The words of `text` as written: elided articles cut off, words with digits or inner apostrophes dropped."""
    found = []
    for raw in _WORD.findall(text.replace("’", "'")):
        lowered = raw.lower()
        for prefix in ELIDED:
            if lowered.startswith(prefix):
                raw = raw[len(prefix):]
                break
        if raw.isalpha():  # drops aujourd'hui-like words and anything with a digit or underscore
            found.append(raw)
    return found


def content_words(text: str) -> list[str]:
    """Words that are not stop words, each once (first occurrence), in their order."""
    seen, kept = set(), []
    for word in words_of(text):
        lowered = word.lower()
        if lowered in STOP_WORDS or len(lowered) < 2 or lowered in seen:
            continue
        seen.add(lowered)
        kept.append(word)
    return kept


class Vocabulary:
    """Document frequency of each lower-cased word, and the words the corpus writes in lower case."""

    def __init__(self, records: Iterable[dict]) -> None:
        self.document_frequency: Counter[str] = Counter()
        self.lower_case: set[str] = set()
        for record in records:
            words = words_of(" ".join(record.get(f) or "" for f in ("title", "summary", "body")))
            self.document_frequency.update({w.lower() for w in words})
            self.lower_case.update(w for w in words if w.islower())

    def most_distinctive(self, words: list[str], count: int = QUERY_WORDS) -> list[str]:
        """The `count` words held by the fewest articles, long words first, kept in their order."""
        ranked = sorted(range(len(words)), key=lambda i: (
            len(words[i]) < LONG_WORD, self.document_frequency[words[i].lower()], i))
        return [words[i] for i in sorted(ranked[:count])]

    def other_forms(self, word: str) -> list[str]:
        """Other inflected forms of a lower-case word that the corpus writes somewhere, in rule order."""
        if not word.islower():
            return []
        forms = []
        for ending, replacement in INFLECTIONS:
            if not word.endswith(ending) or len(word) - len(ending) < MIN_STEM:
                continue
            form = word[: len(word) - len(ending)] + replacement
            if form != word and form in self.lower_case and form not in forms and fold(form) != fold(word):
                forms.append(form)
        return forms


def inflected(words: list[str], vocabulary: Vocabulary, doc_id: str) -> list[str] | None:
    """`words` with two (or one) of them in another real form, accents removed; None if none can change."""
    changeable = {i: vocabulary.other_forms(w) for i, w in enumerate(words)}
    changeable = {i: forms for i, forms in changeable.items() if forms}
    if not changeable:
        return None
    # Which words change, and into which form, is drawn from the id: deterministic, and not always the first.
    order = sorted(changeable, key=lambda i: _digest(f"{doc_id}:word:{i}"))
    changed = list(words)
    for i in order[:2]:
        forms = changeable[i]
        changed[i] = forms[_digest(f"{doc_id}:form:{i}")[0] % len(forms)]
    return [fold(w) for w in changed]


def candidate_kinds(words: list[str], vocabulary: Vocabulary, doc_id: str) -> dict[str, str]:
    """The query of each kind that this article's three words can make."""
    queries = {"plain": " ".join(words)}
    if any(fold(w) != w for w in words):
        queries["accentless"] = " ".join(fold(w) for w in words)
    changed = inflected(words, vocabulary, doc_id)
    if changed:
        queries["inflected"] = " ".join(changed)
    return queries


def make_kind_items(vocabulary: Vocabulary | None = None) -> list[dict]:
    """ITEMS_PER_KIND items of each kind, one article each, in a deterministic order."""
    if vocabulary is None:
        vocabulary = Vocabulary(unique_records())
    candidates = sorted(unique_records(limit=SAMPLE_FROM_FIRST), key=lambda r: _digest(r["id"]))
    items: list[dict] = []
    counts = dict.fromkeys(KINDS, 0)
    for record in candidates:
        digest = _digest(record["id"])
        use_summary = digest[1] % 2 == 1 and bool(record.get("summary"))
        origin = first_sentence(record["summary"]) if use_summary else record.get("title") or ""
        words = content_words(origin)
        if len(words) < QUERY_WORDS:
            continue
        # The hash gives each article one kind; an article that cannot make it is skipped, not moved to
        # another kind, so that each kind's articles are a fair sample of those that can make it.
        kind = KINDS[digest[0] % len(KINDS)]
        queries = candidate_kinds(vocabulary.most_distinctive(words), vocabulary, record["id"])
        if kind in queries and counts[kind] < ITEMS_PER_KIND:
            items.append({"id": record["id"], "kind": kind, "query": queries[kind],
                          "from": "summary" if use_summary else "title"})
            counts[kind] += 1
        if all(count == ITEMS_PER_KIND for count in counts.values()):
            break
    return items


def load_kind_items(path: Path = KINDS_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    items = make_kind_items()
    KINDS_FILE.write_text(
        "[\n" + ",\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n]\n", encoding="utf-8")
    by_kind = Counter(item["kind"] for item in items)
    print(f"{len(items)} items ({', '.join(f'{by_kind[k]} {k}' for k in KINDS)}) written to {KINDS_FILE}")


if __name__ == "__main__":
    main()
