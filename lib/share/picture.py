"""分享图片: one page or slide as a PNG a leader can forward to a chat group and read on a phone.

Pure composition with Pillow: plain data in (``SharePicture``), PNG bytes out; no warehouse, no
Streamlit. The picture is 1080 px wide, the width a phone shows a forwarded image at without
zooming, and as tall as its content needs, never taller than ``MAX_HEIGHT`` (a long picture is
cut into screens by chat apps and loses its source line at the bottom). Text is drawn no smaller
than ``BODY_PX`` (about 11 CSS pixels once the phone scales the picture to its 390 px screen) and
titles no smaller than ``TITLE_PX``.

Top to bottom: the app's name, the title, region · period, the 截至 date; the 示例数据 banner while
demo data is shown; the cards two a row; the main map or chart (already a PNG: lib/share/render);
a slide's table rows; at most ``MAX_SENTENCES`` sentences of the reading; the source. Over it all a
faint tiled watermark names the account and the minute the picture was made: a forwarded picture
says who made it and when, and a screenshot of it says so too.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field, replace
from typing import Callable

from PIL import Image, ImageDraw

from lib.i18n import t
from lib.share.fonts import font

WIDTH = 1080
MARGIN = 54
CONTENT = WIDTH - 2 * MARGIN
MAX_HEIGHT = 2400
MIN_CHART_HEIGHT = 360
CHART_ROOM = 520  # px a chart keeps before the reading loses a sentence
MAX_SENTENCES = 3
MAX_LINES = 5  # a slide's table rows shown; the rest are counted ("另有 3 项…")
GAP = 34  # between blocks

TITLE_PX, SUBTITLE_PX, BODY_PX, VALUE_PX = 56, 34, 30, 60
READING_PX = 32
WATERMARK_PX = 34
WATERMARK_ALPHA = 26  # of 255: about 10 %, visible on white and on the chart, never in the way
WATERMARK_ANGLE = 30  # degrees, counter-clockwise
WATERMARK_STEP = (470, 250)  # the tile: one line of text every 470 × 250 px

BG = (255, 255, 255)
INK = (31, 41, 51)
MUTED = (84, 95, 110)
BRAND = (200, 16, 46)  # lib/charts/common.PALETTE[0]
AS_OF = (138, 76, 0)  # dark amber: the date the data run to, as the pages' caption stresses it
CARD_BG, CARD_EDGE = (244, 246, 248), (220, 225, 231)
DEMO_BG, DEMO_INK = (255, 213, 79), (17, 17, 17)  # the meeting slides' 示例数据 yellow
WATERMARK_INK = (60, 60, 60)
TONES = {"good": (27, 127, 59), "bad": (198, 40, 40), "off": (95, 103, 115)}
ARROWS = {"up": "↑ ", "down": "↓ ", "": ""}


@dataclass(frozen=True)
class ShareCard:
    """A KPI card as drawn: ``tone`` colours the change (good green, bad red, off grey) and
    ``arrow`` says which way it went ("up", "down" or "" for none)."""
    label: str
    value: str
    delta: str = ""
    tone: str = "off"
    arrow: str = ""


@dataclass(frozen=True)
class SharePicture:
    """Everything the picture shows, as plain values (already formatted, already in the reader's
    language and scope). ``account`` empty: no watermark (only tests draw one without)."""
    title: str
    region: str
    period: str
    as_of: str = ""                       # 截至 2026年11月30日; "" without data
    cards: tuple[ShareCard, ...] = ()
    chart_png: bytes | None = None        # the main map or chart, at most CONTENT px wide is best
    lines: tuple[str, ...] = ()           # a slide's table rows or note
    reading: tuple[str, ...] = ()
    source: str = ""
    demo: bool = False
    account: str = ""
    made_at: dt.datetime | None = None
    lang: str = "zh"
    app_name: str = field(default="")     # "" → the app's title in ``lang``


@dataclass(frozen=True)
class Box:
    """Where a block was drawn: left, top, right, bottom in pixels of the picture."""
    left: int
    top: int
    right: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class Layout:
    """The blocks of one picture by name ("header", "demo", "cards", "chart", "lines", "reading",
    "source"), for the tests to look inside; a block not drawn is absent."""
    width: int
    height: int
    boxes: dict[str, Box]
    sentences: int  # reading sentences drawn


# --- text ----------------------------------------------------------------------------------------

# Latin words, numbers with their separators and units, or single characters (every Han character
# may end a line); an opening bracket or quote stays with what follows it, and closing punctuation
# never starts a line.
_TOKEN = re.compile(r"[（《「『“‘([]?(?:[A-Za-z0-9][A-Za-z0-9.,:%+\-–/'’()]*|\s+|.)", re.S)
_NO_LINE_START = set("，。、；：！？）》」』”’,.;:!?)%·")


def wrap(text: str, size: int, width: int, *, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels: Chinese breaks between characters,
    English between words, a number is never split, punctuation stays at the end of a line."""
    f = font(size, bold)
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text.replace("\n", " ")):
        trial = line + token
        if not line or f.getlength(trial) <= width or token in _NO_LINE_START:
            line = trial
            continue
        lines.append(line.rstrip())
        line = "" if token.isspace() else token
        while f.getlength(line) > width and len(line) > 1:  # one word wider than the line
            cut = len(line) - 1
            while cut > 1 and f.getlength(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _clip(lines: list[str], n: int, size: int, width: int, bold: bool = False) -> list[str]:
    """At most ``n`` lines, the last ending in … when text was left out."""
    if len(lines) <= n:
        return lines
    f = font(size, bold)
    last = lines[n - 1]
    while last and f.getlength(last + "…") > width:
        last = last[:-1]
    return lines[:n - 1] + [last + "…"]


def _line_height(size: int) -> int:
    return round(size * 1.4)


# --- blocks: each measures itself, then draws at a top it is given --------------------------------

Draw = Callable[[ImageDraw.ImageDraw, Image.Image, int], None]


@dataclass
class Block:
    name: str
    height: int
    draw: Draw


def _text_block(name: str, runs: list[tuple[list[str], int, bool, tuple, int]],
                gap_after: int = 0) -> Block:
    """Lines of text: each run is (lines, size, bold, colour, indent)."""
    height = sum(_line_height(size) * len(lines) for lines, size, *_ in runs) + gap_after

    def draw(d: ImageDraw.ImageDraw, _img: Image.Image, top: int) -> None:
        y = top
        for lines, size, bold, colour, indent in runs:
            for line in lines:
                d.text((MARGIN + indent, y), line, font=font(size, bold), fill=colour)
                y += _line_height(size)

    return Block(name, height, draw)


def _header(p: SharePicture) -> Block:
    app = p.app_name or t("app_title", p.lang)
    where = " · ".join(x for x in (p.region, p.period) if x)
    runs = [(wrap(app, BODY_PX, CONTENT, bold=True), BODY_PX, True, BRAND, 0),
            (wrap(p.title, TITLE_PX, CONTENT, bold=True), TITLE_PX, True, INK, 0),
            (wrap(where, SUBTITLE_PX, CONTENT), SUBTITLE_PX, False, INK, 0)]
    if p.as_of:
        runs.append((wrap(p.as_of, BODY_PX, CONTENT, bold=True), BODY_PX, True, AS_OF, 0))
    return _text_block("header", runs)


def _demo(p: SharePicture) -> Block:
    pad = 18
    lines = wrap(t("share_demo", p.lang), BODY_PX + 2, CONTENT - 2 * pad, bold=True)
    height = len(lines) * _line_height(BODY_PX + 2) + 2 * pad

    def draw(d: ImageDraw.ImageDraw, _img: Image.Image, top: int) -> None:
        d.rounded_rectangle((MARGIN, top, WIDTH - MARGIN, top + height), radius=14, fill=DEMO_BG)
        y = top + pad
        for line in lines:
            d.text((MARGIN + pad, y), line, font=font(BODY_PX + 2, True), fill=DEMO_INK)
            y += _line_height(BODY_PX + 2)

    return Block("demo", height, draw)


CARD_GAP, CARD_PAD = 24, 22
CARD_WIDTH = (CONTENT - CARD_GAP) // 2


def _card_parts(c: ShareCard) -> tuple[list[str], list[str], list[str]]:
    inner = CARD_WIDTH - 2 * CARD_PAD
    label = _clip(wrap(c.label, BODY_PX, inner), 3, BODY_PX, inner)
    value = _clip(wrap(c.value, VALUE_PX, inner, bold=True), 2, VALUE_PX, inner, True)
    delta = _clip(wrap(ARROWS.get(c.arrow, "") + c.delta, BODY_PX, inner), 2, BODY_PX, inner) \
        if c.delta else []
    return label, value, delta


def _card_height(parts: tuple[list[str], list[str], list[str]]) -> int:
    label, value, delta = parts
    return (2 * CARD_PAD + len(label) * _line_height(BODY_PX) + len(value) * _line_height(VALUE_PX)
            + len(delta) * _line_height(BODY_PX))


def _cards(p: SharePicture) -> Block:
    parts = [_card_parts(c) for c in p.cards]
    rows = [parts[i:i + 2] for i in range(0, len(parts), 2)]
    heights = [max(_card_height(x) for x in row) for row in rows]
    total = sum(heights) + CARD_GAP * (len(rows) - 1)

    def draw(d: ImageDraw.ImageDraw, _img: Image.Image, top: int) -> None:
        y = top
        for r, (row, h) in enumerate(zip(rows, heights)):
            for i, (label, value, delta) in enumerate(row):
                card = p.cards[2 * r + i]
                x = MARGIN + i * (CARD_WIDTH + CARD_GAP)
                d.rounded_rectangle((x, y, x + CARD_WIDTH, y + h), radius=16, fill=CARD_BG,
                                    outline=CARD_EDGE, width=2)
                ty = y + CARD_PAD
                for size, bold, colour, lines in ((BODY_PX, False, MUTED, label),
                                                  (VALUE_PX, True, INK, value),
                                                  (BODY_PX, False, TONES.get(card.tone, MUTED),
                                                   delta)):
                    for line in lines:
                        d.text((x + CARD_PAD, ty), line, font=font(size, bold), fill=colour)
                        ty += _line_height(size)
            y += h + CARD_GAP

    return Block("cards", total, draw)


def _chart(png: bytes, max_height: int) -> Block:
    """The chart scaled to the content width (never up by more than it needs), then down to
    ``max_height`` when the picture would grow past its cap."""
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    scale = min(CONTENT / image.width, max_height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    if size != image.size:
        image = image.resize(size, Image.LANCZOS)

    def draw(_d: ImageDraw.ImageDraw, img: Image.Image, top: int) -> None:
        left = MARGIN + (CONTENT - image.width) // 2
        img.alpha_composite(image, (left, top))

    return Block("chart", image.height, draw)


def _lines(p: SharePicture) -> Block:
    shown = list(p.lines[:MAX_LINES])
    if len(p.lines) > MAX_LINES:
        shown.append(t("share_more", p.lang).format(n=len(p.lines) - MAX_LINES))
    runs = [(wrap(x, BODY_PX, CONTENT - 30), BODY_PX, False, INK, 30) for x in shown]
    block = _text_block("lines", runs)
    inner = block.draw

    def draw(d: ImageDraw.ImageDraw, img: Image.Image, top: int) -> None:
        inner(d, img, top)
        y = top
        for lines, size, *_ in runs:  # a bullet before each row
            d.text((MARGIN, y), "·", font=font(size, True), fill=BRAND)
            y += _line_height(size) * len(lines)

    return Block("lines", block.height, draw)


def _reading(p: SharePicture, n: int) -> Block:
    head = wrap(t("reading_title", p.lang), SUBTITLE_PX, CONTENT - 24, bold=True)
    sentences = [wrap(s, READING_PX, CONTENT - 40) for s in p.reading[:n]]
    height = (len(head) * _line_height(SUBTITLE_PX) + 10
              + sum(len(s) * _line_height(READING_PX) + 8 for s in sentences))

    def draw(d: ImageDraw.ImageDraw, _img: Image.Image, top: int) -> None:
        d.rectangle((MARGIN, top + 8, MARGIN + 7, top + _line_height(SUBTITLE_PX) - 8), fill=BRAND)
        y = top
        for line in head:
            d.text((MARGIN + 24, y), line, font=font(SUBTITLE_PX, True), fill=INK)
            y += _line_height(SUBTITLE_PX)
        y += 10
        for lines in sentences:
            d.text((MARGIN + 4, y), "•", font=font(READING_PX, True), fill=BRAND)
            for line in lines:
                d.text((MARGIN + 40, y), line, font=font(READING_PX), fill=INK)
                y += _line_height(READING_PX)
            y += 8

    return Block("reading", height, draw)


def _source(p: SharePicture) -> Block:
    lines = wrap(p.source, BODY_PX, CONTENT)
    height = 24 + len(lines) * _line_height(BODY_PX)

    def draw(d: ImageDraw.ImageDraw, _img: Image.Image, top: int) -> None:
        d.line((MARGIN, top, WIDTH - MARGIN, top), fill=CARD_EDGE, width=2)
        y = top + 24
        for line in lines:
            d.text((MARGIN, y), line, font=font(BODY_PX), fill=MUTED)
            y += _line_height(BODY_PX)

    return Block("source", height, draw)


# --- the whole picture --------------------------------------------------------------------------

TOP, BOTTOM = 44, 48  # below the brand bar, under the last block


def _blocks(p: SharePicture, chart_cap: int, sentences: int) -> list[Block]:
    blocks = [_header(p)]
    if p.demo:
        blocks.append(_demo(p))
    if p.cards:
        blocks.append(_cards(p))
    if p.chart_png:
        blocks.append(_chart(p.chart_png, chart_cap))
    if p.lines:
        blocks.append(_lines(p))
    if p.reading and sentences:
        blocks.append(_reading(p, sentences))
    if p.source:
        blocks.append(_source(p))
    return blocks


def _height(blocks: list[Block]) -> int:
    return TOP + sum(b.height for b in blocks) + GAP * (len(blocks) - 1) + BOTTOM


def _fit(p: SharePicture) -> tuple[list[Block], int]:
    """The blocks of ``p`` within MAX_HEIGHT. The chart gives way first, down to ``CHART_ROOM``
    (its text shrinks with it); then the reading loses sentences from its end; with one sentence
    left the chart shrinks down to MIN_CHART_HEIGHT."""
    sentences = min(len(p.reading), MAX_SENTENCES)
    while True:
        blocks = _blocks(p, MAX_HEIGHT, sentences)
        over = _height(blocks) - MAX_HEIGHT
        if over <= 0:
            return blocks, sentences
        chart = next((b for b in blocks if b.name == "chart"), None)
        if chart is not None:
            floor = MIN_CHART_HEIGHT if sentences <= 1 else min(chart.height, CHART_ROOM)
            blocks = _blocks(p, max(floor, chart.height - over), sentences)
        if _height(blocks) <= MAX_HEIGHT or sentences <= 1:
            return blocks, sentences
        sentences -= 1


def chart_room(p: SharePicture) -> int:
    """The height in pixels a chart may take in ``p`` (whose ``chart_png`` is not drawn yet) so
    that the picture keeps every block and its reading's first sentences within MAX_HEIGHT;
    never less than ``CHART_ROOM``: below it, the reading gives way instead. A chart rendered
    to this height needs no scaling, so its text keeps its size."""
    others = _blocks(replace(p, chart_png=None), MAX_HEIGHT, min(len(p.reading), MAX_SENTENCES))
    return max(CHART_ROOM, MAX_HEIGHT - _height(others) - GAP)


def watermark_text(p: SharePicture) -> str:
    when = f"{p.made_at:%Y-%m-%d %H:%M}" if p.made_at else ""
    return t("share_watermark", p.lang).format(account=p.account, when=when).strip(" ·")


def _watermark(size: tuple[int, int], text: str) -> Image.Image:
    """The text tiled diagonally over the whole picture, faint: rows offset by half a step so
    no column of the picture is free of it."""
    f = font(WATERMARK_PX)
    w = round(f.getlength(text)) + 8
    tile = Image.new("RGBA", (w, WATERMARK_PX * 2), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((4, 4), text, font=f, fill=(*WATERMARK_INK, WATERMARK_ALPHA))
    tile = tile.rotate(WATERMARK_ANGLE, expand=True, resample=Image.BICUBIC)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    step_x, step_y = WATERMARK_STEP
    for row, y in enumerate(range(-tile.height // 2, size[1], step_y)):
        offset = (step_x // 2) * (row % 2)
        for x in range(-tile.width // 2 + offset, size[0], step_x):
            layer.alpha_composite(tile, (max(x, 0), max(y, 0)),
                                  (max(-x, 0), max(-y, 0)))
    return layer


def compose(p: SharePicture) -> tuple[Image.Image, Layout]:
    """The picture and where each block went."""
    blocks, sentences = _fit(p)
    height = min(_height(blocks), MAX_HEIGHT)
    img = Image.new("RGBA", (WIDTH, height), (*BG, 255))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, WIDTH, 12), fill=BRAND)
    boxes: dict[str, Box] = {}
    y = TOP
    for b in blocks:
        b.draw(d, img, y)
        boxes[b.name] = Box(MARGIN, y, WIDTH - MARGIN, y + b.height)
        y += b.height + GAP
    if p.account:
        img.alpha_composite(_watermark(img.size, watermark_text(p)))
    return img.convert("RGB"), Layout(WIDTH, height, boxes, sentences)


def share_png(spec: SharePicture) -> bytes:
    """The picture as PNG bytes."""
    img, _ = compose(spec)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()
