"""Each document's facet values, month and date rank in plain lists, to count and sort at C speed.

Whoosh counts a facet by asking a categorizer for the value of every matching
document, one Python call chain per document and facet, and re-reads each
column's offsets at every search: that was most of a request's time. Here each
field is read once per searcher from its postings into a list indexed by
document number, so counting is `Counter(map(values.__getitem__, docnums))`
and sorting by date is a key lookup. The lists live on the searcher, which is
replaced when a new build lands, so they never describe a replaced index.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import chain

from whoosh.searching import Searcher

from engines.whoosh.schema import FACET_FIELDS, MULTI_VALUED_FACETS, term_text
from engines.whoosh.caches import searcher_memo

NO_VALUE = -1


def _docs_by_term(searcher: Searcher, fieldname: str) -> Iterable[tuple[str, Iterable[int]]]:
    """(term, document numbers) for every term of a field, in term order; an empty term is no value."""
    reader = searcher.reader()
    if fieldname not in searcher.schema:
        return
    for term in reader.lexicon(fieldname):
        if term:
            yield term_text(term), reader.postings(fieldname, term).all_ids()


@dataclass(frozen=True)
class ValueColumn:
    """One field: its values, and for each document the number of its value (or values)."""

    names: tuple[str, ...]
    single: list[int] | None  # document → value number, NO_VALUE when it has none
    multiple: list[tuple[int, ...]] | None  # document → value numbers (tags)

    @classmethod
    def read(cls, searcher: Searcher, fieldname: str, multi_valued: bool) -> ValueColumn:
        size = searcher.reader().doc_count_all()
        names: list[str] = []
        if multi_valued:
            lists: list[list[int]] = [[] for _ in range(size)]
            for number, (name, docnums) in enumerate(_docs_by_term(searcher, fieldname)):
                names.append(name)
                for docnum in docnums:
                    lists[docnum].append(number)
            return cls(tuple(names), None, [tuple(values) for values in lists])
        single = [NO_VALUE] * size
        for number, (name, docnums) in enumerate(_docs_by_term(searcher, fieldname)):
            names.append(name)
            for docnum in docnums:
                single[docnum] = number
        return cls(tuple(names), single, None)

    def count_pairs(self, other: ValueColumn, docnums: Iterable[int],
                    stories: list[int] | None = None) -> dict[tuple[str, str], int]:
        """How many of `docnums` (or of their stories) have each (value of this column, value of `other`);
        "" for no value.

        Both columns must be single-valued (a period and a source, say).
        """
        docnums = list(docnums)
        mine, theirs = map(self.single.__getitem__, docnums), map(other.single.__getitem__, docnums)
        if stories is None:
            pairs = Counter(zip(mine, theirs))
        else:
            pairs = Counter((a, b) for a, b, _story in set(zip(mine, theirs, map(stories.__getitem__, docnums))))
        name, other_name = self._name, other._name
        return {(name(mine), other_name(theirs)): count for (mine, theirs), count in pairs.items()}

    def _name(self, number: int) -> str:
        return "" if number == NO_VALUE else self.names[number]

    def count_stories(self, stories: list[int], docnums: Iterable[int]) -> dict[str, int]:
        """How many stories among `docnums` have each value: copies of one story count once under a value."""
        if self.single is not None:
            single = self.single
            pairs = {(single[d], stories[d]) for d in docnums}
        else:
            multiple = self.multiple
            pairs = {(value, stories[d]) for d in docnums for value in multiple[d]}
        numbers = Counter(value for value, _story in pairs)
        names = self.names
        return {names[number]: count for number, count in numbers.items() if number != NO_VALUE}

    def count(self, docnums: Iterable[int]) -> dict[str, int]:
        """How many of `docnums` have each value; a document counts once under each of its values."""
        if self.single is not None:
            numbers = Counter(map(self.single.__getitem__, docnums))
        else:
            numbers = Counter(chain.from_iterable(map(self.multiple.__getitem__, docnums)))
        names = self.names
        return {names[number]: count for number, count in numbers.items() if number != NO_VALUE}


@dataclass(frozen=True)
class DocValues:
    """The value columns of one searcher: every facet, the month and the date."""

    facets: dict[str, ValueColumn]
    month: ValueColumn
    date_rank: list[int]  # document → position of its date among all dates, NO_VALUE if undated
    story: list[int]  # document → number of its story (documents of one story share it)
    in_shared_story: frozenset[int]  # documents whose story has other documents
    copies_at_most: int  # documents a grouped ranking can leave out: those of shared stories but one per story

    @classmethod
    def read(cls, searcher: Searcher) -> DocValues:
        facets = {name: ValueColumn.read(searcher, field, name in MULTI_VALUED_FACETS) for name, field in FACET_FIELDS.items()}
        # Dates are ISO strings, so term order is date order.
        date = ValueColumn.read(searcher, "date", multi_valued=False)
        story = ValueColumn.read(searcher, "story", multi_valued=False).single
        # An article without a story (never in a story index) is a story of its own.
        unique = len(story) + 1
        story = [number if number != NO_VALUE else unique + docnum for docnum, number in enumerate(story)]
        sizes = Counter(story)
        shared = frozenset(docnum for docnum, number in enumerate(story) if sizes[number] > 1)
        copies_at_most = len(shared) - len({story[docnum] for docnum in shared})
        return cls(facets, ValueColumn.read(searcher, "month", multi_valued=False), date.single, story, shared,
                   copies_at_most)

    def earliest_first(self, docnum: int) -> tuple[int, int]:
        """A sort key: dated documents oldest first, then undated ones; then by document number."""
        day = self.date_rank[docnum]
        return (len(self.date_rank) if day == NO_VALUE else day, docnum)

    def story_heads(self, docnums: Collection[int]) -> dict[int, list[int]]:
        """Among `docnums`, the earliest document of each story shared by several → the others, earliest first.

        Documents alone in their story among `docnums` are not listed: each is its own head.
        """
        members: dict[int, list[int]] = {}
        story = self.story
        for docnum in self.in_shared_story.intersection(docnums):
            members.setdefault(story[docnum], []).append(docnum)
        heads: dict[int, list[int]] = {}
        for group in members.values():
            if len(group) > 1:
                group.sort(key=self.earliest_first)
                heads[group[0]] = group[1:]
        return heads

    def by_date(self, docnums: Collection[int], limit: int, newest_first: bool) -> list[int]:
        """The first `limit` documents by date, undated ones last either way.

        Equal dates keep Whoosh's order: document number ascending oldest
        first, descending newest first.
        """
        rank = self.date_rank
        size = len(rank) + 1
        if newest_first:
            return heapq.nlargest(limit, docnums, key=lambda d: rank[d] * size + d)
        undated = len(rank)  # after every real rank

        def oldest_first(docnum: int) -> int:
            day = rank[docnum]
            return (undated if day == NO_VALUE else day) * size + docnum

        return heapq.nsmallest(limit, docnums, key=oldest_first)


def doc_values(searcher: Searcher) -> DocValues:
    """The searcher's value columns, read on first use and kept on the searcher."""
    return searcher_memo(searcher, "doc_values", DocValues.read)
