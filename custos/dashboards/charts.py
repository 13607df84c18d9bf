"""Stacked bar charts drawn on the server as inline SVG: the geometry here, the markup in a template.

No JavaScript, no inline styles (the Content-Security-Policy forbids them): every shape carries SVG presentation
attributes and a pattern, so no series is told apart by colour alone. Labels sit above their bars so a chart fits
a 360px-wide screen: the drawing is 400 units wide and shown at most 30rem wide, so its 16-unit text is about 13px
on a phone and 19px on a desktop, never the 7px a wider drawing shrank to (the SVG scales with ``viewBox``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 400
ROW = 50
BAR_AREA = 330
BAR_HEIGHT = 22
LEGEND_ROW = 26

# (fill colour, pattern) per series; every colour has at least 3:1 contrast with white (WCAG 1.4.11).
SERIES_STYLES: tuple[tuple[str, str], ...] = (
    ("#1d4f91", "solid"),
    ("#00703c", "stripes"),
    ("#942514", "dots"),
    ("#4c2c92", "cross"),
    ("#505a5f", "grid"),
)


@dataclass(frozen=True)
class Series:
    index: int
    label: str

    @property
    def colour(self) -> str:
        return SERIES_STYLES[self.index % len(SERIES_STYLES)][0]

    @property
    def pattern(self) -> str:
        return SERIES_STYLES[self.index % len(SERIES_STYLES)][1]


@dataclass(frozen=True)
class Segment:
    series: Series
    value: int
    x: int
    width: int
    url: str = ""


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    y: int
    segments: list[Segment]
    url: str = ""

    @property
    def text_y(self) -> int:
        return self.y + 16

    @property
    def bar_y(self) -> int:
        return self.y + 22

    @property
    def total_x(self) -> int:
        end = max((s.x + s.width for s in self.segments), default=0)
        return end + 6


@dataclass(frozen=True)
class LegendItem:
    series: Series
    x: int
    y: int


@dataclass
class StackedChart:
    key: str
    title: str
    description: str
    series: list[Series]
    bars: list[Bar]
    legend: list[LegendItem] = field(default_factory=list)
    width: int = WIDTH
    height: int = 0

    @property
    def patterns(self) -> list[Series]:
        return [s for s in self.series if s.pattern != "solid"]


def stacked_bar_chart(
    key: str,
    title: str,
    description: str,
    series_labels: list[str],
    rows: list[tuple[str, list[int], str, list[str]]],
) -> StackedChart:
    """``rows`` are (label, one value per series, the row's drill-down URL, one URL per segment)."""
    series = [Series(index, label) for index, label in enumerate(series_labels)]
    most = max((sum(values) for _, values, _, _ in rows), default=0) or 1
    legend = [LegendItem(s, x=0, y=i * LEGEND_ROW) for i, s in enumerate(series)]
    legend_height = len(series) * LEGEND_ROW + 8
    bars = []
    for index, (label, values, url, urls) in enumerate(rows):
        x = 0
        segments = []
        for s, value in zip(series, values, strict=True):
            width = round(value / most * BAR_AREA)
            if value and width < 3:
                width = 3
            if value:
                segments.append(Segment(s, value, x, width, urls[s.index] if urls else ""))
            x += width
        bars.append(Bar(label, sum(values), legend_height + index * ROW, segments, url))
    height = legend_height + max(ROW, len(bars) * ROW)
    return StackedChart(key, title, description, series, bars, legend, WIDTH, height)
