"""Small bar charts drawn on the server: no chart library, no CDN, every text escaped.

A chart is a small table: each row's label and total are HTML text, so that they keep the page's font size on
a phone as on a laptop, and its bar is an SVG that stretches to the width left between them. A chart with
nothing to draw says so in a sentence instead of showing an empty frame.
"""

from decimal import Decimal
from html import escape

from django.utils.translation import gettext as _

from planportal.lib.money import format_wan

BAR_UNITS = 1000  # the bars' viewBox width: a bar of the largest row spans it
COLOURS = ("#1f5f99", "#8fb3d9", "#d98c1f")


def stacked_bars_svg(*, title: str, rows: list[tuple[str, list[Decimal]]], series: list[str]) -> str:
    """Horizontal stacked bars, one row per label; `series` names each part (legend), amounts in 万元."""
    largest = max((sum(values, Decimal(0)) for _label, values in rows), default=Decimal(0))
    caption = f'<p class="chart-title">{escape(title)}</p>'
    if largest <= 0:
        nothing = escape(_("No project funds yet."))
        return f'<div class="bar-chart bar-chart-empty">{caption}<p class="empty">{nothing}</p></div>'
    legend = "".join(
        f'<li><svg class="swatch" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/></svg>{escape(name)}</li>'
        for index, name in enumerate(series)
    )
    body = []
    for label, values in rows:
        total = sum(values, Decimal(0))
        parts, offset = [], Decimal(0)
        for index, value in enumerate(values):
            if value <= 0:
                continue
            width = Decimal(BAR_UNITS) * value / largest
            parts.append(f'<rect x="{offset:.1f}" y="0" width="{width:.1f}" height="10" '
                         f'fill="{COLOURS[index % len(COLOURS)]}"><title>{escape(label)} · '
                         f'{escape(series[index])}: {format_wan(value)} 万元</title></rect>')
            offset += width
        described = "; ".join(f"{series[index]}: {format_wan(value)}" for index, value in enumerate(values))
        body.append(
            f'<tr><th scope="row">{escape(label)}</th>'
            f'<td class="bar"><svg viewBox="0 0 {BAR_UNITS} 10" preserveAspectRatio="none" role="img" '
            f'aria-label="{escape(described)}">{"".join(parts)}</svg></td>'
            f'<td class="num">{format_wan(total)}</td></tr>'
        )
    return (f'<div class="bar-chart" role="group" aria-label="{escape(title)}">{caption}'
            f'<ul class="chart-legend">{legend}</ul>'
            f'<table class="bars"><tbody>{"".join(body)}</tbody></table></div>')
