"""The outcome report's charts as inline SVG (issue 7 item 1), the same on screen and in
the PDF: plain shapes and text with presentation attributes only (no style attribute, no
script, no external font or image), so the Content-Security-Policy and WeasyPrint's SVG
renderer both take them as they are.

* ``distribution_svg``: one 100 %-stacked horizontal bar per side (before, after; or only
  after for a post-only item), a segment per category with its percent, and a legend.
* ``mean_svg``: one bar per side whose length is the mean on the scale's range.

Every label is escaped here (django.utils.html.escape) and every number is formatted
here, which is why the templates may print the result with ``|safe``. Each chart has a
<title> and a <desc> that reads out the numbers for screen readers.
"""

from django.utils.formats import number_format
from django.utils.html import escape

WIDTH = 640  # fits the A4 text width of the PDF (17 cm at 96 dpi)
LEFT = 150  # room for "Før (N = 320)"
BAR_WIDTH = WIDTH - LEFT - 20
BAR_HEIGHT = 26
ROW_GAP = 10
LEGEND_ROW = 18
FONT = 'font-family="DejaVu Sans, Arial, Helvetica, sans-serif"'

# Ordered answer categories, first (dark blue) to last (dark red), picked evenly for the
# number of categories; "don't know"-like categories grey. Text on the dark ones is white.
PALETTE = ("#1f5a96", "#4a90c8", "#a9cfea", "#f3c98b", "#e0823d", "#b5462a")
DARK = {"#1f5a96", "#4a90c8", "#b5462a"}
NEUTRAL = "#a6a6a6"
MEAN_COLOUR = "#1f5a96"
TRACK = "#e9ecef"
INK = "#1a1a1a"


def colours(neutral_flags):
    """One colour per category: the palette spread over the ordered ones, grey for the
    neutral ones."""
    ordered = [index for index, neutral in enumerate(neutral_flags) if not neutral]
    steps = len(ordered)
    picked = {}
    for rank, index in enumerate(ordered):
        position = 0 if steps == 1 else round(rank * (len(PALETTE) - 1) / (steps - 1))
        picked[index] = PALETTE[position]
    return [picked.get(index, NEUTRAL) for index in range(len(neutral_flags))]


def _text(x, y, content, *, anchor="start", size=12, fill=INK, weight=""):
    bold = ' font-weight="bold"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" {FONT}{bold}>{escape(content)}</text>'
    )


def _open(key, height, title, desc):
    title_id, desc_id = f"chart-{key}-title", f"chart-{key}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'class="outcome-chart">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(desc)}</desc>'
    )


def percent_text(value):
    return f"{value} %"


def distribution_svg(key, title, sides, categories):
    """``sides``: [(label, [(count, percent) per category], total)]; ``categories``:
    [(label, colour)]. The segments' widths are the exact shares; the printed percents
    are the rounded ones of the table."""
    parts = []
    descriptions = []
    y = 4
    for side_label, shares, total in sides:
        parts.append(_text(LEFT - 8, y + BAR_HEIGHT / 2 + 4, side_label, anchor="end"))
        x = float(LEFT)
        described = []
        for (count, percent), (label, colour) in zip(shares, categories, strict=True):
            width = BAR_WIDTH * count / total if total else 0
            if width > 0:
                parts.append(
                    f'<rect x="{x:.2f}" y="{y}" width="{width:.2f}" height="{BAR_HEIGHT}" '
                    f'fill="{colour}"/>'
                )
                if width >= 34:
                    parts.append(
                        _text(
                            x + width / 2,
                            y + BAR_HEIGHT / 2 + 4,
                            percent_text(percent),
                            anchor="middle",
                            size=11,
                            fill="#ffffff" if colour in DARK else INK,
                        )
                    )
            x += width
            described.append(f"{label} {percent_text(percent)}")
        descriptions.append(f"{side_label}: " + ", ".join(described))
        y += BAR_HEIGHT + ROW_GAP
    # The legend: two columns unless a label is too long for half the width.
    columns = 1 if any(len(str(label)) > 46 for label, _colour in categories) else 2
    column_width = WIDTH / columns
    y += 4
    for index, (label, colour) in enumerate(categories):
        column, row = index % columns, index // columns
        lx, ly = column * column_width, y + row * LEGEND_ROW
        parts.append(f'<rect x="{lx:.1f}" y="{ly}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 18, ly + 10, label, size=11))
    height = y + ((len(categories) + columns - 1) // columns) * LEGEND_ROW + 4
    return _open(key, height, title, ". ".join(descriptions)) + "".join(parts) + "</svg>"


def mean_svg(key, title, sides, scale):
    """``sides``: [(label, mean or None)]; ``scale``: (low, high) of the score. Each bar
    runs from the scale's low end to the mean, on a grey track of the whole range."""
    low, high = scale
    parts = []
    descriptions = []
    y = 4
    for side_label, mean in sides:
        parts.append(_text(LEFT - 8, y + BAR_HEIGHT / 2 + 4, side_label, anchor="end"))
        parts.append(
            f'<rect x="{LEFT}" y="{y}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" fill="{TRACK}"/>'
        )
        if mean is not None:
            width = BAR_WIDTH * (float(mean) - low) / (high - low)
            width = max(0.0, min(float(BAR_WIDTH), width))
            shown = number_format(mean, 1)
            parts.append(
                f'<rect x="{LEFT}" y="{y}" width="{width:.2f}" height="{BAR_HEIGHT}" '
                f'fill="{MEAN_COLOUR}"/>'
            )
            if width > BAR_WIDTH - 50:
                parts.append(_text(LEFT + width - 6, y + 17, shown, anchor="end", fill="#ffffff"))
            else:
                parts.append(_text(LEFT + width + 6, y + 17, shown, weight="bold"))
            descriptions.append(f"{side_label}: {shown}")
        y += BAR_HEIGHT + ROW_GAP
    parts.append(_text(LEFT, y + 8, str(low), size=11))
    parts.append(_text(LEFT + BAR_WIDTH, y + 8, str(high), anchor="end", size=11))
    height = y + 14
    return _open(key, height, title, ". ".join(descriptions)) + "".join(parts) + "</svg>"
