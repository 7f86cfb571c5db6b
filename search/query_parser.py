"""Read the text typed in the search box into a query tree, or a QuerySyntaxError saying what to fix.

The one place that knows the syntax (documented in README and in the UI's help panel):
  words                  all required when there are few (see search/matching.py for long queries)
  OR / OU                either: `Mali OR Niger`
  AND / ET               both, binding tighter than OR: `Mali AND Niger OR Chine`
  NOT / SAUF / -word     exclude: `Mali -Niger`, `Mali NOT Niger`
  "..." « ... » “...”    phrase; `"..."~2` lets two other words slip in
  a NEAR/5 b, PROCHE/5   both words at most 5 words apart, in any order (`NEAR` alone: 10)
  field:value            titre/title, auteur/author, source, rubrique/section, tag, texte/text,
                         personne/person, lieu/place, organisation/org
  exact:word             exact word form, accents kept, no stemming
  date:...               `date:2019`, `date:2019-03`, `date:[2018-01 TO 2019-06]`
  word*, m?tro           prefix; `?` inside a word stands for one letter
  ( ... )                grouping

Punctuation is punctuation: a `?` or `!` that ends a word or stands alone (`divisée ?`,
`2019?`), `…`, a colon that is not a field (`Montebourg : « … »`), guillemets and curly
quotes that are not paired, a lone `-`, never become operators or errors.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from engines.dates import check_date_value
from engines.query import And, DateRange, Near, Node, Not, Or, Pattern, Phrase, QuerySyntaxError, Word

MAX_QUERY_LENGTH = 1000
MIN_PREFIX_LENGTH = 2
DEFAULT_NEAR_DISTANCE = 10
MAX_NEAR_DISTANCE = 50
MAX_SLOP = 50
MAX_NESTING = 20  # groups inside groups; also keeps the recursive descent far from Python's limit

# Field names a user may write (`auteur:AFP`), mapped to the fields they search.
QUERY_FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "titre": "title",
    "author": "author",
    "auteur": "author",
    "source": "source",
    "section": "section",
    "rubrique": "section",
    "tag": "tags",
    "tags": "tags",
    "date": "date",
    "exact": "exact",
    "text": "text",
    "texte": "text",
    # People, places and organisations found at indexing (indexer/entities.py).
    "person": "person",
    "personne": "person",
    "place": "place",
    "lieu": "place",
    "org": "org",
    "organisation": "org",
}

_OPERATORS = {"AND": "AND", "ET": "AND", "OR": "OR", "OU": "OR", "NOT": "NOT", "SAUF": "NOT", "ANDNOT": "ANDNOT"}
_NEAR = re.compile(r"^(?:NEAR|PROCHE)(?:/(\d+))?$")
# Paired quotes: the straight one must be closed; typographic ones are punctuation when unpaired.
_QUOTES = {'"': '"', "«": "»", "“": "”", "„": "“”", "‹": "›"}
_STOPPERS = set('()"«»“”„‹›')
_FIELD = re.compile(r"([^\W\d_]+):(?=\S)")
_BOOST = re.compile(r"\^\d+(?:\.\d+)?$")
_SLOP = re.compile(r"~(\d+)")
_RANGE = re.compile(r"\[\s*(\S*?)\s+TO\s+(\S*?)\s*\]|\[\s*TO\s+(\S*?)\s*\]|\[\s*(\S*?)\s+TO\s*\]")


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "field", "range", "op", "near", "(", ")", "-", "+"
    text: str = ""
    number: int = 0  # a phrase's slop, NEAR's distance


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def clean_word(raw: str) -> str:
    """A typed word without the punctuation around it; wildcards kept where they are wildcards.

    A `?` is a wildcard only between two letters or digits (`m?tro`); at the end of a word
    it ends a question (`2019?`). A `*` is kept wherever it is: the planner checks it.
    """
    raw = _BOOST.sub("", raw)
    start, end = 0, len(raw)
    while start < end and not (_is_word_char(raw[start]) or raw[start] == "*"):
        start += 1
    while end > start and not (_is_word_char(raw[end - 1]) or raw[end - 1] == "*"):
        end -= 1
    word = raw[start:end]
    if "?" in word:
        word = "".join(
            char if char != "?" or (0 < i < len(word) - 1 and _is_word_char(word[i - 1]) and _is_word_char(word[i + 1]))
            else " "
            for i, char in enumerate(word)
        )
    return word


def _closing_quote(text: str, start: int) -> int:
    """Index of the quote closing the one at `start`, or -1."""
    closers = _QUOTES[text[start]]
    for i in range(start + 1, len(text)):
        if text[i] in closers:
            return i
    return -1


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, length = 0, len(text)
    while i < length:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "()":
            tokens.append(_Token(char))
            i += 1
            continue
        if char in _QUOTES:
            end = _closing_quote(text, i)
            if end < 0:
                if char == '"':
                    raise QuerySyntaxError('a phrase is not closed: add the missing " or remove the lone one')
                i += 1  # an unpaired « or “ is typography
                continue
            slop = _SLOP.match(text, end + 1)
            tokens.append(_Token("phrase", text[i + 1 : end], min(int(slop.group(1)), MAX_SLOP) if slop else 0))
            i = slop.end() if slop else end + 1
            continue
        if char in _STOPPERS:  # a closing quote without its opening one
            i += 1
            continue
        at_start = not tokens or text[i - 1].isspace() or text[i - 1] == "("
        if char in "-+" and at_start and i + 1 < length and not text[i + 1].isspace() and text[i + 1] not in "-+":
            tokens.append(_Token(char))
            i += 1
            continue
        field = _FIELD.match(text, i)
        if field:
            name = field.group(1)
            if name.lower() in QUERY_FIELD_ALIASES:
                tokens.append(_Token("field", QUERY_FIELD_ALIASES[name.lower()]))
                i = field.end()
                if text[i] == "[":
                    i = _range_token(text, i, tokens)
                continue
            if not name.lower().startswith("http"):
                known = ", ".join(sorted(QUERY_FIELD_ALIASES))
                raise QuerySyntaxError(f"unknown field {name!r} in {name}:…; use one of: {known}")
        end = i
        while end < length and not text[end].isspace() and text[end] not in _STOPPERS:
            end += 1
        raw = text[i:end]
        i = end
        near = _NEAR.match(raw)
        if raw in _OPERATORS:
            tokens.append(_Token("op", _OPERATORS[raw]))
        elif near:
            distance = int(near.group(1)) if near.group(1) else DEFAULT_NEAR_DISTANCE
            tokens.append(_Token("near", number=max(1, min(distance, MAX_NEAR_DISTANCE))))
        else:
            for word in clean_word(raw).split():
                tokens.append(_Token("word", word))
    return tokens


def _range_token(text: str, start: int, tokens: list[_Token]) -> int:
    match = _RANGE.match(text, start)
    if not match:
        raise QuerySyntaxError("a date range is written date:[YYYY-MM TO YYYY-MM]; check the brackets and TO")
    low = match.group(1) if match.group(1) is not None else match.group(4)
    high = match.group(2) if match.group(2) is not None else match.group(3)
    tokens.append(_Token("range", f"{low or ''} {high or ''}"))
    return match.end()


class _Parser:
    """Recursive descent, loosest first: juxtaposed clauses (AND) → OR → AND → NEAR → unary → atom."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def peek(self, offset: int = 0) -> _Token | None:
        position = self.at + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def clauses(self, field: str | None, inside_group: bool = False) -> Node | None:
        nodes: list[Node] = []
        while (token := self.peek()) is not None:
            if token.kind == ")":
                if inside_group:
                    break
                raise QuerySyntaxError("parentheses do not match: check every ( has its )")
            node = self.disjunction(field)
            if node is not None:
                nodes.append(node)
        return _combine(And, nodes)

    def disjunction(self, field: str | None) -> Node | None:
        nodes = [self.conjunction(field)]
        while self._is_op("OR"):
            self.take()
            nodes.append(self.conjunction(field))
        return _combine(Or, [n for n in nodes if n is not None])

    def conjunction(self, field: str | None) -> Node | None:
        nodes = [self.proximity(field)]
        while self._is_op("AND") or self._is_op("ANDNOT"):
            negate = self.take().text == "ANDNOT"
            node = self.proximity(field)
            nodes.append(Not(node) if negate and node is not None else node)
        return _combine(And, [n for n in nodes if n is not None])

    def proximity(self, field: str | None) -> Node | None:
        node = self.unary(field)
        distance, nodes = None, [node]
        while (token := self.peek()) is not None and token.kind == "near":
            self.take()
            distance = token.number if distance is None else max(distance, token.number)
            nodes.append(self.unary(field))
        nodes = [n for n in nodes if n is not None]
        if distance is None or len(nodes) < 2:
            return nodes[0] if nodes else None
        if not all(isinstance(n, (Word, Phrase, Pattern)) for n in nodes):
            raise QuerySyntaxError("NEAR joins words or phrases: write souveraineté NEAR/5 Mali")
        return Near(tuple(nodes), distance)

    def unary(self, field: str | None) -> Node | None:
        token = self.peek()
        if token is None:
            return None
        if token.kind == "-" or (token.kind == "op" and token.text == "NOT"):
            self.take()
            child = self.unary(field)
            return Not(child) if child is not None else None
        if token.kind == "+":
            self.take()
            return self.unary(field)
        if token.kind == "op" or token.kind == "near":  # an operator with nothing on one side
            self.take()
            return None
        return self.atom(field)

    def atom(self, field: str | None) -> Node | None:
        token = self.take()
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise QuerySyntaxError(f"groups are nested more than {MAX_NESTING} deep: remove some parentheses")
            node = self.clauses(field, inside_group=True)
            if self.peek() is None:
                raise QuerySyntaxError("parentheses do not match: check every ( has its )")
            self.take()
            self.depth -= 1
            return node
        if token.kind == ")":
            raise QuerySyntaxError("parentheses do not match: check every ( has its )")
        if token.kind == "field":
            if self.peek() is not None and self.peek().kind == "range":
                return _date_range(*self.take().text.split(" "), token.text)
            return self.unary(token.text)
        if token.kind == "range":
            return _date_range(*token.text.split(" "), field)
        if token.kind == "phrase":
            return _phrase(token, field)
        return _word(token.text, field)

    def _is_op(self, name: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text == name


def _combine(kind: type, nodes: list[Node]) -> Node | None:
    if not nodes:
        return None
    return nodes[0] if len(nodes) == 1 else kind(tuple(nodes))


def _date_range(low: str, high: str, field: str | None) -> Node:
    if field != "date":
        raise QuerySyntaxError("only dates take a range: write date:[2018-01 TO 2019-06]")
    return DateRange(check_date_value(low, error=QuerySyntaxError) if low else None,
                     check_date_value(high, error=QuerySyntaxError) if high else None)


def _phrase(token: _Token, field: str | None) -> Node | None:
    if field == "date":
        raise QuerySyntaxError("date: takes YYYY, YYYY-MM, YYYY-MM-DD or [YYYY-MM TO YYYY-MM]")
    text = " ".join(token.text.split())
    return Phrase(text, field, token.number) if any(_is_word_char(c) for c in text) else None


def _word(text: str, field: str | None) -> Node:
    if field == "date":
        if "*" in text or "?" in text:
            raise QuerySyntaxError("date: takes YYYY, YYYY-MM, YYYY-MM-DD or [YYYY-MM TO YYYY-MM]")
        value = check_date_value(text, error=QuerySyntaxError)
        return DateRange(value, value)
    if "*" in text or "?" in text:
        return _pattern(text, field)
    return Word(text, field)


def _pattern(text: str, field: str | None) -> Pattern:
    if text.strip("*?") == "":
        raise QuerySyntaxError("* alone matches every article: leave the box empty and use the filters to browse")
    first_wildcard = min(i for i, char in enumerate(text) if char in "*?")
    if first_wildcard < MIN_PREFIX_LENGTH:
        raise QuerySyntaxError(
            f"{text} is too short: give at least {MIN_PREFIX_LENGTH} letters before {text[first_wildcard]}"
        )
    return Pattern(text, field)


@dataclass(frozen=True)
class ParsedText:
    """The tree of a query text; None when it held no searchable word (only punctuation)."""

    tree: Node | None
    had_words: bool  # letters or digits were typed


def parse(query_text: str) -> ParsedText:
    """Read `query_text`; raise QuerySyntaxError with a message a researcher can act on."""
    query_text = unicodedata.normalize("NFC", query_text).strip()
    if len(query_text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query is {len(query_text)} characters long; the limit is {MAX_QUERY_LENGTH}")
    parser = _Parser(_tokens(query_text))
    tree = parser.clauses(None)
    if isinstance(tree, And) and all(isinstance(child, Not) for child in tree.children):
        # `-Mali -Niger`: every article without either word.
        tree = Not(_combine(Or, [child.child for child in tree.children]))
    return ParsedText(tree, any(_is_word_char(c) for c in query_text))
