"""Trends: how many articles match a query per year or month, raw and per 1,000 articles, and each source's coverage.

The time axis is continuous: a year or month without any article is a zero,
not a gap that would join its neighbours. Behind the series, `coverage` says how
many articles each shown source has in each period and `absent` which of them
have none there, so that a rise is not mistaken for a source entering the archive.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engines.base import Engine
from search.request import BadParameter, SearchRequest
from search.service import engine_query, prepare

MAX_SERIES = 4
INTERVALS = ("year", "month")
MAX_COVERAGE_SOURCES = 6  # sources shown behind the series when none is selected: the largest


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
    periods: list[str]  # every period from the first to the last with articles, none skipped
    articles_per_period: dict[str, int]
    series: list[TrendSeries]
    sources: list[str]  # the sources whose coverage is shown: the selected ones, else the largest
    coverage: dict[str, dict[str, int]]  # period → source → articles (matching the filters, any word)
    absent: dict[str, list[str]]  # period → shown sources without any article in it


def continuous(periods: list[str], interval: str) -> list[str]:
    """Every year (YYYY) or month (YYYY-MM) from the first of `periods` to the last."""
    if not periods:
        return []
    first, last = min(periods), max(periods)
    if interval == "year":
        return [f"{year:04d}" for year in range(int(first), int(last) + 1)]
    months = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


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
    counted, by_source = _split(_counted(engine, replace(request, query_text=""), interval))
    periods = continuous(list(counted), interval)
    articles = {period: counted.get(period, 0) for period in periods}
    totals: dict[str, int] = {}
    for sources in by_source.values():
        for source, count in sources.items():
            totals[source] = totals.get(source, 0) + count
    shown = list(request.selected("source")) or sorted(totals, key=lambda s: (-totals[s], s))[:MAX_COVERAGE_SOURCES]
    coverage = {period: {source: by_source.get(period, {}).get(source, 0) for source in shown} for period in periods}
    absent = {period: [source for source in shown if not counts[source]] for period, counts in coverage.items()}
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
            for period in periods
        ]
        series.append(TrendSeries(text, sum(per_period.values()), points))
    return Trends(interval, periods, articles, series, shown, coverage,
                  {period: sources for period, sources in absent.items() if sources})
