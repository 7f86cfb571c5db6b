"""The French analyzer: tokenise, elide, lowercase, drop stop words, fold accents, stem.

Every filter is a small generator over Whoosh tokens, composed with `|`. The
classes are pickled into the index schema, so they must stay at this import path.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer

from indexer.stopwords import FRENCH_STOP_WORDS

# A word is a run of letters/digits, possibly joined by apostrophes
# ("aujourd'hui", "l'Ambassadeur"). Hyphens and dashes split words, so
# "sino-maliennes", "a-t-il" and "Mali–Chine" are indexed as their parts.
WORD_PATTERN = r"\w+(?:['’]\w+)*"
WORD_RE = re.compile(WORD_PATTERN)

# Elided articles and pronouns, written with either apostrophe (the seeds use
# ’, OrangeSum uses '). Elasticsearch's stock elision filter misses ’.
# Not `quelqu`/`presqu`: `quelqu’un` and `presqu’île` are words of their own.
ELIDED_PREFIXES = frozenset("l d j m n s t c qu jusqu lorsqu puisqu quoiqu".split())
APOSTROPHES = "'’"

# Ligatures and letters that Unicode decomposition does not split.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})


def strip_elision(word: str) -> str:
    """`l’ambassadeur` → `ambassadeur`; `aujourd'hui` stays whole."""
    for i, char in enumerate(word):
        if char in APOSTROPHES:
            if word[:i].lower() in ELIDED_PREFIXES and i + 1 < len(word):
                return word[i + 1 :]
            return word
    return word


def _fold_slowly(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Precomputed folds of the Latin letters French text uses (U+00C0–U+024F), applied
# with str.translate at C speed; anything else non-ASCII takes the slow path.
_LATIN_FOLDS = str.maketrans({chr(c): _fold_slowly(chr(c)) for c in range(0xC0, 0x250)} | {"’": "'"})


def fold(word: str) -> str:
    """Remove accents and expand ligatures: `souveraineté` → `souverainete`, `cœur` → `coeur`.

    NFKD also turns the superscript ᵉ of `65ᵉ` into a plain e.
    """
    if word.isascii():
        return word
    folded = word.translate(_LATIN_FOLDS)
    if folded.isascii():
        return folded
    # Folding is per character (combining marks are dropped, never composed), so the
    # rest is folded one distinct character at a time: a whole article with « » or —
    # in it no longer goes through NFKD character by character.
    return folded.translate({ord(char): _fold_char(char) for char in set(folded) if not char.isascii()})


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    return _fold_slowly(char)


# Snowball stemmers keep state between calls: one per thread.
_thread_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_thread_local, "stemmer", None)
    if stemmer is None:
        stemmer = _thread_local.stemmer = Stemmer.Stemmer("french")
        stemmer.maxCacheSize = 50_000
    return stemmer


# Snowball over-stems short words: `Mali` → `mal` (evil), `pays` → `pay`. Words of
# four letters or fewer only lose a plural s or x.
SHORT_WORD_LENGTH = 4


def stem(word: str) -> str:
    """French stem of a lowercased word: Snowball, or a plural strip for short words."""
    if len(word) <= SHORT_WORD_LENGTH:
        return word[:-1] if len(word) > 2 and word[-1] in "sx" else word
    return _stemmer().stemWord(word)


# Nouns of quality in -eté derive from an adjective (souverain → souveraineté,
# propre → propreté, sûr → sûreté). Snowball has no rule for -eté, so without
# this `souverain` would not find `souveraineté`.
_ETE_SUFFIX = re.compile(r"^(?P<root>\w{5,}?)etes?$")


def derivational_root(folded: str) -> str | None:
    match = _ETE_SUFFIX.match(folded)
    return stem(match.group("root")) if match else None


# Inflections that Snowball only recognises with their accents (`protestée` but not
# `protestee`) or not at all (`active` → `activ`, `actif` → `actif`), as (folded
# ending, the masculine singular endings it may come from). Applied to the folded
# word before stemming, at index and query time alike, so every inflection of a
# word reaches the same stem whether the accents were typed or not. Two endings
# when the feminine is ambiguous: `-euse` is the feminine of `-eux` (heureuse) and
# of `-eur` (chercheuse). Not `-ite` (`interdite` but `sécurité`, `université`)
# nor `-ise` (`prise` but `crise`).
_INFLECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("iennes", ("ien",)), ("ienne", ("ien",)), ("ennes", ("en",)), ("enne", ("en",)),
    ("ieres", ("ier",)), ("iere", ("ier",)),
    ("euses", ("eux", "eur")), ("euse", ("eux", "eur")),
    ("trices", ("teur",)), ("trice", ("teur",)),
    ("ives", ("if",)), ("ive", ("if",)),
    ("elles", ("el",)), ("elle", ("el",)),
    ("ettes", ("et",)), ("ette", ("et",)),
    ("onnes", ("on",)), ("onne", ("on",)),
    ("eaux", ("eau",)),
    ("aux", ("al",)),
    ("uites", ("uit",)), ("uite", ("uit",)),
    ("ees", ("e",)), ("ee", ("e",)),
    ("ues", ("u",)), ("ue", ("u",)),
    ("us", ("u",)),
)
# Four-letter words lose only these endings (`tuée`, `élue`): `vive` or `bonne` would be too short to tell.
_SHORT_INFLECTIONS = frozenset({"ee", "ue"})

# Words Snowball conflates with another word of a different meaning (snowballstem/snowball#209:
# `français` → `franc`, the currency; `Vienne` → `viens`), kept apart as a stemmer override list
# does in Lucene and Elasticsearch. Folded forms → the term they are indexed and searched under.
STEM_OVERRIDES: dict[str, str] = {
    "france": "france",
    "francais": "francais", "francaise": "francais", "francaises": "francais",
    "vienne": "vienne",
    "niger": "niger",
}
MIN_INFLECTED_STEM = 2  # letters left before the ending: `elle` and `ive` alone are not inflections


def masculine_singulars(folded: str) -> tuple[str, ...]:
    """The folded word with a feminine or plural ending put back to the masculine singular."""
    if len(folded) < SHORT_WORD_LENGTH:
        return (folded,)
    for ending, replacements in _INFLECTIONS:
        if folded.endswith(ending) and len(folded) - len(ending) >= MIN_INFLECTED_STEM:
            if len(folded) == SHORT_WORD_LENGTH and ending not in _SHORT_INFLECTIONS:
                break
            return tuple(folded[: -len(ending)] + replacement for replacement in replacements)
    return (folded,)


@lru_cache(maxsize=200_000)
def query_terms(word: str) -> tuple[str, ...]:
    """The terms a lowercased query word searches for: one, or two when its ending is ambiguous."""
    folded = fold(word)
    if folded in STEM_OVERRIDES:
        return (STEM_OVERRIDES[folded],)
    return tuple(dict.fromkeys(stem(form) for form in masculine_singulars(folded)))


def query_term(word: str) -> str:
    """The main term a lowercased query word searches for."""
    return query_terms(word)[0]


@lru_cache(maxsize=200_000)
def index_variants(word: str) -> tuple[str, ...]:
    """The terms indexed for one lowercased word, all at the same position.

    The stems of its masculine singular forms are what a query produces, so every
    spelling and inflection of a word meets itself. The folded stem of the accented
    form adds Snowball's accent-aware suffix rules (`sécurité` → `secur`) and the
    -eté root adds `souverain` for `souveraineté`.
    """
    folded = fold(word)
    variants = list(query_terms(word))
    if folded in STEM_OVERRIDES:
        return tuple(variants)
    if folded != word:
        accented = fold(stem(word))
        if accented not in variants:
            variants.append(accented)
    root = derivational_root(folded)
    if root and root not in variants:
        variants.append(root)
    return tuple(variants)


class FrenchTokenizer(RegexTokenizer):
    """Words joined by either apostrophe; NFC-normalises its input first."""

    def __init__(self) -> None:
        super().__init__(expression=WORD_PATTERN)

    def __call__(self, value, **kwargs):
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        return super().__call__(value, **kwargs)


class ElisionFilter(Filter):
    """Drop elided articles: `l'`, `d’`, `qu'`, `jusqu’`…; keeps char offsets on the word."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text
            if "'" in text or "’" in text:
                word = strip_elision(text)
                if word is not text and hasattr(t, "startchar") and t.chars:
                    t.startchar += len(text) - len(word)
                t.text = word.replace("’", "'")
            yield t


class FrenchStopFilter(Filter):
    """Drop our French stop words, renumbering positions so phrases still match."""

    def __init__(self, stops: frozenset[str] = FRENCH_STOP_WORDS) -> None:
        self.stops = stops

    def __eq__(self, other):
        return self.__class__ is other.__class__ and self.stops == other.stops

    def __call__(self, tokens):
        stops = self.stops
        pos = None
        for t in tokens:
            if t.text in stops:
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                pos = t.pos if pos is None else pos + 1
                t.pos = pos
            t.stopped = False
            yield t


class FoldFilter(Filter):
    """Fold accents and ligatures, no stemming: for names and exact-ish fields."""

    def __call__(self, tokens):
        for t in tokens:
            t.text = fold(t.text)
            yield t


class FrenchStemFilter(Filter):
    """Fold and stem; at index time also emit the accent-aware and -eté variants."""

    def __call__(self, tokens):
        for t in tokens:
            if t.mode == "query":
                # Alternatives of an ambiguous ending share the word's position.
                for term in query_terms(t.text):
                    t.text = term
                    yield t
                continue
            for variant in index_variants(t.text):
                t.text = variant
                yield t


def FrenchAnalyzer():
    """Stemmed and folded text, for recall: the default search fields."""
    return FrenchTokenizer() | ElisionFilter() | LowercaseFilter() | FrenchStopFilter() | FrenchStemFilter()


def ExactAnalyzer():
    """Lowercased words with accents kept and no stemming: `exact:souverainetés`."""
    return FrenchTokenizer() | ElisionFilter() | LowercaseFilter()


def NameAnalyzer():
    """Names of people, publications, sections and tags: folded, not stemmed."""
    return FrenchTokenizer() | ElisionFilter() | LowercaseFilter() | FoldFilter()


def word_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, lowercased word without elision) for each word of `text`.

    Used by the highlighter, which must mark the same words the index matched.
    Offsets refer to `text` itself, which the caller has NFC-normalised.
    """
    for match in WORD_RE.finditer(text):
        raw = match.group(0)
        word = strip_elision(raw)
        start = match.start() + len(raw) - len(word)
        yield start, match.end(), word.lower().replace("’", "'")
