"""The look of the Word documents the app writes (the monthly 通报, the annual monitoring report).

One A4 page layout with the margins of an official document, the usual fonts (方正小标宋简体 for
the title, 黑体 for headings, 楷体_GB2312 for sub-headings, 仿宋_GB2312 for the body; Word
substitutes where they are not installed), plain tables and a red 示例数据 mark in every page
header while demo data is shown. Kept in one place so that the documents look alike.
"""
from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

TITLE_FONT, HEAD_FONT, SUB_FONT, BODY_FONT = "方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"
RED = RGBColor(0xC0, 0x00, 0x00)
NUMERALS = "一二三四五六七八九十"


def numeral(i: int) -> str:
    """一 … 十, 十一 … 九十九: the numbering of 一、二、 sections and （一）（二） sub-sections."""
    if i < 1 or i > 99:
        raise ValueError(f"no Chinese numeral for section {i}")
    tens, ones = divmod(i, 10)
    if tens == 0:
        return NUMERALS[ones - 1]
    return f"{NUMERALS[tens - 1] if tens > 1 else ''}十{NUMERALS[ones - 1] if ones else ''}"


def a4_document():
    """A new document on A4 with the margins of an official document (37/35/28/26 mm)."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    return doc


def demo_header(doc, text: str) -> None:
    """``text`` (示例数据) in red at the top right of every page: a printed page never loses it."""
    head = doc.sections[0].header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    font(head.add_run(text), HEAD_FONT, 12, bold=True, color=RED)


def font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()  # East Asian font: python-docx sets only the Latin one
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def para(doc, text: str, font_name: str = BODY_FONT, size: float = 16, *, bold: bool = False,
         align=None, indent: bool = False, color: RGBColor | None = None):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.space_after = Pt(4)
    font(p.add_run(text), font_name, size, bold=bold, color=color)
    return p


def table(doc, frame: pd.DataFrame, *, size: float = 11, header: bool = True,
          widths_cm: list[float] | None = None, space_after: bool = True):
    """``frame`` as a bordered table (its columns as the header row unless ``header`` is False);
    every cell is text, None shown empty. Cells are reached row by row: python-docx's
    ``table.cell(i, j)`` walks the whole table each time (~5 ms a cell in a 30-row table)."""
    cells = ([[str(c) for c in frame.columns]] if header else []) + [
        ["" if v is None else str(v) for v in row] for row in frame.itertuples(index=False)]
    out = doc.add_table(rows=len(cells), cols=len(frame.columns))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Cm(w) for w in widths_cm] if widths_cm else None
    for i, (row, values) in enumerate(zip(out.rows, cells)):
        for j, (cell, value) in enumerate(zip(row.cells, values)):
            font(cell.paragraphs[0].add_run(value), HEAD_FONT if header and i == 0 else BODY_FONT,
                 size)
            if widths:
                cell.width = widths[j]
    if space_after:
        doc.add_paragraph()
    return out


def picture(doc, png: bytes, width_cm: float) -> None:
    """A PNG centred on a line of its own, ``width_cm`` wide."""
    doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
