"""Compile the engine-neutral query tree and matching plan into Solr queries over pre-analysed fields.

Words are analysed here, by Loupe's own analyzer (indexer/analysis.py), exactly as
the indexer analysed them for the PreAnalyzedField *_t fields; Solr only splits
the query terms on whitespace. So `souverainete` searches the term `souverainet`
on both engines. The plan's optional words become a `{!bool … mm=N}` query, each
word a parameter of its own, so the same parameters also say, per hit, which
words an article lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from engines import query as qt
from engines.dates import first_day, last_day
from engines.query import MatchPlan
from indexer.analysis import ExactAnalyzer, FrenchAnalyzer, NameAnalyzer, fold, strip_elision

# Field boosts as Whoosh's (engines/whoosh/schema.py DEFAULT_SEARCH_FIELDS and compile.EXACT_FORM_BOOST).
DEFAULT_FIELDS = {"title_t": 0.5, "text_t": 1.0}
EXACT_FORM_BOOST = 0.4
FIELD_OF = {None: None, "title": "title_t", "text": "text_t", "exact": "exact_t", "author": "author_t",
            "source": "source_t", "section": "section_t", "tags": "tags_t", "person": "person_t", "place": "place_t",
            "org": "org_t"}
_FOLDED = {"title_t", "text_t", "author_t", "source_t", "section_t", "tags_t", "person_t", "place_t", "org_t"}
_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/\s])')

_ANALYZERS = {"french": FrenchAnalyzer(), "exact": ExactAnalyzer(), "names": NameAnalyzer()}
_ANALYZER_OF = {"title_t": "french", "text_t": "french", "exact_t": "exact", "author_t": "names",
                "source_t": "names", "section_t": "names", "tags_t": "names", "person_t": "names", "place_t": "names",
                "org_t": "names"}


_OPERATOR_WORDS = frozenset({"AND", "OR", "NOT", "TO"})


def escape(term: str) -> str:
    """`term` as one literal term of the standard query parser: special characters escaped, and
    an operator word (`AND`, an article id `NOT`) quoted."""
    if term in _OPERATOR_WORDS:
        return f'"{term}"'
    return _SPECIAL.sub(r"\\\1", term)


def analysed(field_name: str, text: str) -> list[list[str]]:
    """The query terms of `text` in a field, position by position (alternatives at one position)."""
    positions: list[list[str]] = []
    last = None
    for token in _ANALYZERS[_ANALYZER_OF[field_name]](text, mode="query", positions=True):
        if positions and token.pos == last:
            positions[-1].append(token.text)
        else:
            positions.append([token.text])
        last = token.pos
    return positions


def _terms_clause(field_name: str, positions: list[list[str]], boost: float, slop: int = 0) -> str | None:
    if not positions:
        return None
    suffix = f"^{boost:g}" if boost != 1.0 else ""
    if len(positions) == 1:
        alternatives = [f"{field_name}:{escape(term)}" for term in dict.fromkeys(positions[0])]
        clause = alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        return clause + suffix
    # A phrase takes each position's first term: alternatives only come from ambiguous feminines.
    phrase = " ".join(escape(position[0]) for position in positions)
    return f'{field_name}:"{phrase}"' + (f"~{slop}" if slop else "") + suffix


def _any(clauses: list[str | None]) -> str | None:
    clauses = [c for c in clauses if c]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


def _fields(node_field: str | None) -> dict[str, float]:
    return DEFAULT_FIELDS if node_field is None else {FIELD_OF[node_field]: 1.0}


def _word(node: qt.Word | qt.Phrase) -> str | None:
    slop = node.slop if isinstance(node, qt.Phrase) else 0
    clauses = [_terms_clause(name, analysed(name, node.text), boost, slop) for name, boost in _fields(node.field).items()]
    if node.field is None and isinstance(node, qt.Word) and clauses[0] is not None:
        exact = analysed("exact_t", node.text)
        if len(exact) == 1:
            clauses.append(_terms_clause("exact_t", exact, EXACT_FORM_BOOST))
    return _any(clauses)


def pattern_text(node: qt.Pattern, field_name: str) -> str:
    """The pattern as the field indexes words: lowercased, elision dropped, folded where the field folds."""
    text = strip_elision(node.text).lower().replace("’", "'")
    return fold(text) if field_name in _FOLDED else text


def _pattern(node: qt.Pattern) -> str:
    clauses = []
    for name, boost in _fields(node.field).items():
        text = pattern_text(node, name)
        escaped = "".join(char if char in "*?" else escape(char) for char in text)
        clauses.append(f"{name}:{escaped}" + (f"^{boost:g}" if boost != 1.0 else ""))
    return _any(clauses)


def _near(node: qt.Near) -> str | None:
    """Both words within `distance` positions, in either order: a sloppy phrase of their terms."""
    clauses = []
    for name, boost in DEFAULT_FIELDS.items():
        positions = []
        for child in node.children:
            if isinstance(child, qt.Pattern):
                raise qt.QuerySyntaxError(
                    f"NEAR with a wildcard ({child.text}) is not available on the SolrCloud engine: "
                    "write the whole word, or use the wildcard without NEAR")
            positions += analysed(name, child.text)
        if len(positions) >= 2:
            clauses.append(_terms_clause(name, positions, boost, slop=node.distance))
    return _any(clauses)


def date_clause(low: str | None, high: str | None) -> str:
    """Published from `low` to `high` inclusive, on the YYYY-MM-DD `date` field (`*` when open)."""
    start = first_day(low).isoformat() if low else "*"
    end = last_day(high).isoformat() if high else "*"
    return f"date:[{start} TO {end}]"


def compile_node(node: qt.Node) -> str | None:
    """The Lucene-syntax query of one node; None when it holds only stop words."""
    if isinstance(node, (qt.Word, qt.Phrase)):
        return _word(node)
    if isinstance(node, qt.Pattern):
        return _pattern(node)
    if isinstance(node, qt.Near):
        return _near(node)
    if isinstance(node, qt.DateRange):
        return date_clause(node.low, node.high)
    if isinstance(node, qt.Everything):
        return "*:*"
    if isinstance(node, qt.Not):
        child = compile_node(node.child)
        return f"(*:* -{child})" if child else None
    children = [c for c in (compile_node(child) for child in node.children) if c]
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    if isinstance(node, qt.And):
        positive = [c for c in children if not c.startswith("(*:* -")]
        negative = [c[len("(*:* -"):-1] for c in children if c.startswith("(*:* -")]
        if positive:
            return "(" + " AND ".join(positive) + "".join(f" -{n}" for n in negative) + ")"
    return "(" + (" AND " if isinstance(node, qt.And) else " OR ").join(children) + ")"


@dataclass(frozen=True)
class CompiledPlan:
    """A plan as Solr parameters: `q` and the named sub-queries it refers to ($r0 required, $w0 words)."""

    q: str
    params: dict[str, str] = field(default_factory=dict)
    words: tuple[str, ...] = ()  # the optional words as typed, in the order of $w0, $w1…
    minimum: int = 0

    @property
    def word_params(self) -> list[str]:
        return [f"w{i}" for i in range(len(self.words))]

    def with_minimum(self, minimum: int) -> CompiledPlan:
        return CompiledPlan(_bool_query(self.params, minimum), self.params, self.words, minimum)

    @property
    def all_words_query(self) -> str | None:
        """Every optional word (and every required clause): the articles ranked first."""
        if not self.words:
            return None
        return "{!bool " + " ".join(f"must=${name}" for name in sorted(self.params)) + "}"


def _bool_query(params: dict[str, str], minimum: int) -> str:
    must = [f"must=${name}" for name in sorted(params) if name.startswith("r")]
    should = [f"should=${name}" for name in sorted(params, key=_order) if name.startswith("w")]
    local = " ".join(must + should + ([f"mm={minimum}"] if should else []))
    return "{!bool " + local + "}"


def _order(name: str) -> int:
    return int(name[1:])


NOTHING = CompiledPlan("-*:*")
EVERYTHING = CompiledPlan("*:*")


def compile_plan(plan: MatchPlan | None) -> CompiledPlan:
    """The Solr query of a plan (None: every article)."""
    if plan is None:
        return EVERYTHING
    required = [c for c in (compile_node(node) for node in plan.required) if c]
    optional = [(word.text, c) for word, c in ((w, compile_node(w)) for w in plan.optional) if c]
    if not required and not optional:
        return NOTHING
    params = {f"r{i}": clause for i, clause in enumerate(required)}
    params.update({f"w{i}": clause for i, (_typed, clause) in enumerate(optional)})
    words = tuple(typed for typed, _clause in optional) if len(optional) == len(plan.optional) else ()
    minimum = plan.minimum if words else len(optional)
    if not words:  # every word required: plain clauses, no counting
        params = {f"r{i}": clause for i, clause in enumerate(required + [c for _t, c in optional])}
    return CompiledPlan(_bool_query(params, minimum), params, words, minimum)
