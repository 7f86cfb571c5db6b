"""Caches kept on a Whoosh searcher, so they live and die with it.

IndexHandle opens a new searcher when a new build lands and drops the old one,
so nothing cached here can answer from a replaced index. Searchers are per
thread, so these caches need no lock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from whoosh.searching import Searcher

T = TypeVar("T")


class LruCache:
    """The `size` most recently used entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict = OrderedDict()

    def get(self, key: Hashable):
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: T) -> T:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return value


def searcher_lru(searcher: Searcher, name: str, size: int) -> LruCache:
    """The searcher's LRU cache called `name`, created on first use."""
    return searcher_memo(searcher, name, lambda _searcher: LruCache(size))


def searcher_memo(searcher: Searcher, name: str, build: Callable[[Searcher], T]) -> T:
    """`build(searcher)`, computed once per searcher."""
    attribute = f"_loupe_{name}"
    value = searcher.__dict__.get(attribute)
    if value is None:
        value = searcher.__dict__[attribute] = build(searcher)
    return value
