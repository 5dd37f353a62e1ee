"""Small bar charts drawn on the server as SVG: no chart library, no CDN, every text escaped."""

from decimal import Decimal
from html import escape

from planportal.lib.money import format_wan

WIDTH, BAR_AREA, ROW = 640, 420, 26
COLOURS = ("#1f5f99", "#8fb3d9", "#d98c1f")


def stacked_bars_svg(*, title: str, rows: list[tuple[str, list[Decimal]]], series: list[str]) -> str:
    """Horizontal stacked bars, one row per label; `series` names each part (legend), amounts in 万元."""
    largest = max((sum(values, Decimal(0)) for _label, values in rows), default=Decimal(0)) or Decimal(1)
    label_width = WIDTH - BAR_AREA - 110
    height = 30 + ROW * len(rows) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart" preserveAspectRatio="xMinYMin meet">',
        f"<title>{escape(title)}</title>",
    ]
    x = label_width
    for index, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="14" font-size="12">{escape(name)}</text>')
        x += 20 + 13 * len(name)
    for row_index, (label, values) in enumerate(rows):
        y = 30 + row_index * ROW
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" font-size="13" text-anchor="end">{escape(label)}</text>')
        offset = Decimal(label_width)
        for index, value in enumerate(values):
            width = Decimal(BAR_AREA) * value / largest if value > 0 else Decimal(0)
            if width:
                parts.append(f'<rect x="{offset:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 8}" '
                             f'fill="{COLOURS[index % len(COLOURS)]}"><title>{escape(label)} · '
                             f'{escape(series[index])}: {format_wan(value)} 万元</title></rect>')
            offset += width
        total = sum(values, Decimal(0))
        parts.append(f'<text x="{offset + 4:.1f}" y="{y + 15}" font-size="12" fill="#5f6b73">{format_wan(total)}</text>')
    parts.append("</svg>")
    return "".join(parts)
