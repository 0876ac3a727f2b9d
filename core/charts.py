"""Charts as server-generated SVG: no JavaScript, embeddable in pages and printable."""

from __future__ import annotations

from xml.sax.saxutils import escape

from core.money import minor_format

PALETTE = ("#8c2d19", "#c8a24a", "#2f5d62", "#5e8b7e", "#a7c4bc", "#7a4069", "#513252", "#ca4e79")


def _fmt(fen: int) -> str:
    return minor_format(fen, "CNY", grouping=True, whole=True)


def bar_chart_svg(
    series: dict[str, dict[str, int]], *, title: str, width: int = 720, height: int = 320
) -> str:
    """Grouped bars: one group per month, one bar per series (unit), with a legend."""
    months = sorted({m for values in series.values() for m in values})
    names = sorted(series)
    top = max([v for values in series.values() for v in values.values()] + [1])
    left, bottom, plot_h = 70, 40, height - 90
    group_w = (width - left - 20) / max(len(months), 1)
    bar_w = max(group_w / max(len(names), 1) - 2, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20 * len(names)}" '
        f'role="img" aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="16" font-size="14">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#333"/>',
        f'<text x="{left - 5}" y="{height - bottom - plot_h + 4}" text-anchor="end">{_fmt(top)}</text>',
        f'<text x="{left - 5}" y="{height - bottom}" text-anchor="end">0</text>',
    ]
    for gi, month in enumerate(months):
        gx = left + gi * group_w
        parts.append(
            f'<text x="{gx + group_w / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle">{month}</text>'
        )
        for si, name in enumerate(names):
            value = max(series[name].get(month, 0), 0)
            h = plot_h * value / top
            parts.append(
                f'<rect x="{gx + si * (bar_w + 2):.1f}" y="{height - bottom - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(name)} {month}: '
                f"{_fmt(series[name].get(month, 0))}</title></rect>"
            )
    for si, name in enumerate(names):
        y = height + 20 * si
        parts.append(
            f'<rect x="{left}" y="{y - 9}" width="10" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{left + 15}" y="{y}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def share_chart_svg(shares: dict[str, int], *, title: str, width: int = 720) -> str:
    """Horizontal bars of each party's share, labelled with its percentage of the total."""
    positive = {k: v for k, v in shares.items() if v > 0}
    total = sum(positive.values()) or 1
    row = 22
    height = 30 + row * len(positive)
    label_w = 260
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f'<text x="0" y="16" font-size="14">{escape(title)}</text>',
    ]
    for i, (party, value) in enumerate(sorted(positive.items(), key=lambda kv: -kv[1])):
        y = 26 + i * row
        w = (width - label_w - 80) * value / total
        parts.append(f'<text x="0" y="{y + 12}">{escape(party[:40])}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="16" fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 12}">{100 * value / total:.1f}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def daily_bars_svg(days: list[tuple[str, int]], *, title: str, width: int = 360, height: int = 150) -> str:
    """One bar per day (label, fen), every seventh day labelled back from the last: a month at a glance.

    Drawn for a phone's width and scaled to its box (portal.css caps it), so its text stays legible."""
    top = max([v for _, v in days] + [1])
    left, bottom = 8, 22
    plot_h = height - bottom - 24
    bar_w = (width - left * 2) / max(len(days), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{left}" y="14">{escape(title)} · ≤ ¥{_fmt(top)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
        'stroke="#333"/>',
    ]
    for i, (label, value) in enumerate(days):
        h = plot_h * max(value, 0) / top
        x = left + i * bar_w
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}: {_fmt(value)}</title></rect>'
        )
        if (len(days) - 1 - i) % 7 == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
