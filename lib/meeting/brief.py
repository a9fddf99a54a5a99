"""The meeting brief: the meeting slides as a 16:9 PPTX (python-pptx), charts as PNG (vl-convert).

One PPTX slide per meeting slide, in the same order; the first carries the deck title and the date
it was made, every slide carries "数据截至 …". Charts use the light theme (briefs are printed) and a
CJK font (Noto Sans CJK, from fonts-noto-cjk), so Chinese labels render in the images.
"""
from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import vl_convert as vlc
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from lib import clock
from lib.charts.targets import apply_theme
from lib.meeting.slides import Slide

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
FONT = "Noto Sans CJK SC"
MADE_ON = {"zh": "制作日期", "en": "Prepared on"}
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
DARK, GREY, ACCENT = RGBColor(0x22, 0x22, 0x22), RGBColor(0x66, 0x66, 0x66), RGBColor(0xC6, 0x28, 0x28)


@lru_cache(maxsize=1)
def _fonts() -> None:
    for d in FONT_DIRS:
        if Path(d).is_dir():
            vlc.register_font_directory(d)


def chart_png(chart, width: int = 900, height: int = 440) -> bytes:
    """A chart (unthemed) as a PNG in the light theme, twice the pixel density."""
    _fonts()
    spec = apply_theme(chart.properties(width=width, height=height), "light", font_scale=1.3)
    return vlc.vegalite_to_png(spec.to_json(), scale=2)


def _text(slide, left, top, width, height, text: str, size: int, *, bold: bool = False,
          color: RGBColor = DARK):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run.font.color.rgb = color
    return box


def _kpi_box(slide, left, top, width, kpi) -> None:
    _text(slide, left, top, width, Inches(0.6), kpi.label, 18, color=GREY)
    _text(slide, left, top + Inches(0.6), width, Inches(1.0), kpi.value, 40, bold=True)
    if kpi.delta:
        _text(slide, left, top + Inches(1.6), width, Inches(0.5), kpi.delta, 14, color=GREY)


def _table(slide, frame, left, top, width) -> None:
    rows, cols = len(frame) + 1, len(frame.columns)
    shape = slide.shapes.add_table(rows, cols, left, top, width, Inches(0.45) * rows)
    table = shape.table
    for j, name in enumerate(frame.columns):
        table.cell(0, j).text = str(name)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            table.cell(i, j).text = str(value)
    for cell in (table.cell(i, j) for i in range(rows) for j in range(cols)):
        for p in cell.text_frame.paragraphs:
            for r in p.runs:
                r.font.size, r.font.name = Pt(16), FONT
    table.columns[0].width = Emu(int(width * 0.36))
    for j in range(1, cols):
        table.columns[j].width = Emu(int(width * 0.64 / (cols - 1)))


def brief_pptx(slides: Iterable[Slide], title: str, lang: str = "zh",
               made_on: dt.date | None = None) -> bytes:
    """The PPTX bytes: one slide per meeting slide."""
    made_on = made_on or clock.today()
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    blank = prs.slide_layouts[6]
    items = list(slides)
    margin = Inches(0.5)
    inner = WIDTH - 2 * margin
    for n, s in enumerate(items, start=1):
        slide = prs.slides.add_slide(blank)
        _text(slide, margin, Inches(0.3), inner, Inches(0.8), s.title, 32, bold=True)
        sub = s.subtitle
        if n == 1:
            sub = f"{sub} · {MADE_ON[lang]} {made_on.isoformat()}" if sub else \
                f"{MADE_ON[lang]} {made_on.isoformat()}"
        if sub:
            _text(slide, margin, Inches(1.05), inner, Inches(0.5), sub, 16, color=GREY)
        top = Inches(1.8)
        if s.chart is not None:
            kpi_w = Inches(3.2) if s.kpis else 0
            for i, k in enumerate(s.kpis):
                _kpi_box(slide, margin, top + Inches(2.3) * i, kpi_w, k)
            png = chart_png(s.chart)
            pic_left = margin + kpi_w + (Inches(0.3) if s.kpis else 0)
            slide.shapes.add_picture(io.BytesIO(png), pic_left, top,
                                     width=WIDTH - pic_left - margin)
        elif s.kpis:
            w = inner // max(len(s.kpis), 1)
            for i, k in enumerate(s.kpis):
                _kpi_box(slide, margin + w * i, top + Inches(0.8), w - Inches(0.2), k)
        if s.table is not None and not s.table.empty:
            _table(slide, s.table, margin, top, inner)
        if s.note:
            _text(slide, margin, top, inner, Inches(0.6), s.note, 20, color=GREY)
        footer = f"{s.as_of}    {title}    {n} / {len(items)}"
        _text(slide, margin, HEIGHT - Inches(0.6), inner, Inches(0.4), footer, 12, color=GREY)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
