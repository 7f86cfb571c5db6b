"""Caches kept on a Whoosh searcher, so they live and die with its build.

IndexHandle opens a new searcher when a new build lands and drops the old one,
so nothing cached here can answer from a replaced index. Searchers are per
thread: LRU caches (rankings, filters) stay on each thread's searcher and need no
lock; memos (value columns, word lists: read-only once built) are shared by every
thread's searcher of one build, so a build is warmed once per process.
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


SHARED_ATTRIBUTE = "_loupe_shared"


def searcher_lru(searcher: Searcher, name: str, size: int) -> LruCache:
    """The searcher's own LRU cache called `name`, created on first use."""
    attribute = f"_loupe_{name}"
    cache = searcher.__dict__.get(attribute)
    if cache is None:
        cache = searcher.__dict__[attribute] = LruCache(size)
    return cache


def share_memos(searcher: Searcher, memos: dict) -> None:
    """Make `searcher` read and fill the memos of its build (one dict per build, shared by threads)."""
    searcher.__dict__[SHARED_ATTRIBUTE] = memos


def searcher_memo(searcher: Searcher, name: str, build: Callable[[Searcher], T]) -> T:
    """`build(searcher)`, computed once per build (or per searcher when it has no shared memos).

    Two threads may both compute a memo the first time; the values are equal and one wins.
    """
    memos = searcher.__dict__.setdefault(SHARED_ATTRIBUTE, {})
    value = memos.get(name)
    if value is None:
        value = memos[name] = build(searcher)
    return value
