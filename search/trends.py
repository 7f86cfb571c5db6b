"""Trends: how many articles match a query per year or month, raw and per 1,000 articles."""

from __future__ import annotations

from dataclasses import dataclass, replace

from engines.base import Engine
from search.request import BadParameter, SearchRequest
from search.service import engine_query, prepare

MAX_SERIES = 4
INTERVALS = ("year", "month")


@dataclass(frozen=True)
class TrendPoint:
    period: str
    count: int
    per_thousand: float  # matches per 1,000 articles published in the period
    by_source: dict[str, int]


@dataclass(frozen=True)
class TrendSeries:
    query: str
    total: int
    points: list[TrendPoint]


@dataclass(frozen=True)
class Trends:
    interval: str
    periods: list[str]
    articles_per_period: dict[str, int]
    series: list[TrendSeries]


def _counted(engine: Engine, request: SearchRequest, interval: str) -> dict[tuple[str, str], int]:
    """Matching articles per (period, source); a trend counts every word, no partial fallback."""
    prepared = prepare(request)
    if prepared.matches_nothing:
        return {}
    return engine.counts_by_period(engine_query(prepared, request, 0, allow_partial=False), interval).counts


def _split(grouped: dict) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    per_period: dict[str, int] = {}
    per_source: dict[str, dict[str, int]] = {}
    for (period, source), count in grouped.items():
        if not period:
            continue
        per_period[period] = per_period.get(period, 0) + count
        if source:
            per_source.setdefault(period, {})[source] = count
    return per_period, per_source


def trends(engine: Engine, request: SearchRequest, queries: list[str], interval: str = "year") -> Trends:
    """One series per query (at most four), over the request's filters."""
    queries = [q for q in (q.strip() for q in queries) if q]
    if not queries:
        raise BadParameter("give at least one q to chart")
    if len(queries) > MAX_SERIES:
        raise BadParameter(f"at most {MAX_SERIES} queries can be compared, got {len(queries)}")
    if interval not in INTERVALS:
        raise BadParameter(f"interval must be year or month, got {interval!r}")
    articles, _ = _split(_counted(engine, replace(request, query_text=""), interval))
    series = []
    for text in queries:
        per_period, per_source = _split(_counted(engine, replace(request, query_text=text), interval))
        points = [
            TrendPoint(
                period,
                per_period.get(period, 0),
                round(1000 * per_period.get(period, 0) / articles[period], 2) if articles[period] else 0.0,
                per_source.get(period, {}),
            )
            for period in sorted(articles)
        ]
        series.append(TrendSeries(text, sum(per_period.values()), points))
    return Trends(interval, sorted(articles), articles, series)
