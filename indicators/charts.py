"""An indicator's values by year against its target, as an inline SVG written on the server.

No JavaScript and no chart library (the users' network may not reach a CDN).
Every piece of text that reaches the markup (indicator name, unit, labels) goes
through `_text`, so a name like "<script>" is shown, never run. Pure Python:
the caller passes translated labels.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from math import floor, log10

from indicators.numbers import plain_number

# Narrow enough that 14px text stays legible when a phone scales the chart to its width.
WIDTH, HEIGHT = 480, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 24, 84  # room for y labels, x labels and a legend of up to two lines
FONT_SIZE = 14
VALUE_COLOUR, TARGET_COLOUR, DERIVED_COLOUR, GRID_COLOUR = "#1f5f99", "#a1261b", "#7a5a00", "#d9dee2"


@dataclass(frozen=True)
class ChartLabels:
    values: str  # e.g. "Reported value"
    target: str  # e.g. "Target"
    derived: str  # e.g. "Counted from projects"
    no_values: str  # e.g. "No value reported yet"


def _text(value) -> str:
    return escape(str(value), quote=True)


def _nice_step(span: float) -> float:
    """A step of 1, 2 or 5 × 10^k giving about four gridlines over the span."""
    raw = span / 4 if span > 0 else 1
    magnitude = 10 ** floor(log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _text_width(text: str) -> int:
    """Roughly, in pixels at FONT_SIZE: CJK characters are square, Latin ones about half as wide."""
    return sum(FONT_SIZE if ord(char) > 0x2E7F else FONT_SIZE * 6 // 10 for char in text)


def _number(value: float) -> str:
    return plain_number(Decimal(repr(round(value, 6))))


def indicator_chart_svg(
    *,
    chart_id: str,
    title: str,
    unit: str,
    years: Sequence[int],
    values: Mapping[int, Decimal],
    target: Decimal,
    labels: ChartLabels,
    derived: Mapping[int, Decimal] | None = None,
) -> str:
    """An accessible SVG: bars for reported values, dots for derived counts, a dashed target line."""
    safe_id = re.sub(r"[^a-z0-9-]", "-", chart_id.lower()) or "chart"
    derived = {year: value for year, value in (derived or {}).items() if year in years}
    shown = [values[year] for year in years if year in values] + list(derived.values()) + [target]
    high = max(float(max(shown)), 0.0)
    low = min(float(min(shown)), 0.0)
    step = _nice_step(high - low)
    top_value = step * (floor(high / step) + 1) if high > 0 else step
    bottom_value = -step * (floor(-low / step) + (1 if low < 0 else 0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value) -> float:
        return round(TOP + plot_h * (top_value - float(value)) / (top_value - bottom_value), 1)

    slot = plot_w / max(len(years), 1)

    def x_of(index: int) -> float:
        return round(LEFT + slot * (index + 0.5), 1)

    unit_suffix = f" {unit}" if unit else ""
    described = "; ".join(f"{year}: {plain_number(values[year])}{unit_suffix}" for year in years if year in values)
    description = f"{labels.target}: {plain_number(target)}{unit_suffix}. {described or labels.no_values}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="indicator-chart" '
        f'role="img" aria-labelledby="{safe_id}-title {safe_id}-desc" aria-label="{_text(title)}" '
        f'preserveAspectRatio="xMidYMid meet" font-family="system-ui, sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{safe_id}-title">{_text(title)}</title>',
        f'<desc id="{safe_id}-desc">{_text(description)}</desc>',
    ]
    # Gridlines with their values on the left.
    tick = bottom_value
    while tick <= top_value + step / 1000:
        y = y_of(tick)
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{GRID_COLOUR}"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 5}" text-anchor="end" fill="#5f6b73">{_text(_number(tick))}</text>')
        tick += step
    if unit:
        parts.append(f'<text x="4" y="{TOP - 6}" fill="#5f6b73">{_text(unit)}</text>')
    zero_y = y_of(0)
    bar_w = round(min(slot * 0.5, 48), 1)
    for index, year in enumerate(years):
        x = x_of(index)
        parts.append(f'<text x="{x}" y="{TOP + plot_h + 20}" text-anchor="middle">{_text(year)}</text>')
        if year in values:
            value_y = y_of(values[year])
            bar_top, bar_h = min(value_y, zero_y), round(abs(zero_y - value_y), 1)
            parts.append(
                f'<rect x="{round(x - bar_w / 2, 1)}" y="{bar_top}" width="{bar_w}" height="{bar_h}" '
                f'fill="{VALUE_COLOUR}"><title>{_text(f"{year}: {plain_number(values[year])}{unit_suffix}")}</title></rect>'
            )
            parts.append(
                f'<text x="{x}" y="{bar_top - 4}" text-anchor="middle" fill="{VALUE_COLOUR}">'
                f"{_text(plain_number(values[year]))}</text>"
            )
    if derived:
        # Beside the bar, not on it, so the bar's value label stays readable.
        offset = round(bar_w / 2 + 8, 1)
        points = [
            (round(x_of(index) + offset, 1), y_of(derived[year]), year)
            for index, year in enumerate(years) if year in derived
        ]
        path = " ".join(f"{x},{y}" for x, y, _year in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{DERIVED_COLOUR}" stroke-width="1.5"/>')
        for x, y, year in points:
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="4" fill="{DERIVED_COLOUR}">'
                f'<title>{_text(f"{labels.derived} {year}: {plain_number(derived[year])}{unit_suffix}")}</title></circle>'
            )
    target_y = y_of(target)
    parts.append(
        f'<line x1="{LEFT}" y1="{target_y}" x2="{WIDTH - RIGHT}" y2="{target_y}" stroke="{TARGET_COLOUR}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{target_y - 5}" text-anchor="end" fill="{TARGET_COLOUR}">'
        f"{_text(f'{labels.target} {plain_number(target)}{unit_suffix}')}</text>"
    )
    # Legend under the year labels, wrapped onto a second line when the labels are long.
    legend_y = TOP + plot_h + 46
    legend = [(VALUE_COLOUR, "rect", labels.values), (TARGET_COLOUR, "line", labels.target)]
    if derived:
        legend.append((DERIVED_COLOUR, "circle", labels.derived))
    x = LEFT
    for colour, shape, label in legend:
        label_width = 20 + _text_width(label)
        if x > LEFT and x + label_width > WIDTH - RIGHT:
            x, legend_y = LEFT, legend_y + 20
        if shape == "rect":
            parts.append(f'<rect x="{x}" y="{legend_y - 9}" width="12" height="10" fill="{colour}"/>')
        elif shape == "line":
            parts.append(
                f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 12}" y2="{legend_y - 4}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="4 2"/>'
            )
        else:
            parts.append(f'<circle cx="{x + 6}" cy="{legend_y - 4}" r="4" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17}" y="{legend_y}">{_text(label)}</text>')
        x += label_width + 16
    parts.append("</svg>")
    return "\n".join(parts)
