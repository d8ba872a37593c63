"""Charts as inline SVG, drawn on the server: nothing to download, nothing to run in the browser,
and every label goes through the same escaping as the rest of the page.

    bar_chart([("2022", 31), ("2023", 40)], unit="件")       vertical bars (requests by year)
    hbar_chart([("T3_BALANCE", 12), ...], unit="份")          horizontal bars (findings by code)
    share_bar([("予以公开", 0.42), ...])                       one 100 % bar with its legend
"""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ("#2f6fb0", "#4fa36b", "#e0a030", "#c8553d", "#8a6bb8", "#6b7c8f", "#3aa6a6", "#b5677f")
_FONT = 'font-family="sans-serif"'


def _num(v: float) -> str:
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.2f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">')
    return Markup(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def empty(title: str, width: int = 640, height: int = 60) -> Markup:
    return _svg(width, height, title, [
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" {_FONT} font-size="14" fill="#777">暂无数据</text>'
    ])


def bar_chart(data: list[tuple[str, float]], *, title: str, unit: str = "", width: int = 640, height: int = 260,
              color: str = PALETTE[0]) -> Markup:
    """Vertical bars, one per (label, value), with the value above each bar."""
    data = [(str(k), float(v or 0)) for k, v in data]
    if not data:
        return empty(title, width)
    top, bottom, left, right = 24, 36, 12, 12
    plot_h = height - top - bottom
    peak = max(v for _, v in data) or 1.0
    slot = (width - left - right) / len(data)
    bar_w = max(4.0, min(64.0, slot * 0.6))
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999"/>']
    for k, (label, v) in enumerate(data):
        h = plot_h * v / peak
        x = left + slot * k + (slot - bar_w) / 2
        y = top + plot_h - h
        tip = f"{label}：{_num(v)}{unit}"
        body.append(f'<g><title>{escape(tip)}</title>'
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"/></g>')
        body.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" {_FONT} font-size="12" '
                    f'fill="#333">{escape(_num(v))}</text>')
        body.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" {_FONT} '
                    f'font-size="12" fill="#333">{escape(label)}</text>')
    return _svg(width, height, title, body)


def hbar_chart(data: list[tuple[str, float]], *, title: str, unit: str = "", width: int = 640,
               color: str = PALETTE[3], label_width: int = 230, colors: list[str] | None = None) -> Markup:
    """Horizontal bars, one row per (label, value), largest first as given."""
    data = [(str(k), float(v or 0)) for k, v in data]
    if not data:
        return empty(title, width)
    row_h, top = 26, 8
    height = top * 2 + row_h * len(data)
    peak = max(v for _, v in data) or 1.0
    plot_w = width - label_width - 70
    body = []
    for k, (label, v) in enumerate(data):
        y = top + row_h * k
        w = plot_w * v / peak
        fill = colors[k] if colors else color
        body.append(f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" {_FONT} font-size="12" '
                    f'fill="#333">{escape(label)}</text>')
        body.append(f'<g><title>{escape(f"{label}：{_num(v)}{unit}")}</title>'
                    f'<rect x="{label_width}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 8}" fill="{fill}"/></g>')
        body.append(f'<text x="{label_width + w + 6:.1f}" y="{y + 17}" {_FONT} font-size="12" fill="#333">'
                    f'{escape(_num(v) + unit)}</text>')
    return _svg(width, height, title, body)


def share_bar(data: list[tuple[str, float | None]], *, title: str, width: int = 640) -> Markup:
    """One bar split by shares (0..1) with a legend; shares that are None are left out."""
    data = [(str(k), float(v)) for k, v in data if v is not None]
    total = sum(v for _, v in data)
    if not data or total <= 0:
        return empty(title, width)
    left, top, bar_h = 10, 10, 34
    plot_w = width - 2 * left
    body = []
    x = float(left)
    for k, (label, v) in enumerate(data):
        w = plot_w * v / total
        fill = PALETTE[k % len(PALETTE)]
        body.append(f'<g><title>{escape(f"{label}：{v * 100:.1f}%")}</title>'
                    f'<rect x="{x:.1f}" y="{top}" width="{w:.1f}" height="{bar_h}" fill="{fill}"/></g>')
        if w > 44:
            body.append(f'<text x="{x + w / 2:.1f}" y="{top + 22}" text-anchor="middle" {_FONT} font-size="12" '
                        f'fill="#fff">{v * 100:.0f}%</text>')
        x += w
    legend_y = top + bar_h + 22
    per_row = 3
    for k, (label, v) in enumerate(data):
        lx = left + (k % per_row) * (plot_w / per_row)
        ly = legend_y + (k // per_row) * 22
        body.append(f'<rect x="{lx:.1f}" y="{ly - 11}" width="12" height="12" fill="{PALETTE[k % len(PALETTE)]}"/>')
        body.append(f'<text x="{lx + 18:.1f}" y="{ly}" {_FONT} font-size="12" fill="#333">'
                    f'{escape(f"{label} {v * 100:.1f}%")}</text>')
    height = legend_y + ((len(data) - 1) // per_row) * 22 + 12
    return _svg(width, int(height), title, body)
