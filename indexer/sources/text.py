"""Raw page text files (a news page's visible text, chrome included) → one cleaned Document."""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from indexer.document import Document, stable_id
from indexer.errors import SourceError
from indexer.sources.encoding import decode_source_bytes, read_source_bytes


@dataclass(frozen=True)
class CleanPage:
    """What is left of a scraped page once the website around the article is gone."""

    title: str
    summary: str  # the chapô/standfirst, "" when the page has none
    body: str  # paragraphs joined by "\n\n"; bullet items are "• …" lines
    author: str
    publication: str  # the outlet named in the signature, e.g. "LETJIKAN"
    published: date | None


# ---------------------------------------------------------------- lines and chrome

# Scrapers and editors leave zero-width characters behind; they make an empty line look full.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029]")
_SPACES = re.compile(r"[ \t\f\v]+")

# Compared after casefold(), with ’ turned into ' and a trailing ":" dropped.
_CHROME_LINES = frozenset({
    "top of page", "bottom of page", "skip links", "skip to content", "skip to main content",
    "aller au contenu", "aller au contenu principal", "haut de page", "retour en haut",
    "accueil", "recherche", "rechercher", "top", "découvrir", "drag", "menu", "fermer",
    "partager", "partagez", "imprimer", "connexion", "se connecter", "s'inscrire",
    "inscription", "abonnez-vous", "newsletter", "publicité", "précédent", "suivant",
    "commentaires", "commentaire", "laisser un commentaire", "aucun commentaire",
    "facebook", "twitter", "whatsapp", "linkedin", "telegram",
})
_CHROME_PATTERN = re.compile(r"\d+ commentaires?|commentaires? \(\d+\)|partager sur \w+")
# An image or ad file name alone on a line, often with a " (1)" copy suffix.
_IMAGE_FILE = re.compile(
    r"(?:\S+|[\w\-.,()\[\]~+' ]+)\.(?:jpe?g|png|gif|webp|avif|svg|bmp)", re.IGNORECASE
)


def _lines_of(raw: str) -> list[str]:
    """NFC lines with runs of spaces collapsed; NBSP-only lines come out empty."""
    text = unicodedata.normalize("NFC", raw).translate(_INVISIBLE)
    # str.strip() also removes U+00A0 and U+202F, which is what empties File 000's NBSP lines.
    return [_SPACES.sub(" ", line).strip() for line in _LINE_BREAK.sub("\n", text).split("\n")]


def _is_chrome(line: str) -> bool:
    key = line.casefold().replace("’", "'").rstrip(" :")
    return (
        key in _CHROME_LINES
        or _CHROME_PATTERN.fullmatch(key) is not None
        or _IMAGE_FILE.fullmatch(line) is not None
    )


# ---------------------------------------------------------------- rows: content lines and breaks

# A row is a content line or None, a paragraph break (a blank or chrome line).
_Row = str | None


def _rows(lines: list[str]) -> list[_Row]:
    """Content lines with None for every line that separates paragraphs."""
    rows = [None if not line or _is_chrome(line) else line for line in lines]
    if _has_blank_line_inside(lines, rows):
        return rows
    # Pages without any blank line (File 004) put one paragraph on each line.
    return _break_between_lines(rows)


def _has_blank_line_inside(lines: list[str], rows: list[_Row]) -> bool:
    content = [i for i, row in enumerate(rows) if row is not None]
    return bool(content) and any(not line for line in lines[content[0]:content[-1]])


def _break_between_lines(rows: list[_Row]) -> list[_Row]:
    spaced: list[_Row] = []
    previous = ""
    for row in filter(None, rows):
        # Consecutive bullets stay together so that they form one list.
        if not (_is_bullet(row) and _is_bullet(previous)):
            spaced.append(None)
        spaced.append(row)
        previous = row
    return spaced


def _content_indexes(rows: list[_Row]) -> list[int]:
    return [i for i, row in enumerate(rows) if row is not None]


def _without(rows: list[_Row], indexes: list[int]) -> list[_Row]:
    dropped = set(indexes)
    return [None if i in dropped else row for i, row in enumerate(rows)]


# ---------------------------------------------------------------- date line

_MONTHS = {
    "janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "fév": 2,
    "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7,
    "août": 8, "aout": 8, "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10,
    "novembre": 11, "nov": 11, "décembre": 12, "decembre": 12, "déc": 12, "dec": 12,
}
# Longest first, so that the alternation tries "sept" before "sep".
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_LEAD = (
    r"(?:(?:publié|publie|mis à jour|mise à jour|actualisé|date de publication|date)"
    r"\s*(?:le)?\s*:?\s*)?(?:le\s+)?"
    r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),?\s+)?"
)
_TIME = r"(?:\s*(?:à|,|-|–|\||t)?\s*\d{1,2}\s*[h:]\s*(?:\d{2})?(?::\d{2})?(?:\s*min)?)?\.?"
_DATE_LINES = tuple(
    re.compile(_LEAD + form + _TIME, re.IGNORECASE)
    for form in (
        rf"(?P<day>\d{{1,2}})(?:er)?\s+(?P<month_name>{_MONTH_NAMES})\.?\s+(?P<year>\d{{4}})",
        r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})",
        r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})",
    )
)
# A date line sits next to the title or the signature; a date deeper in is part of the story.
_DATE_ZONE = 4


def _date_of_line(line: str) -> date | None:
    """The date of a line that holds only a date ("Publié le 3 février 2026"), else None."""
    for pattern in _DATE_LINES:
        found = pattern.fullmatch(line)
        if found:
            parts = found.groupdict()
            name = parts.get("month_name")
            month = _MONTHS[name.casefold()] if name else int(parts["month"])
            try:
                return date(int(parts["year"]), month, int(parts["day"]))
            except ValueError:  # 31/02/2026 is not a date, so the line is not a date line
                return None
    return None


def _take_date(rows: list[_Row]) -> tuple[date | None, list[_Row]]:
    content = _content_indexes(rows)
    for i in content[:_DATE_ZONE] + content[-_DATE_ZONE:]:
        published = _date_of_line(rows[i])
        if published:
            return published, _without(rows, [i])
    return None, rows


# ---------------------------------------------------------------- signature

_SIGNATURE_MAX_LINES = 3
_SIGNATURE_MAX_CHARS = 60
_NEWSROOM = frozenset({"la rédaction", "la redaction", "rédaction", "la rédac"})
# Lower-case particles inside West African and French names: "Moussa ag Intalla", "Ould".
_PARTICLES = frozenset({
    "de", "du", "des", "d'", "d’", "ag", "ould", "ben", "bin", "el", "dit", "van", "von",
    "le", "la",
})
_NAME_PUNCTUATION = frozenset("-’'.")
_OUTLET_PUNCTUATION = frozenset(" -’'.&")
_OUTLET_DOMAIN = re.compile(r"(?:www\.)?[\w-]+\.(?:com|net|org|info|ml|fr|africa)", re.IGNORECASE)


def _is_caps_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_name_word(word: str) -> bool:
    return word[0].isupper() and all(c.isalpha() or c in _NAME_PUNCTUATION for c in word)


def _is_initials(line: str) -> bool:
    # "HG", "H.G.", "H. G."; spaces only between dotted initials.
    compact = line.replace(".", "").replace(" ", "")
    dotted_or_bare = "." in line or " " not in line
    return 2 <= len(compact) <= 4 and compact.isalpha() and compact.isupper() and dotted_or_bare


def _is_person(line: str) -> bool:
    words = line.split()
    bylined = words[0].casefold() == "par"  # "Par Awa Traoré" names an author outright
    words = words[1:] if bylined else words
    if not 2 <= len(words) <= 5:
        return False
    if not all(w.casefold() in _PARTICLES or _is_name_word(w) for w in words):
        return False
    # Without "Par", only the press habit of a capitalised surname (Haoua SANGARÉ) tells a
    # name from a short sub-heading such as "Vers Bamako".
    caps = [_is_caps_word(w) for w in words]
    return bylined or (any(caps) and not all(caps))


def _is_outlet(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    in_capitals = (
        len(letters) >= 3 and all(c.isupper() for c in letters)
        and len(line.split()) <= 4
        and all(c.isalnum() or c in _OUTLET_PUNCTUATION for c in line)
    )
    return in_capitals or _OUTLET_DOMAIN.fullmatch(line) is not None


def _signature_kind(line: str) -> str | None:
    """"newsroom", "initials", "person", "outlet", or None when the line is article text."""
    if len(line) > _SIGNATURE_MAX_CHARS:
        return None
    if line.casefold() in _NEWSROOM:
        return "newsroom"
    for kind, test in (("initials", _is_initials), ("person", _is_person), ("outlet", _is_outlet)):
        if test(line):
            return kind
    return None


def _take_signature(rows: list[_Row]) -> tuple[list[str], list[_Row]]:
    """The trailing signature lines, top to bottom, and the rows without them."""
    content = _content_indexes(rows)
    # The first line after the title is never a signature: a page is not all byline.
    candidates = content[1:][-_SIGNATURE_MAX_LINES:]
    taken: list[int] = []
    for i in reversed(candidates):
        if _signature_kind(rows[i]) is None:
            break
        taken.insert(0, i)
    return [rows[i] for i in taken], _without(rows, taken)


def _split_signature(lines: list[str]) -> tuple[str, str]:
    """Signature lines → (author, publication)."""
    kinds = [_signature_kind(line) for line in lines]
    authors: list[str] = []
    outlets: list[str] = []
    for line, kind in zip(lines, kinds):
        # Below a journalist's name, a short capitalised word is the outlet (AMAP), not initials.
        if kind == "outlet" or (kind == "initials" and "person" in kinds):
            outlets.append(line)
        else:
            authors.append(re.sub(r"^par\s+", "", line, flags=re.IGNORECASE))
    return ", ".join(authors), ", ".join(outlets)


# ---------------------------------------------------------------- blocks and paragraphs

_BULLET_MARKS = "•●◦▪▫‣∙·"
_FINAL_PUNCTUATION = ".!?:;,…»\")”’"
_HEADING_MAX_CHARS = 100


@dataclass(frozen=True)
class _Block:
    """Consecutive content lines, and how many breaks came before them."""

    lines: tuple[str, ...]
    gap_before: int  # two or more blank lines mark a section break (Files 000, 001)


def _blocks(rows: list[_Row]) -> list[_Block]:
    blocks: list[_Block] = []
    gap = 0
    for is_break, group in itertools.groupby(rows, key=lambda row: row is None):
        items = list(group)
        if is_break:
            gap = len(items)
        else:
            blocks.append(_Block(tuple(items), gap))
    return blocks


def _is_bullet(line: str) -> bool:
    return bool(line) and (line[0] in _BULLET_MARKS or line.startswith(("- ", "* ")))


def _as_bullet(line: str) -> str:
    return "• " + line.lstrip(_BULLET_MARKS + "-* ")


def _ends_unpunctuated(line: str) -> bool:
    return not line.endswith(tuple(_FINAL_PUNCTUATION))


def _is_heading(lines: tuple[str, ...], i: int) -> bool:
    """A short unpunctuated line followed by a new sentence is a sub-heading.

    The next line must start with a capital: a hard-wrapped sentence also leaves short
    unpunctuated lines, but they continue in lower case.
    """
    line = lines[i]
    following = lines[i + 1] if i + 1 < len(lines) else ""
    return (
        len(line) <= _HEADING_MAX_CHARS
        and _ends_unpunctuated(line)
        and (not following or following[0].isupper() or _is_bullet(following))
    )


def _paragraphs(lines: tuple[str, ...]) -> list[str]:
    """One block → paragraphs: prose lines joined, headings alone, a list as "• " lines."""

    def kind(i: int) -> object:
        if _is_bullet(lines[i]):
            return "bullet"
        return ("heading", i) if _is_heading(lines, i) else "prose"

    paragraphs = []
    for group_kind, indexes in itertools.groupby(range(len(lines)), key=kind):
        group = [lines[i] for i in indexes]
        if group_kind == "bullet":
            paragraphs.append("\n".join(_as_bullet(line) for line in group))
        else:
            paragraphs.append(" ".join(group))
    return paragraphs


def _split_standfirst(blocks: list[_Block]) -> tuple[str, list[_Block]]:
    """The chapô: one prose paragraph right under the title, then a section break (File 001)."""
    if len(blocks) < 2:
        return "", blocks
    first, following = blocks[0], blocks[1]
    text = " ".join(first.lines)
    is_prose = not any(_is_bullet(line) for line in first.lines) and not _ends_unpunctuated(text)
    if first.gap_before <= 1 and following.gap_before >= 2 and is_prose:
        return text, blocks[1:]
    return "", blocks


# ---------------------------------------------------------------- glued sentences

_SENTENCE_END = re.compile(r"[.!?](?=[^\W\d_])")
_LETTERS = re.compile(r"[^\W\d_]+")
_CLOSERS = frozenset(")]}»\"”’'")
# URLs, e-mail addresses and paths: a capital after a dot there is not a new sentence.
_ADDRESS = re.compile(r"://|@|/|(?:^|\W)www\.", re.IGNORECASE)
# Endings of domain and file names, checked only at the end of a word (afribone.Com, note.Pdf).
_NAME_ENDINGS = frozenset({
    "com", "net", "org", "info", "fr", "ml", "io", "html", "htm", "php", "aspx",
    "pdf", "doc", "docx", "xls", "xlsx", "txt", "jpg", "jpeg", "png", "gif",
})


def repair_glued_sentences(text: str) -> str:
    """Put back the space lost between two sentences: "plan.En marge" → "plan. En marge"."""
    # Working word by word keeps every space and line break exactly where it was.
    return re.sub(r"\S+", lambda word: _repair_word(word.group()), text)


def _repair_word(word: str) -> str:
    if _ADDRESS.search(word):
        return word
    return _SENTENCE_END.sub(lambda end: end.group() + (" " if _is_glued(word, end) else ""), word)


def _is_glued(word: str, end: re.Match[str]) -> bool:
    """Does the mark at `end` close a sentence that the next word runs into?"""
    before = word[end.start() - 1] if end.start() else ""
    after = _LETTERS.match(word, end.end()).group()
    rest = word[end.end() + len(after):]
    return (
        after[0].isupper()
        and _can_end_sentence(before, end.group())
        # France.TV, pays.ONU: an all-caps continuation is a brand or an acronym.
        and not (len(after) > 1 and after[1].isupper())
        and not (after.casefold() in _NAME_ENDINGS and not rest.strip(_FINAL_PUNCTUATION))
    )


def _can_end_sentence(before: str, mark: str) -> bool:
    # U.S.A. and M.Dupont have a capital before the dot: initials, not a sentence end.
    if before.islower() or before.isdigit() or before in _CLOSERS:
        return True
    # French puts a space before "!" and "?", so in "assumé !Et" the mark starts the word.
    return not before and mark in "!?"


# ---------------------------------------------------------------- the page, the file

def clean_page_text(raw: str) -> CleanPage:
    """Scraped page text → title, chapô, body paragraphs, signature and date."""
    published, rows = _take_date(_rows(_lines_of(raw)))
    content = _content_indexes(rows)
    if not content:
        return CleanPage("", "", "", "", "", published)
    title, rest = rows[content[0]], rows[content[0] + 1:]
    signature, rest = _take_signature(rest)
    author, publication = _split_signature(signature)
    summary, blocks = _split_standfirst(_blocks(rest))
    body = "\n\n".join(p for block in blocks for p in _paragraphs(block.lines))
    return CleanPage(
        title=repair_glued_sentences(title),
        summary=repair_glued_sentences(summary),
        body=repair_glued_sentences(body),
        author=author,
        publication=publication,
        published=published,
    )


def read_text_file(path: Path, *, source: str = "", section: str = "") -> list[Document]:
    """A raw page text file → one Document; `source` wins over the outlet in the signature."""
    # No detection: a page-text file that is neither UTF-8 nor cp1252 is re-saved, not guessed.
    page = clean_page_text(decode_source_bytes(path, read_source_bytes(path), detect=False))
    if not any(char.isalnum() for char in page.title + page.body):
        raise SourceError(
            f"{path}: no article text left once blank lines, navigation and image names are "
            "removed; check that it is a page-text file or leave it out"
        )
    return [
        Document(
            id=stable_id("text", path.name),
            title=page.title,
            summary=page.summary,
            body=page.body,
            author=page.author,
            published=page.published,
            source=source or page.publication,
            section=section,
            origin=str(path),
            url="",
        )
    ]
