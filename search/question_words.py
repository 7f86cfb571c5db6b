"""Words that ask rather than say: a question's interrogatives and inverted pronouns carry no topic.

`quand la Corée a-t-elle été divisée ?` is about la Corée and divisée: the answer
text rarely contains `quand`, and never `a-t-elle`. These words are dropped from a
query's content words (search/matching.py) unless nothing else is left, so
`comment` alone is still searched. The index keeps them: `"Quand Harry rencontre
Sally"` as a phrase and `exact:comment` still find them.
"""

from __future__ import annotations

import re

from indexer.analysis import fold

# Compared folded and lowercased, so `Où`, `ou` and `où` are one word; `ou` and `qui`
# are stop words already, listed for clarity.
QUESTION_WORDS = frozenset(
    """
    quel quelle quels quelles lequel laquelle lesquels lesquelles duquel auquel auxquels
    quand comment pourquoi combien ou qui que quoi qu est-ce qu'est-ce estce
    """.split()
)

# Verbs that only carry the question when inverted (`faut-il`, `peut-on`, `a-t-elle`,
# `va-t-il`): the content is in the verb that follows.
LIGHT_VERBS = frozenset(
    """
    a ai as ont avait avaient aura auront aurait auraient est sont etait etaient sera seront serait
    seraient va vont allait faut faudrait fallait peut peuvent pouvait pourrait pourraient doit
    doivent devait devrait devraient fait font sait savent y
    """.split()
)

# `s'intéresse-t-elle`, `faut-il`, `a-t-on`, `pensez-vous`: the verb, then the pronoun.
_INVERSION = re.compile(r"^(?P<verb>.+?)(?:-t)?-(?:il|elle|on|ils|elles|je|tu|nous|vous|ce|y)$", re.IGNORECASE)
# Nouns that look like an inversion.
_COMPOUNDS = frozenset({"rendez-vous"})


def is_question_word(word: str) -> bool:
    return fold(word.lower()).replace("’", "'") in QUESTION_WORDS


def without_inversion(word: str) -> str | None:
    """The verb of an inverted form (`s'intéresse-t-elle` → `s'intéresse`), "" for a light verb,
    None when `word` is not inverted."""
    match = _INVERSION.match(word)
    if not match or fold(word.lower()) in _COMPOUNDS:
        return None
    verb = match.group("verb")
    return "" if fold(verb.lower()) in LIGHT_VERBS else verb
