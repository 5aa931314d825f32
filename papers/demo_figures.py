"""Schematic figures for the demo papers, drawn with Pillow (no downloaded images).

Each figure is a row of labelled boxes joined by arrows, optionally with a return arrow
underneath (a reverse process, a feedback loop). The output is a deterministic PNG.
"""

import io
import math
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONT_SIZE = 18
_PAD, _GAP, _BOX_PAD = 28, 56, 14
_INK, _FILL, _ACCENT = (33, 37, 41), (232, 240, 254), (26, 95, 180)


@cache
def _font(bold=False):
    path = _FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), _FONT_SIZE)
    return ImageFont.load_default(size=_FONT_SIZE)  # Pillow's bundled font, same metrics everywhere


def _text_size(draw, text, font):
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font, align="center")
    return math.ceil(right - left), math.ceil(bottom - top)


def _arrow(draw, start, end, colour=_INK):
    """A straight horizontal or vertical line from ``start`` with a head at ``end``."""
    draw.line([start, end], fill=colour, width=3)
    (x0, y0), (x, y) = start, end
    dx, dy = (x > x0) - (x < x0), (y > y0) - (y < y0)  # unit direction: -1, 0 or 1
    back_x, back_y = x - 12 * dx, y - 12 * dy
    draw.polygon(
        [(x, y), (back_x - 7 * dy, back_y - 7 * dx), (back_x + 7 * dy, back_y + 7 * dx)],
        fill=colour,
    )


def schematic(steps, title="", back=""):
    """PNG bytes: ``steps`` as boxes left to right; ``back`` labels a return arrow below."""
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    font, bold = _font(), _font(bold=True)
    sizes = [_text_size(probe, step, font) for step in steps]
    box_w = [w + 2 * _BOX_PAD for w, _ in sizes]
    box_h = max(h for _, h in sizes) + 2 * _BOX_PAD
    title_h = _text_size(probe, title, bold)[1] + _PAD if title else 0
    back_h = 70 if back else 0
    row_w = sum(box_w) + _GAP * (len(steps) - 1)
    width = max(row_w, _text_size(probe, title, bold)[0]) + 2 * _PAD
    height = _PAD + title_h + box_h + back_h + _PAD

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((_PAD, _PAD), title, font=bold, fill=_INK)
    top = _PAD + title_h
    x = _PAD
    centres = []
    for index, (step, w) in enumerate(zip(steps, box_w, strict=True)):
        draw.rounded_rectangle(
            [x, top, x + w, top + box_h], radius=10, fill=_FILL, outline=_ACCENT, width=2
        )
        draw.multiline_text(
            (x + w / 2, top + box_h / 2), step, font=font, fill=_INK, anchor="mm", align="center"
        )
        centres.append(x + w / 2)
        if index:
            _arrow(draw, (x - _GAP + 4, top + box_h / 2), (x - 4, top + box_h / 2))
        x += w + _GAP
    if back:
        y = top + box_h + back_h / 2
        draw.line(
            [(centres[-1], top + box_h), (centres[-1], y), (centres[0], y)],
            fill=_ACCENT,
            width=3,
            joint="curve",
        )
        _arrow(draw, (centres[0], y), (centres[0], top + box_h + 2), colour=_ACCENT)
        label_w = _text_size(draw, back, font)[0]
        label_x = (centres[0] + centres[-1] - label_w) / 2
        draw.rectangle([label_x - 6, y - 14, label_x + label_w + 6, y + 14], fill="white")
        draw.text((label_x, y), back, font=font, fill=_ACCENT, anchor="lm")

    out = io.BytesIO()
    image.save(out, "PNG")  # no optimize/timestamps: the same input gives the same bytes
    return out.getvalue()
