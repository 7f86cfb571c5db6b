"""People, places and organisations named in an article, found by spaCy's French pipeline.

`fr_core_news_sm` is an installed Python package (a dependency in setup.cfg):
it is loaded from there, never downloaded at run time. Only its tokenizer,
`tok2vec` and `ner` run (the parser, tagger and lemmatizer are excluded).
spaCy tags PER, LOC, ORG and MISC; MISC is dropped.

How variants of one name are merged (`entity_key`), within an article and across
the archive:
1. Case, accents, apostrophes and hyphens do not count: `Véran`, `VERAN`, `veran`
   are one key; `Jean-Yves` and `Jean Yves` too.
2. A leading title or civility is dropped, from the key and from the form shown:
   `M.`, `Mme`, `Dr`, `Colonel`, `Général`, `Président`, `Ministre`… (TITLES),
   and so are leading articles and prepositions (`la Chine`, `l’Ambassadeur`,
   `Général de Division`: LEADING_WORDS). So `Colonel Assimi Goïta` and
   `Assimi Goïta` are one person. A name without a capital letter is dropped,
   and so are common nouns the model takes for names (`État`, `République`,
   `Français`, `Covid-19`: NOT_NAMES), and plural nationalities tagged as
   places (`Américains`).
3. In one article, a person written by one word (`Macron`) that is the last word
   of one longer person name of the same article (`Emmanuel Macron`), or else
   the first word of one (`Dahbia` for `Dahbia Amrane`), is that person, shown by
   its full name.
4. In one article, a name tagged with two types takes the type it was tagged
   with most often (ties: person, then organisation, then place).
The form kept for an article is its most frequent written form (ties: the
longest); a facet shows, for each key, the form most articles use.
Names shorter than two letters, or without a letter, are dropped.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.analysis import fold
from indexer.processes import die_with_parent

ENTITY_TYPES = ("person", "place", "org")
_TYPE_OF_LABEL = {"PER": "person", "LOC": "place", "ORG": "org"}
_TYPE_PREFERENCE = {"person": 0, "org": 1, "place": 2}
MODEL = "fr_core_news_sm"
RULES_VERSION = "5"  # bump when the merge rule changes: cached entities are recomputed
MAX_CHARACTERS = 20_000  # of an article's text read by the model: bounds the cost of a huge document
BATCH = 32

TITLES = frozenset(fold(t).lower() for t in (
    "m", "mm", "mme", "mmes", "mlle", "mlles", "monsieur", "madame", "mademoiselle", "messieurs", "dr", "docteur",
    "pr", "professeur", "me", "maitre", "maître", "mgr", "monseigneur", "père", "soeur", "sœur", "frère",
    "colonel", "général", "general", "commandant", "capitaine", "lieutenant", "sergent", "caporal", "amiral",
    "maréchal", "président", "présidente", "ministre", "premier", "sénateur", "sénatrice", "député", "députée",
    "maire", "juge", "procureur", "préfet", "roi", "reine", "prince", "princesse", "pape", "imam", "abbé", "sir",
    "lord", "cheikh", "émir", "lt", "col", "gal", "gén", "cdt", "cne", "ambassadeur", "ambassadrice", "chef",
    "secrétaire", "directeur", "directrice", "porte-parole", "ex", "feu", "candidat", "candidate", "opposant",
))
# Words a mention may start with that are not part of the name: articles and prepositions
# (`la Chine`, `l'Ambassadeur`), and what follows a rank (`Général de Division`).
LEADING_WORDS = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "a", "au", "aux", "en", "division", "brigade",
                           "armee", "corps"})
# Plural nationalities (`Américains`, `Européennes`) the model tags as places.
_PLURAL_DEMONYM = re.compile(r"(?:ains|aines|iens|iennes|aises|éens|éennes|eens|eennes)$")
_APOSTROPHE_PREFIX = re.compile(r"^([LlDd])['’]\s*")
# Single words the model tags as names that are not one here: institutions written by
# their common name (`l'État`, `la République`, `la Santé` of a ministry cut short),
# nationalities, the epidemic. Dropped whatever type they were given.
NOT_NAMES = frozenset({
    "etat", "etats", "republique", "gouvernement", "sante", "interieur", "justice", "defense", "securite",
    "economie", "education", "culture", "travail", "armees", "armee", "police", "gendarmerie", "ministere",
    "francais", "francaise", "francaises", "europeen", "europeens", "covid", "covid 19", "coronavirus", "sars cov 2",
    "dieu", "internet", "web", "conseil", "president", "prefecture", "gilets jaunes", "gilet jaune", "assemblee",
})
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`.]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")


FORM_SEPARATOR = "\x1e"  # between the key and the form in an index's `<type>_form` values


@dataclass(frozen=True)
class Entity:
    type: str  # person, place, org
    key: str  # the merged name: lower case, no accents, no title (entity_key)
    form: str  # as written, most often in this article

    def as_list(self) -> list[str]:
        return [self.type, self.key, self.form]

    @property
    def form_value(self) -> str:
        """"key\x1eform": what an index keeps per article so that a facet can show each key's most used form."""
        return f"{self.key}{FORM_SEPARATOR}{self.form}"


def most_used_forms(form_values: Iterable[tuple[str, int]]) -> dict[str, str]:
    """key → its form used by the most articles, from (form_value, articles) pairs; ties: the longer form,
    then the first given."""
    best: dict[str, tuple[int, str]] = {}
    for value, articles in form_values:
        key, _, form = value.partition(FORM_SEPARATOR)
        if key not in best or (articles, len(form)) > (best[key][0], len(best[key][1])):
            best[key] = (articles, form)
    return {key: form for key, (_articles, form) in best.items()}


def strip_title(name: str) -> str:
    """`Colonel Assimi Goïta` → `Assimi Goïta`; `M. Macron` → `Macron`; `la Chine` → `Chine`;
    `Général de Division Daoud Aly` → `Daoud Aly`; `L’Ambassadeur LI Xiang` → `LI Xiang`."""
    words = name.split()
    if len(words) == 1:  # `l'Intérieur`, `d'Orly`
        return _APOSTROPHE_PREFIX.sub("", words[0]) or words[0]
    while len(words) > 1:
        first = _APOSTROPHE_PREFIX.sub("", words[0])
        if first != words[0]:
            words[0] = first
            if not first:
                words = words[1:]
            continue
        word = fold(words[0].rstrip(".,")).lower()
        if word not in TITLES and word not in LEADING_WORDS:
            break
        words = words[1:]
    return " ".join(words)


def entity_key(name: str) -> str:
    """The key variants of one name share: no title, no case, no accents, words joined by one space."""
    stripped = strip_title(unicodedata.normalize("NFC", name.strip()))
    return " ".join(part for part in _SEPARATORS.split(fold(stripped).lower()) if part)


def merge_mentions(mentions: Iterable[tuple[str, str]]) -> list[Entity]:
    """An article's (spaCy label, text) mentions as its entities, merged by the rule above."""
    forms: dict[str, Counter] = {}
    types: dict[str, Counter] = {}
    for label, text in mentions:
        kind = _TYPE_OF_LABEL.get(label)
        form = " ".join(strip_title(text).split()).strip(" ,;:«»\"'’")
        # A name is written with a capital: a lower-case "person" is the model's mistake.
        if kind is None or len(_HAS_LETTER.findall(form)) < 2 or not any(c.isupper() for c in form):
            continue
        key = entity_key(form)
        if not key or key in NOT_NAMES or (kind == "place" and " " not in key and _PLURAL_DEMONYM.search(key)):
            continue
        forms.setdefault(key, Counter())[form] += 1
        types.setdefault(key, Counter())[kind] += 1
    kind_of = {key: min(counts, key=lambda kind: (-counts[kind], _TYPE_PREFERENCE[kind])) for key, counts in types.items()}
    # A one-word person who is the last (or else the first) word of one longer person of the article is that person.
    surnames: dict[str, list[str]] = {}
    first_names: dict[str, list[str]] = {}
    for key, kind in kind_of.items():
        if kind == "person" and " " in key:
            surnames.setdefault(key.rsplit(" ", 1)[1], []).append(key)
            first_names.setdefault(key.split(" ", 1)[0], []).append(key)
    for key in [k for k, kind in kind_of.items() if kind == "person" and " " not in k]:
        longer = surnames.get(key) or first_names.get(key, [])
        if len(longer) == 1:
            # The surname's mentions count for the person; the form shown stays a full name.
            surname = forms.pop(key)
            types[longer[0]]["person"] += sum(surname.values())
            del kind_of[key]
    return sorted(
        (Entity(kind_of[key], key, max(counts, key=lambda form: (counts[form], len(form), form)))
         for key, counts in forms.items() if key in kind_of),
        key=lambda entity: (entity.type, entity.key),
    )


def article_text(title: str, summary: str, body: str) -> str:
    return "\n\n".join(part for part in (title, summary, body) if part)[:MAX_CHARACTERS]


# One pipeline per worker process, loaded on its first batch.
_nlp = None


def _pipeline():
    global _nlp
    if _nlp is None:
        import fr_core_news_sm

        _nlp = fr_core_news_sm.load(exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"])
    return _nlp


def extract(texts: list[str]) -> list[list[Entity]]:
    """The entities of each text (in one process)."""
    return [merge_mentions((ent.label_, ent.text) for ent in doc.ents)
            for doc in _pipeline().pipe(texts, batch_size=BATCH)]


class EntityCache:
    """Entities by content hash, kept between runs so a rebuild reads the model only for new texts."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            # Only a cache: a damaged file is set aside (for a look) and the run reads the model again.
            os.replace(path, path.with_name(path.name + ".corrupt"))
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(str(path))
        try:
            db.execute("CREATE TABLE IF NOT EXISTS entities (hash TEXT PRIMARY KEY, data TEXT NOT NULL)")
            db.execute("SELECT hash FROM entities LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @staticmethod
    def _key(content_hash: str) -> str:
        return f"{MODEL}:{RULES_VERSION}:{content_hash}"

    def get_many(self, hashes: list[str]) -> dict[str, list[Entity]]:
        found: dict[str, list[Entity]] = {}
        keys = {self._key(h): h for h in hashes}
        for chunk in in_batches(keys, 500):  # SQLite's limit on bound parameters is far above 500
            rows = self._db.execute(f"SELECT hash, data FROM entities WHERE hash IN ({','.join('?' * len(chunk))})", chunk)
            for key, data in rows:
                found[keys[key]] = [Entity(*item) for item in json.loads(data)]
        return found

    def put_many(self, entities: dict[str, list[Entity]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO entities VALUES (?, ?)",
                [(self._key(h), json.dumps([e.as_list() for e in found], ensure_ascii=False)) for h, found in entities.items()],
            )

    def close(self) -> None:
        self._db.close()


class EntityExtractor:
    """Entities for batches of articles: from the cache, or from worker processes running the model."""

    def __init__(self, cache: EntityCache, processes: int) -> None:
        self.cache = cache
        self.processes = max(1, processes)
        self._pool = None
        self.extracted = 0  # texts the model read in this run (the others came from the cache)

    def _map(self, texts: list[str]) -> list[list[Entity]]:
        if self.processes == 1 or len(texts) < 2 * BATCH:
            return extract(texts)
        if self._pool is None:
            # spawn: a fresh interpreter per worker, whatever threads the parent runs.
            self._pool = multiprocessing.get_context("spawn").Pool(
                self.processes, initializer=die_with_parent, initargs=(os.getpid(),))
        return [entities for chunk in self._pool.imap(extract, in_batches(texts, BATCH)) for entities in chunk]

    def entities_of(self, articles: list[tuple[str, str]]) -> list[list[Entity]]:
        """(content hash, text) → entities, in order."""
        known = self.cache.get_many([h for h, _ in articles])
        todo = {h: text for h, text in articles if h not in known}
        if todo:
            found = dict(zip(todo, self._map(list(todo.values()))))
            self.cache.put_many(found)
            self.extracted += len(found)
            known.update(found)
        return [known[h] for h, _ in articles]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self.cache.close()


def in_batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
