"""Small inline SVG charts for the report (no plotting library needed): bars and lines.

This module computes the geometry (every coordinate already formatted); the
markup is ``parts/charts.html``, whose engine escapes every label. Each mark
has a ``<title>``, so a reader hovering a bar sees its value.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "BarChart", "LineChart", "Point", "Series", "bar_chart", "line_chart"]

_COLOURS = ("#1f3b73", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


@dataclass(frozen=True)
class Bar:
    label: str
    #: the label cut to 28 characters
    short: str
    value: str
    top: int
    baseline: str
    length: str
    value_x: str


@dataclass(frozen=True)
class BarChart:
    kind = "bar"
    title: str
    width: int
    height: int
    colour: str
    unit: str
    label_width: int
    bar_height: int
    bars: list[Bar]


@dataclass(frozen=True)
class Point:
    x: str
    y: str
    title: str


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str
    marks: list[Point]
    legend_y: int


@dataclass(frozen=True)
class LineChart:
    kind = "line"
    title: str
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    x_label: str
    y_label: str
    x_min: str
    x_max: str
    y_max: str
    series: list[Series]


def bar_chart(labels: list, values: list[float], *, title: str, unit: str = "", width: int = 460,
              bar_height: int = 18, colour: str = "#1f3b73") -> BarChart:
    """Horizontal bars, one per label, longest to scale."""
    values = [float(v) if v == v else 0.0 for v in values]  # NaN -> 0
    top = max(values + [0.0]) or 1.0
    label_width = 170
    span = width - label_width - 60
    bars = []
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 24 + i * bar_height
        length = max(span * value / top, 0.0)
        text = str(label)
        bars.append(Bar(label=text, short=text if len(text) <= 28 else text[:27] + "\u2026", value=_fmt(value),
                        top=y + 2, baseline=f"{y + bar_height * 0.7:.1f}", length=f"{length:.1f}",
                        value_x=f"{label_width + length + 4:.1f}"))
    return BarChart(title=title, width=width, height=24 + bar_height * len(values) + 6, colour=colour, unit=unit,
                    label_width=label_width, bar_height=bar_height, bars=bars)


def line_chart(x: list[float], series: dict[str, list[float]], *, title: str, x_label: str = "", y_label: str = "",
               width: int = 460, height: int = 240) -> LineChart | None:
    """Lines over a shared numeric x axis, with a legend; None when there is nothing to draw."""
    left, right, top_margin, bottom = 48, 12, 24, 36
    all_y = [v for ys in series.values() for v in ys if v == v]
    if not x or not all_y:
        return None
    x_min, x_max = min(x), max(x)
    y_max = max(all_y) or 1.0
    plot_w, plot_h = width - left - right, height - top_margin - bottom

    def px(v: float) -> float:
        return left + (0 if x_max == x_min else (v - x_min) / (x_max - x_min)) * plot_w

    def py(v: float) -> float:
        return top_margin + plot_h - (v / y_max) * plot_h

    lines = []
    for k, (name, ys) in enumerate(series.items()):
        drawn = [(a, b) for a, b in zip(x, ys) if b == b]
        lines.append(Series(
            name=name, colour=_COLOURS[k % len(_COLOURS)],
            points=" ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in drawn),
            marks=[Point(f"{px(a):.1f}", f"{py(b):.1f}", f"{name}, {_fmt(a)}: {_fmt(b)}") for a, b in drawn],
            legend_y=top_margin + 4 + 14 * k))
    return LineChart(title=title, width=width, height=height, left=left, top=top_margin, plot_w=plot_w, plot_h=plot_h,
                     x_label=x_label, y_label=y_label, x_min=_fmt(x_min), x_max=_fmt(x_max), y_max=_fmt(y_max),
                     series=lines)
