"""Bar charts drawn on the server as SVG (no JavaScript): the geometry here, the markup in a template."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 600
ROW = 44
BAR_AREA = 480


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + 14

    @property
    def bar_y(self) -> int:
        return self.y + 20

    @property
    def value_x(self) -> int:
        return self.width + 6


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int


def bar_chart(values: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, longest for the largest value; each label sits above its bar so it fits at 360px."""
    most = max((value for _, value in values), default=0) or 1
    bars = [
        Bar(label=label, value=value, y=index * ROW, width=max(2, round(value / most * BAR_AREA)))
        for index, (label, value) in enumerate(values)
    ]
    return Chart(bars=bars, width=WIDTH, height=max(ROW, len(bars) * ROW))
