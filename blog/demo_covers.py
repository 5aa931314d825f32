"""Cover images and one figure for the demo reports, drawn with Pillow (no files shipped).

Each drawing is made once per process (``functools.cache``): the same bytes every time, and
drawing and compressing a 1200×630 PNG costs ~0.1 s, paid again by every run of
``manage.py demo`` in one process (the test suite runs it a dozen times per worker).
"""

import functools
import io
import math
import random

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
INK = (29, 35, 43)
PAPER = (251, 250, 247)
ACCENT = (31, 95, 168)
WARM = (214, 120, 48)


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType: the small bitmap font
        return ImageFont.load_default()


def _canvas(top, bottom):
    image = Image.new("RGB", (WIDTH, HEIGHT), top)
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        color = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (WIDTH, y)], fill=color)
    return image, draw


def _caption(draw, kicker, title, color=PAPER):
    draw.text((60, 470), kicker.upper(), font=_font(28), fill=color)
    draw.text((60, 510), title, font=_font(56), fill=color)


def _png(image):
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@functools.cache
def nerf():
    """Camera rays through a glowing volume, with sample points along each ray."""
    image, draw = _canvas((12, 20, 38), (40, 24, 60))
    for r in range(170, 0, -10):
        shade = 60 + (170 - r)
        draw.ellipse([800 - r, 220 - r, 800 + r, 220 + r], fill=(shade, shade // 2 + 40, 150))
    camera = (120, 230)
    draw.polygon([(80, 200), (140, 230), (80, 260)], fill=PAPER)
    for k in range(7):
        end = (1150, 40 + k * 60)
        draw.line([camera, end], fill=(170, 190, 230), width=2)
        for s in range(1, 14):
            t = s / 14
            x = camera[0] + (end[0] - camera[0]) * t
            y = camera[1] + (end[1] - camera[1]) * t
            draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=(250, 210, 120))
    _caption(draw, "Paper report 1", "Neural radiance fields")
    return _png(image)


@functools.cache
def vit():
    """An image cut into patches, the patches laid out as a sequence of tokens."""
    image, draw = _canvas((230, 238, 248), (200, 215, 236))
    rng = random.Random(6)  # noqa: S311 - colours, not secrets
    size = 4
    cell = 80
    for row in range(size):
        for col in range(size):
            color = (rng.randint(60, 200), rng.randint(90, 200), rng.randint(120, 230))
            x, y = 60 + col * (cell + 6), 60 + row * (cell + 6)
            draw.rectangle([x, y, x + cell, y + cell], fill=color)
            i = row * size + col
            tx, ty = 470 + (i % 8) * 86, 110 + (i // 8) * 110
            draw.rectangle([tx, ty, tx + 70, ty + 70], fill=color, outline=INK, width=2)
    draw.rectangle([470, 340, 470 + 70, 340 + 70], fill=WARM, outline=INK, width=2)
    draw.text((560, 360), "[class] token", font=_font(30), fill=INK)
    _caption(draw, "Paper report 2", "Sixteen by sixteen words", color=INK)
    return _png(image)


@functools.cache
def lora():
    """A large frozen matrix next to the thin factors B and A of its update."""
    image, draw = _canvas((245, 243, 236), (230, 226, 214))
    draw.rectangle([80, 60, 400, 380], fill=(190, 198, 210), outline=INK, width=3)
    draw.text((205, 195), "W", font=_font(72), fill=INK)
    draw.text((440, 190), "+", font=_font(80), fill=INK)
    draw.rectangle([540, 60, 590, 380], fill=WARM, outline=INK, width=3)
    draw.text((548, 195), "B", font=_font(44), fill=INK)
    draw.rectangle([630, 180, 950, 230], fill=ACCENT, outline=INK, width=3)
    draw.text((770, 186), "A", font=_font(40), fill=PAPER)
    draw.text((980, 180), "r = 8", font=_font(40), fill=INK)
    _caption(draw, "Paper report 3", "Low-rank adaptation", color=INK)
    return _png(image)


def _gaussians(draw, count, width, color):
    for k in range(count):
        sigma = 60 + 25 * k
        points = []
        for x in range(60, 1140, 6):
            z = (x - 600) / sigma
            points.append((x, 400 - 300 * math.exp(-0.5 * z * z) * (60 / sigma) ** 0.5))
        draw.line(points, fill=color, width=width)


@functools.cache
def book_part1():
    """Output distributions of wider and wider networks, all close to Gaussian."""
    image, draw = _canvas((28, 44, 52), (18, 30, 38))
    _gaussians(draw, 5, 4, (120, 200, 190))
    _caption(draw, "Book report · part 1", "Networks at initialization")
    return _png(image)


@functools.cache
def book_part2():
    """A training loss falling, with the kernel picture drawn faintly behind it."""
    image, draw = _canvas((40, 30, 52), (26, 20, 36))
    _gaussians(draw, 3, 2, (90, 80, 120))
    points = [(x, 80 + 320 * math.exp(-(x - 80) / 260)) for x in range(80, 1140, 8)]
    draw.line(points, fill=(240, 180, 110), width=6)
    _caption(draw, "Book report · part 2", "Learning")
    return _png(image)


@functools.cache
def rnn():
    """A chain of recurrent cells, with the parallel scan drawn underneath."""
    image, draw = _canvas((236, 244, 238), (214, 230, 220))
    for k in range(8):
        x = 80 + k * 135
        draw.rounded_rectangle([x, 120, x + 95, 215], radius=18, fill=(70, 140, 100), outline=INK)
        draw.text((x + 25, 150), f"h{k + 1}", font=_font(32), fill=PAPER)
        if k:
            draw.line([(x - 40, 167), (x, 167)], fill=INK, width=4)
        for level in range(3):
            if k % (2 ** (level + 1)) == 2 ** (level + 1) - 1:
                y = 280 + level * 50
                draw.line([(x + 47 - 135 * 2**level, y), (x + 47, y)], fill=ACCENT, width=5)
    _caption(draw, "Paper of the week", "Were RNNs all we needed?", color=INK)
    return _png(image)


@functools.cache
def flops():
    """Bars: where the multiply-adds of a transformer block go."""
    image, draw = _canvas((250, 247, 240), (238, 232, 220))
    bars = [("QKV", 3), ("scores", 1.2), ("mix", 1.2), ("out", 1), ("MLP", 8)]
    for i, (name, value) in enumerate(bars):
        x = 100 + i * 200
        draw.rectangle([x, 400 - value * 40, x + 120, 400], fill=ACCENT if name != "MLP" else WARM)
        draw.text((x + 10, 410), name, font=_font(30), fill=INK)
    _caption(draw, "Article", "Counting a transformer's FLOPs", color=INK)
    return _png(image)


@functools.cache
def gpt3():
    """Prompt tokens followed by the model's continuation."""
    image, draw = _canvas((30, 30, 34), (16, 16, 20))
    words = ["Translate", "to", "French:", "cheese", "=>", "fromage", "·", "sea", "otter", "=>"]
    x = 60
    for i, word in enumerate(words):
        font = _font(40)
        box = draw.textbbox((x, 180), word, font=font)
        fill = (90, 200, 140) if i >= 8 else (200, 200, 210)
        draw.text((x, 180), word, font=font, fill=fill)
        x = box[2] + 20
    draw.text((60, 260), "loutre de mer", font=_font(40), fill=(250, 210, 120))
    _caption(draw, "Paper report 4", "Few-shot learners")
    return _png(image)


@functools.cache
def vit_patch_figure():
    """The body figure of the ViT report: a 224-pixel image and its 14 × 14 patch grid."""
    side, grid = 448, 14
    image = Image.new("RGB", (side + 40, side + 40), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for y in range(side):
        for x in range(0, side, 4):
            r = int(120 + 100 * math.sin(x / 60) * math.cos(y / 80))
            draw.line([(20 + x, 20 + y), (24 + x, 20 + y)], fill=(r, 150, 255 - r // 2))
    step = side / grid
    for k in range(grid + 1):
        draw.line([(20 + k * step, 20), (20 + k * step, 20 + side)], fill=INK, width=1)
        draw.line([(20, 20 + k * step), (20 + side, 20 + k * step)], fill=INK, width=1)
    return _png(image)
