"""Read a search request from URL parameters; BadParameter says which one is wrong and why."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from engines.base import FACETS
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


def _int(args: Mapping, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw in ("", None):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise BadParameter(f"{name} must be between {low} and {high}, got {value}")
    return value


def _filters(args) -> tuple[tuple[str, tuple[str, ...]], ...]:
    filters = []
    for name in FACETS:
        values = tuple(dict.fromkeys(v.strip() for v in args.getlist(name) if v.strip()))
        if len(values) > MAX_FILTER_VALUES:
            raise BadParameter(f"at most {MAX_FILTER_VALUES} values of {name} can be combined")
        if any(len(v) > MAX_FILTER_VALUE_LENGTH for v in values):
            raise BadParameter(f"a {name} value is longer than {MAX_FILTER_VALUE_LENGTH} characters")
        if name == "year" and any(not (len(v) == 4 and v.isdigit()) for v in values):
            raise BadParameter("year must be four digits, such as 2019")
        if values:
            filters.append((name, values))
    return tuple(filters)


def search_request_from_args(args, with_timeline: bool = False, with_forms: bool = False) -> SearchRequest:
    """A SearchRequest from request.args (a MultiDict); raises BadParameter."""
    query_text = args.get("q", "")
    if len(query_text) > MAX_QUERY_LENGTH:
        raise BadParameter(f"q is {len(query_text)} characters long; the limit is {MAX_QUERY_LENGTH}")
    sort = args.get("sort", "")
    if sort and sort not in SORTS:
        raise BadParameter(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    date_from, date_to = args.get("date_from", "").strip(), args.get("date_to", "").strip()
    if date_from:
        check_date_value(date_from, "date_from", BadParameter)
    if date_to:
        check_date_value(date_to, "date_to", BadParameter)
    return SearchRequest(
        query_text=query_text,
        page=_int(args, "page", 1, 1, 100_000),
        per_page=_int(args, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
        sort=sort,
        filters=_filters(args),
        date_from=date_from,
        date_to=date_to,
        facet_limit=_int(args, "facet_limit", FACET_LIMIT, 1, MAX_FACET_LIMIT),
        with_timeline=with_timeline or args.get("timeline") in ("1", "true"),
        with_forms=with_forms or args.get("forms") in ("1", "true"),
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
    }
    for name, values in request.filters:
        params[name] = list(values)
    params.update(changes)
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        pairs += [(name, str(v)) for v in values if v not in (None, "")]
    return pairs


def query_string(request: SearchRequest, **changes) -> str:
    return urlencode(request_to_params(request, **changes))
