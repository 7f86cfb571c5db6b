"""Geometry of the trends chart: the numbers an SVG template draws, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from search.trends import Trends

WIDTH, HEIGHT = 720, 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 48, 16, 16, 40
SERIES_CLASSES = ("series-1", "series-2", "series-3", "series-4")


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    period: str
    value: float


@dataclass(frozen=True)
class ChartSeries:
    label: str
    css_class: str
    points: list[ChartPoint]

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points))


COVERAGE_CLASSES = tuple(f"coverage-{n}" for n in range(1, 7))


@dataclass(frozen=True)
class CoverageSegment:
    y: float
    height: float
    css_class: str
    source: str
    count: int


@dataclass(frozen=True)
class CoverageBar:
    """Behind one period: the shown sources' articles, stacked, on their own scale (the tallest period fills the plot)."""

    x: float
    width: float
    period: str
    segments: list[CoverageSegment]
    absent: list[str]  # shown sources without any article in the period


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[ChartSeries]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    baseline: float
    left: float
    right: float
    coverage: list[CoverageBar]
    sources: list[tuple[str, str]]  # (source, css class) for the coverage legend


def _coverage(trends: Trends, x, step: float, top_y: float, baseline: float) -> list[CoverageBar]:
    classes = dict(zip(trends.sources, COVERAGE_CLASSES))
    tallest = max((sum(counts.values()) for counts in trends.coverage.values()), default=0) or 1
    width = max(2.0, step * 0.8 if len(trends.periods) > 1 else 40.0)
    bars = []
    for i, period in enumerate(trends.periods):
        counts = trends.coverage.get(period, {})
        bottom, segments = baseline, []
        for source in trends.sources:
            height = (baseline - top_y) * counts.get(source, 0) / tallest
            if height > 0:
                bottom -= height
                segments.append(CoverageSegment(bottom, height, classes[source], source, counts[source]))
        bars.append(CoverageBar(x(i) - width / 2, width, period, segments, trends.absent.get(period, [])))
    return bars


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def chart_for(trends: Trends, normalised: bool = False) -> Chart:
    """Lines for each query over the periods; `normalised` plots per 1,000 articles."""
    periods = trends.periods
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [[(p.per_thousand if normalised else p.count) for p in s.points] for s in trends.series]
    top = _nice_max(max((v for row in values for v in row), default=0))
    step = plot_w / max(1, len(periods) - 1)

    def x(i: int) -> float:
        return MARGIN_LEFT + (i * step if len(periods) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return MARGIN_TOP + plot_h * (1 - v / top)

    series = [
        ChartSeries(s.query, SERIES_CLASSES[n], [ChartPoint(x(i), y(v), p.period, v) for i, (p, v) in enumerate(zip(s.points, row))])
        for n, (s, row) in enumerate(zip(trends.series, values))
    ]
    every = max(1, len(periods) // 12)
    x_labels = [(x(i), period) for i, period in enumerate(periods) if i % every == 0]
    y_ticks = [(y(top * f), f"{top * f:g}") for f in (0, 0.25, 0.5, 0.75, 1)]
    coverage = _coverage(trends, x, step, MARGIN_TOP, MARGIN_TOP + plot_h)
    sources = list(zip(trends.sources, COVERAGE_CLASSES))
    return Chart(WIDTH, HEIGHT, series, x_labels, y_ticks, MARGIN_TOP + plot_h, MARGIN_LEFT, WIDTH - MARGIN_RIGHT,
                 coverage, sources)
