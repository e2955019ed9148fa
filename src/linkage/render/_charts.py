"""Small inline SVG charts for the report (no plotting library needed): bars and lines.

Every label is escaped; the charts are ``<svg>`` elements with a ``<title>``
per mark, so a reader hovering a bar sees its value.
"""

from __future__ import annotations

from ._html import esc

__all__ = ["bar_chart", "line_chart"]

_COLOURS = ("#1f3b73", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf")


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def bar_chart(labels: list, values: list[float], *, title: str, unit: str = "", width: int = 460,
              bar_height: int = 18, colour: str = "#1f3b73") -> str:
    """Horizontal bars, one per label, longest to scale."""
    values = [float(v) if v == v else 0.0 for v in values]  # NaN -> 0
    top = max(values + [0.0]) or 1.0
    label_width = 170
    height = 24 + bar_height * len(values) + 6
    parts = [f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">',
             f'<text x="0" y="14" font-weight="600" font-size="12">{esc(title)}</text>']
    span = width - label_width - 60
    for i, (label, value) in enumerate(zip(labels, values)):
        y = 24 + i * bar_height
        length = max(span * value / top, 0.0)
        text = str(label)
        short = text if len(text) <= 28 else text[:27] + "\u2026"
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{esc(short)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}" height="{bar_height - 4}" fill="{colour}">'
                     f'<title>{esc(text)}: {esc(_fmt(value))}{esc(unit)}</title></rect>')
        parts.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.7:.1f}">{esc(_fmt(value))}{esc(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(x: list[float], series: dict[str, list[float]], *, title: str, x_label: str = "", y_label: str = "",
               width: int = 460, height: int = 240) -> str:
    """Lines over a shared numeric x axis, with a legend."""
    left, right, top_margin, bottom = 48, 12, 24, 36
    all_y = [v for ys in series.values() for v in ys if v == v]
    if not x or not all_y:
        return ""
    x_min, x_max = min(x), max(x)
    y_max = max(all_y) or 1.0
    plot_w, plot_h = width - left - right, height - top_margin - bottom

    def px(v: float) -> float:
        return left + (0 if x_max == x_min else (v - x_min) / (x_max - x_min)) * plot_w

    def py(v: float) -> float:
        return top_margin + plot_h - (v / y_max) * plot_h

    parts = [f'<svg role="img" aria-label="{esc(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">',
             f'<text x="0" y="14" font-weight="600" font-size="12">{esc(title)}</text>',
             f'<line x1="{left}" y1="{top_margin + plot_h}" x2="{left + plot_w}" y2="{top_margin + plot_h}" stroke="#555"/>',
             f'<line x1="{left}" y1="{top_margin}" x2="{left}" y2="{top_margin + plot_h}" stroke="#555"/>',
             f'<text x="{left - 4}" y="{top_margin + 4}" text-anchor="end">{esc(_fmt(y_max))}</text>',
             f'<text x="{left - 4}" y="{top_margin + plot_h}" text-anchor="end">0</text>',
             f'<text x="{left}" y="{height - 18}">{esc(_fmt(x_min))}</text>',
             f'<text x="{left + plot_w}" y="{height - 18}" text-anchor="end">{esc(_fmt(x_max))}</text>',
             f'<text x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">{esc(x_label)}</text>',
             f'<text x="10" y="{top_margin + plot_h / 2}" transform="rotate(-90 10 {top_margin + plot_h / 2})" text-anchor="middle">{esc(y_label)}</text>']
    for k, (name, ys) in enumerate(series.items()):
        colour = _COLOURS[k % len(_COLOURS)]
        points = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, ys) if b == b)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        for a, b in zip(x, ys):
            if b == b:
                parts.append(f'<circle cx="{px(a):.1f}" cy="{py(b):.1f}" r="3" fill="{colour}"><title>{esc(name)}, {esc(_fmt(a))}: {esc(_fmt(b))}</title></circle>')
        parts.append(f'<rect x="{left + 8}" y="{top_margin + 4 + 14 * k}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{left + 22}" y="{top_margin + 13 + 14 * k}">{esc(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
