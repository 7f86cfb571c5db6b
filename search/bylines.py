"""The one rule that tells a person's byline ("Florian Lautre") from an agency's or a desk's ("AFP").

Citation formats need to know: RIS writes a person `Lautre, Florian` and an agency
whole; BibTeX splits a person into first and last names and keeps an agency in
braces. Press bylines are often not people: agencies (`AFP`), desks and sites
(`Huffington Post`, `Non Stop Zapping`, `BFM TV`), or credits (`Orange avec AFP`,
`6Medias, avec L'Express`). A byline is a person when all of these hold:

- two to five words, at least two of them outside the particles (`de`, `du`, `le`, `van`…);
- no digit, no `@`, `/`, `&`, `+` or `|`, at most one comma;
- no connecting word of a credit line (`avec`, `et`, `pour`, `par`, `with`, `and`, `for`);
- no word of the list below of words that name media or agencies (`Post`, `TV`, `Actu`, `AFP`…);
- every word outside the particles starts with a capital letter, and not every word is in capitals
  (`BFM TV` is an acronym, `Haoua SANGARÉ` a first name and a family name in capitals).

A person's family name is the word or words written in capitals when the others
are not (`SANGARÉ`), else the last word with the particles before it (`de Gaulle`);
`Lautre, Florian` (already family name first) is read as such.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Lowercase particles of personal names: "Charles de Gaulle" is still a person.
NAME_PARTICLES = frozenset("de du des d' d’ le la les van von der den da di del dos y".split())
# Words that join the names of a credit line: several contributors, not one person.
CREDIT_CONNECTORS = frozenset("avec et pour par with and for via".split())
# Words that name a medium, an agency or a desk rather than a person (compared without accents, in lower case).
MEDIA_WORDS = frozenset(
    """
    afp ap reuters ansa dpa belga xinhua aps map ats efe apa bloomberg
    agence agency agences presse press news newsroom media medias medium
    redaction staff desk service services equipe team groupe group bureau
    journal monde post times tribune herald express parisien figaro liberation echos
    actu actus info infos information informations magazine mag hebdo quotidien
    radio tv tele television channel chaine zapping replay stop orange bfm bfmtv
    rfi france24 lci cnews franceinfo huffington huffpost source sources contributeurs
    """.split()
)
_FORBIDDEN = re.compile(r"[\d@/&+|]")
_WORD = re.compile(r"[^\s,]+")


@dataclass(frozen=True)
class PersonName:
    family: str  # "Lautre", "de Gaulle", "SANGARÉ"
    given: str  # "Florian", "Charles", "Haoua"
    family_last: bool  # the byline wrote the given name first, as "Florian Lautre"


def _plain(word: str) -> str:
    """The word compared with the lists: lower case, accents and apostrophes off."""
    decomposed = unicodedata.normalize("NFKD", word.lower().strip(".'’"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_capitals(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def person_name(byline: str) -> PersonName | None:
    """The byline as a person's family and given names, or None when it names an agency, a desk or a credit."""
    text = " ".join(byline.split())
    if not text or _FORBIDDEN.search(text) or text.count(",") > 1:
        return None
    if "," in text:
        family, given = (part.strip() for part in text.split(","))
        parsed = person_name(f"{given} {family}") if family and given else None
        return PersonName(family, given, family_last=False) if parsed else None
    words = _WORD.findall(text)
    names = [w for w in words if w.lower() not in NAME_PARTICLES]
    if not 2 <= len(words) <= 5 or len(names) < 2:
        return None
    if any(_plain(w) in CREDIT_CONNECTORS or _plain(w) in MEDIA_WORDS for w in words):
        return None
    if not all(w[0].isupper() for w in names) or all(_is_capitals(w) for w in names):
        return None
    capitals = [i for i, w in enumerate(words) if _is_capitals(w)]
    if capitals and capitals == list(range(capitals[0], capitals[-1] + 1)):
        family_words = range(capitals[0], capitals[-1] + 1)
    else:
        start = len(words) - 1
        while start > 0 and words[start - 1].lower() in NAME_PARTICLES:
            start -= 1
        family_words = range(start, len(words))
    family = " ".join(words[i] for i in family_words)
    given = " ".join(w for i, w in enumerate(words) if i not in family_words)
    if not given:
        return None
    return PersonName(family, given, family_last=family_words[-1] == len(words) - 1)


def is_person(byline: str) -> bool:
    return person_name(byline) is not None
