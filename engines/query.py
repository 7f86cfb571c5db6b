"""The engine-neutral query tree and matching plan: what a researcher asked for, before any engine reads it.

The parser (search/query_parser.py) builds the tree from the text typed in the
box; the planner (search/matching.py) splits it into required clauses and content
words; each engine compiles both to its own queries (Whoosh objects, Solr
syntax). Words keep their raw text: analysis belongs to the engine's fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.errors import LoupeError


# What the wildcards of one search may stand for, each and all together: beyond, it takes seconds.
MAX_EXPANDED_WORDS = 500
MAX_EXPANDED_POSTINGS = 50_000


class QuerySyntaxError(LoupeError):
    """The query text cannot be understood, or would cost too much; the message says how to fix it."""

    code = "query_syntax"

# A field of None means the default search fields (title and text).


@dataclass(frozen=True)
class Word:
    """A word as typed (`souveraineté`, `l’ambassadeur`, `sino-maliennes`)."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Pattern:
    """A word with wildcards: `souverain*` (prefix), `m?tro`, `organi*ation`."""

    text: str
    field: str | None = None

    @property
    def is_prefix(self) -> bool:
        return self.text.endswith("*") and "*" not in self.text[:-1] and "?" not in self.text


@dataclass(frozen=True)
class Phrase:
    """Words in this order, at most `slop` extra positions apart: `"coopération sécuritaire"~2`."""

    text: str
    field: str | None = None
    slop: int = 0


@dataclass(frozen=True)
class Near:
    """Words within `distance` words of each other, in any order: `souveraineté NEAR/5 Mali`."""

    children: tuple[Node, ...]
    distance: int


@dataclass(frozen=True)
class DateRange:
    """Published from `low` to `high`, inclusive; each YYYY[-MM[-DD]] (checked) or None (open)."""

    low: str | None
    high: str | None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Everything:
    """Every article: what an empty box or a query made only of exclusions starts from."""


Node = Word | Pattern | Phrase | Near | DateRange | And | Or | Not | Everything
LEAVES = (Word, Pattern, Phrase, DateRange)


def leaves(node: Node, *, positive_only: bool = False):
    """The leaves of `node` in order; with `positive_only`, not those under a Not."""
    if isinstance(node, LEAVES):
        yield node
    elif isinstance(node, Not):
        if not positive_only:
            yield from leaves(node.child)
    elif isinstance(node, (And, Or, Near)):
        for child in node.children:
            yield from leaves(child, positive_only=positive_only)


def describe(node: Node) -> str:
    """The tree as query text again, for messages and cache keys."""
    if isinstance(node, (Word, Pattern)):
        return f"{node.field}:{node.text}" if node.field else node.text
    if isinstance(node, Phrase):
        phrase = f'"{node.text}"' + (f"~{node.slop}" if node.slop else "")
        return f"{node.field}:{phrase}" if node.field else phrase
    if isinstance(node, DateRange):
        return f"date:[{node.low or ''} TO {node.high or ''}]"
    if isinstance(node, Near):
        return f" NEAR/{node.distance} ".join(describe(child) for child in node.children)
    if isinstance(node, And):
        return "(" + " AND ".join(describe(child) for child in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(describe(child) for child in node.children) + ")"
    if isinstance(node, Not):
        return f"NOT {describe(node.child)}"
    return "*"


@dataclass(frozen=True)
class MatchPlan:
    """What an article must match: every `required` clause, and `minimum` of the `optional` words."""

    required: tuple[Node, ...]
    optional: tuple[Word | Pattern, ...]
    minimum: int
    tree: Node | None = None  # the whole query, as parsed

    @property
    def words(self) -> tuple[str, ...]:
        """The optional words as the researcher typed them, for "missing: …"."""
        return tuple(word.text for word in self.optional)

    @property
    def all_required(self) -> bool:
        return self.minimum == len(self.optional)


class ExpansionBudget:
    """The words (and places) a query's wildcards stand for in one field, checked as each is expanded.

    One wildcard may stand for MAX_EXPANDED_WORDS words in MAX_EXPANDED_POSTINGS
    places; all of a query's wildcards together, the same: thirty cheap prefixes
    joined by AND cost no more than one expensive one.
    """

    def __init__(self) -> None:
        self.patterns: list[str] = []
        self.words = 0
        self.postings = 0

    def spend(self, pattern: str, words: int, postings: int) -> None:
        """Count one wildcard (`words` may be MAX_EXPANDED_WORDS + 1 for "more"); QuerySyntaxError past a limit."""
        shown = pattern if pattern.endswith("*") or "?" in pattern or "*" in pattern else pattern + "*"
        if words > MAX_EXPANDED_WORDS or postings > MAX_EXPANDED_POSTINGS:
            more = "+" if words > MAX_EXPANDED_WORDS else ""
            raise QuerySyntaxError(f"{shown} stands for too many words ({words:,}{more} words in {postings:,} places); "
                                   "give more letters before the *")
        self.patterns.append(shown)
        self.words += words
        self.postings += postings
        if self.words > MAX_EXPANDED_WORDS or self.postings > MAX_EXPANDED_POSTINGS:
            raise QuerySyntaxError(
                f"the wildcards of this search ({', '.join(self.patterns)}) stand for too many words together "
                f"({self.words:,} words in {self.postings:,} places; at most {MAX_EXPANDED_WORDS:,} words in "
                f"{MAX_EXPANDED_POSTINGS:,} places in all): use fewer wildcards, or more letters before each *"
            )
