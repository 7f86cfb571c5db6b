"""Reprints and dispatch copies: articles whose texts are near-duplicates share a story id.

The same agency dispatch is reprinted by many outlets (and republished, updated,
by one): its copies differ by a header, a title, a paragraph. Each article's
text is cut into word 5-shingles (lower case, accents folded); MinHash
signatures estimate the Jaccard similarity of two shingle sets, and LSH finds
the candidates above the threshold without comparing every pair (datasketch).

A new or changed article joins the story of its most similar indexed article
when their estimated similarity reaches STORY_THRESHOLD, or starts its own
story (its id). Stories never merge afterwards: an article bridging two stories
joins the closer one. Story ids stay stable across incremental runs, because an
unchanged article keeps its story; a rebuild recomputes them all in corpus order.

The threshold was chosen on a labelled sample of pairs (bench/reprints_labelled.json,
evaluated by bench/reprints_eval.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from indexer.analysis import fold

SHINGLE_WORDS = 5
PERMUTATIONS = 128
STORY_THRESHOLD = 0.4  # estimated Jaccard of 5-shingle sets, chosen on bench/reprints_labelled.json
SEED = 1
# Below this many words a text is its own story: in short texts a shared phrase or a
# template ("Un texte sur…, numéro 12") weighs too much to tell a reprint.
MIN_WORDS = 40
SCHEME = "affine32"  # datasketch 2: 32-bit hash values

_WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> set[bytes]:
    """The text's word 5-shingles, lower case, accents folded (a short text is one shingle)."""
    words = _WORD.findall(fold(text.lower()))
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8") for i in range(len(words) - SHINGLE_WORDS + 1)}


def story_text(title: str, body: str) -> str:
    return f"{title}\n{body}"


_TEMPLATE = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME)


def signature(text: str) -> bytes:
    """The MinHash signature of a text's shingles, as 4-byte integers (stored with the article);
    empty for a text of fewer than MIN_WORDS words."""
    if len(_WORD.findall(text)) < MIN_WORDS:
        return b""
    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED, permutations=_TEMPLATE.permutations, scheme=SCHEME)
    minhash.update_batch(list(shingles(text)))
    return minhash.hashvalues.astype(np.uint32).tobytes()


def _lean(signature_bytes: bytes) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=np.frombuffer(signature_bytes, dtype=np.uint32), scheme=SCHEME)


def similarity(first: bytes, second: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(np.frombuffer(first, dtype=np.uint32) == np.frombuffer(second, dtype=np.uint32)))


class StoryIndex:
    """Indexed articles' signatures and stories, to give a new article its story."""

    def __init__(self, threshold: float = STORY_THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)
        self._signatures: dict[str, bytes] = {}
        self._stories: dict[str, str] = {}

    def add(self, doc_id: str, signature_bytes: bytes, story: str) -> None:
        """Remember an article's signature and story (one without a signature, a short text, is in no story)."""
        self.remove(doc_id)
        if not signature_bytes:
            return
        self._lsh.insert(doc_id, _lean(signature_bytes))
        self._signatures[doc_id] = signature_bytes
        self._stories[doc_id] = story

    def remove(self, doc_id: str) -> None:
        if self._signatures.pop(doc_id, None) is not None:
            self._stories.pop(doc_id)
            self._lsh.remove(doc_id)

    def story_for(self, doc_id: str, signature_bytes: bytes) -> str:
        """The story of the most similar other article at or above the threshold, else `doc_id`'s own."""
        best_story, best_score = doc_id, -1.0
        for other in sorted(self._lsh.query(_lean(signature_bytes))):  # sorted: ties go to the smaller id
            if other == doc_id:
                continue
            score = similarity(signature_bytes, self._signatures[other])
            if score >= self.threshold and score > best_score:
                best_story, best_score = self._stories[other], score
        return best_story

    def assign(self, doc_id: str, signature_bytes: bytes) -> str:
        """Give an article its story and remember it for the next ones (a short one is its own story)."""
        story = self.story_for(doc_id, signature_bytes) if signature_bytes else doc_id
        self.add(doc_id, signature_bytes, story)
        return story

    @classmethod
    def of(cls, indexed: Iterable[tuple[str, bytes, str]]) -> StoryIndex:
        """A story index of (id, signature, story) of the articles already indexed."""
        stories = cls()
        for doc_id, signature_bytes, story in indexed:
            stories.add(doc_id, signature_bytes, story or doc_id)
        return stories
