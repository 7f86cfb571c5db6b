"""Read a search request from URL parameters; BadParameter says which one is wrong and why."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from collections.abc import Mapping
from urllib.parse import urlencode

from engines.base import FACETS, FILTERS
from engines.dates import check_date_value
from search.query_parser import MAX_QUERY_LENGTH
from search.request import (
    DEFAULT_PER_PAGE,
    FACET_LIMIT,
    MAX_FACET_LIMIT,
    MAX_PER_PAGE,
    SORTS,
    BadParameter,
    SearchRequest,
)

MAX_FILTER_VALUES = 20
MAX_FILTER_VALUE_LENGTH = 200
MAX_PAGE = 100_000
# The exact forms accepted, also declared in the OpenAPI document (webui/openapi.py): ASCII digits only,
# since int() and str.isdigit() would also take "1_000", "٢٠١٩" or "２０１９".
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
YEAR_VALUE = re.compile(r"[0-9]{4}")
FLAG_VALUES = {"": False, "0": False, "false": False, "1": True, "true": True}


def _int(args: Mapping, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    value = whole_number(name, raw)
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def whole_number(name: str, raw: str) -> int:
    """`raw` as an int if it is written in ASCII digits (a sign allowed); a BadParameter naming `name` if not."""
    if not WHOLE_NUMBER.fullmatch(raw):
        raise BadParameter(f"{name} must be a whole number, got {raw!r}")
    # Python refuses to read ints of more than 4,300 digits; any such number is out of every range here.
    return int(raw[:20])


def flag(args: Mapping, name: str) -> bool:
    """An on/off parameter: 1 or true, 0 or false (or absent); anything else is a BadParameter."""
    raw = args.get(name, "")
    if raw not in FLAG_VALUES:
        raise BadParameter(f"{name} must be 1 or 0, got {raw!r}")
    return FLAG_VALUES[raw]


def _filters(args) -> tuple[tuple[str, tuple[str, ...]], ...]:
    filters = []
    for name in (*FACETS, *FILTERS):
        raw = args.getlist(name)  # the limits apply to what was sent, before blanks and repeats are dropped
        if len(raw) > MAX_FILTER_VALUES:
            raise BadParameter(f"at most {MAX_FILTER_VALUES} values of {name} can be combined")
        if any(len(v) > MAX_FILTER_VALUE_LENGTH for v in raw):
            raise BadParameter(f"a {name} value is longer than {MAX_FILTER_VALUE_LENGTH} characters")
        values = tuple(dict.fromkeys(v.strip() for v in raw if v.strip()))
        if name == "year" and any(not YEAR_VALUE.fullmatch(v) for v in values):
            raise BadParameter("year must be four digits, such as 2019")
        if values:
            filters.append((name, values))
    return tuple(filters)


def _date(args: Mapping, name: str) -> str:
    value = args.get(name, "").strip()
    if value:
        # check_date_value reads \d, which also takes other scripts' digits (٢٠١٩); the API promises ASCII ones.
        check_date_value(value if value.isascii() else "?", name, BadParameter)
    return value


GROUP_VALUES = ("story", "none")
COUNT_VALUES = ("article", "story")
ASOF = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _choice(args: Mapping, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = args.get(name, "").strip() or default
    if value not in allowed:
        raise BadParameter(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _asof(args: Mapping) -> str:
    """asof: a full day, YYYY-MM-DD; the search as it was at the end of it."""
    value = args.get("asof", "").strip()
    if not value:
        return ""
    try:
        if not ASOF.fullmatch(value):
            raise ValueError
        date.fromisoformat(value)  # a real day of years 0001 to 9999
    except ValueError:
        raise BadParameter(f"asof must be a real day written YYYY-MM-DD, such as 2026-03-01, got {value[:40]!r}") from None
    return value


def search_request_from_args(args, with_timeline: bool = False, with_forms: bool = False) -> SearchRequest:
    """A SearchRequest from request.args (a MultiDict); raises BadParameter."""
    query_text = args.get("q", "")
    if len(query_text) > MAX_QUERY_LENGTH:
        raise BadParameter(f"q is {len(query_text)} characters long; the limit is {MAX_QUERY_LENGTH}")
    sort = args.get("sort", "")
    if sort and sort not in SORTS:
        raise BadParameter(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    date_from, date_to = _date(args, "date_from"), _date(args, "date_to")
    return SearchRequest(
        group_stories=_choice(args, "group", GROUP_VALUES, "story") == "story",
        count_stories=_choice(args, "count", COUNT_VALUES, "article") == "story",
        asof=_asof(args),
        query_text=query_text,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        sort=sort,
        filters=_filters(args),
        date_from=date_from,
        date_to=date_to,
        facet_limit=_int(args, "facet_limit", FACET_LIMIT, 1, MAX_FACET_LIMIT),
        with_timeline=flag(args, "timeline") or with_timeline,
        with_forms=flag(args, "forms") or with_forms,
    )


def request_to_params(request: SearchRequest, **changes) -> list[tuple[str, str]]:
    """URL parameters reproducing `request`, with `changes` applied (None removes)."""
    params: dict[str, object] = {
        "q": request.query_text,
        "sort": request.sort,
        "date_from": request.date_from,
        "date_to": request.date_to,
        "per_page": request.per_page if request.per_page != DEFAULT_PER_PAGE else "",
        "page": request.page if request.page != 1 else "",
        "group": "" if request.group_stories else "none",
        "count": "story" if request.count_stories else "",
        "asof": request.asof,
    }
    for name, values in request.filters:
        params[name] = list(values)
    params.update(changes)
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs += [(name, str(v)) for v in values if v not in (None, "")]
    return pairs


def copies_request(request: SearchRequest, story: str) -> SearchRequest:
    """The search listing every matching copy of one story, earliest first."""
    filters = tuple(f for f in request.filters if f[0] != "story") + (("story", (story,)),)
    return replace(request, page=1, filters=filters, group_stories=False, sort="date")


def query_string(request: SearchRequest, **changes) -> str:
    return urlencode(request_to_params(request, **changes))
