"""Schemathesis hooks for tests/webui/test_api_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

The query grammar (quotes, parentheses, fields…) cannot be written as a JSON Schema, so
the document says `q` is any text up to the limit. A schema-valid request answered
400 `query_syntax` is therefore excused, but only when our own parser really refuses one
of the `q` values sent: any other 400 to valid data still fails the run.
"""

from __future__ import annotations

import schemathesis

from engines.query import QuerySyntaxError
from search.query_parser import parse


def _refused_by_the_parser(values) -> bool:
    for value in values if isinstance(values, list) else [values]:
        try:
            parse(str(value))
        except QuerySyntaxError:
            return True
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response) -> bool:
    """Keep every failure except a query_syntax 400 to a q our parser refuses."""
    if response is None or response.status_code != 400:
        return True
    try:
        code = response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return True
    return not (code == "query_syntax" and _refused_by_the_parser((case.query or {}).get("q", "")))
