"""The search request: everything that defines a search (the URL holds exactly these), and its limits."""

from __future__ import annotations

from dataclasses import dataclass

from engines.base import SORTS  # noqa: F401 (re-exported: the sorts a request may ask for)
from indexer.errors import LoupeError

DEFAULT_PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # deepest hit a page may reach
FACET_LIMIT = 10
MAX_FACET_LIMIT = 500


class BadParameter(LoupeError):
    """A request parameter is out of range or malformed; the message says what is allowed."""

    code = "bad_parameter"


@dataclass(frozen=True)
class SearchRequest:
    """Everything that defines a search; the URL holds exactly these."""

    query_text: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    sort: str = ""  # "" means relevance with words, newest first without
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (("source", ("A", "B")), ...)
    date_from: str = ""
    date_to: str = ""
    facet_limit: int = FACET_LIMIT
    with_timeline: bool = False
    with_forms: bool = False  # list each query word's forms in the results, with counts
    group_stories: bool = True  # one hit per story: reprints and copies under their earliest article
    count_stories: bool = False  # facets, timeline and trends count each story once
    asof: str = ""  # YYYY-MM-DD: the search as it was at the end of that day (later articles left out)

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    @property
    def grouped(self) -> bool:
        """Whether hits are grouped by story: not when the search lists one story's copies."""
        return self.group_stories and not self.selected("story")

    @property
    def effective_sort(self) -> str:
        return self.sort or ("relevance" if self.query_text.strip() else "-date")
