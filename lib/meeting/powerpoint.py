"""The meeting brief: the meeting slides as a 16:9 PPTX (python-pptx) with native, editable charts.

One PPTX slide per meeting slide, in the same order; the first carries the deck title and the date
it was made, every slide carries "数据截至 …". Charts are PowerPoint chart objects built from the
slide's own points (``Slide.chart_data``), not pictures: whoever prepares the meeting can restyle
them or correct a label, and the figures stay readable by a screen reader. Each slide's speaker
notes hold every figure it shows (``slides.speaker_notes``), so the presenter can read them out.
While demo data is shown, every slide carries a 示例数据 mark.
"""
from __future__ import annotations

import datetime as dt
import io
from typing import Iterable

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION,
                             XL_MARKER_STYLE)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from lib import clock
from lib.i18n import t
from lib.meeting.slides import ChartData, Slide, speaker_notes

FONT = "Noto Sans CJK SC"
MADE_ON = {"zh": "制作日期", "en": "Prepared on"}
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
DARK, GREY, ACCENT = RGBColor(0x22, 0x22, 0x22), RGBColor(0x55, 0x55, 0x55), RGBColor(0xC6, 0x28, 0x28)
SERIES = RGBColor(0xE0, 0x8A, 0x00)  # the screen's amber, dark enough on white
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
# A grouped chart's series in the follow-up slide's order (new, closed, overdue): the screen's
# amber, blue and red, dark enough on white.
GROUP_SERIES = (SERIES, RGBColor(0x1E, 0x88, 0xE5), ACCENT)
# Excel number formats of the chart values and labels, by ChartData.unit.
NUMBER_FORMAT = {"percent": "0.0%", "count": "#,##0"}


def _text(slide, left, top, width, height, text: str, size: int, *, bold: bool = False,
          color: RGBColor = DARK, align=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    para = frame.paragraphs[0]
    if align is not None:
        para.alignment = align
    run = para.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    run.font.color.rgb = color
    return box


def _demo_mark(slide, lang: str) -> None:
    """示例数据 in white on red, top right: cannot be missed on a projector or a printout."""
    w, h = Inches(2.2), Inches(0.55)
    box = _text(slide, WIDTH - Inches(0.5) - w, Inches(0.3), w, h, t("meeting_demo", lang), 20, bold=True,
                color=WHITE, align=PP_ALIGN.CENTER)
    box.fill.solid()
    box.fill.fore_color.rgb = ACCENT


KPI_STEP = Inches(2.3)  # a headline box: label, value, change


def _kpi_box(slide, left, top, width, kpi, compact: bool = False) -> None:
    """A headline figure; ``compact`` (several stacked beside a chart) fits one in 1.3 inches."""
    label_h, value_h, size = (Inches(0.45), Inches(0.8), 32) if compact else \
        (Inches(0.6), Inches(1.0), 40)
    _text(slide, left, top, width, label_h, kpi.label, 16 if compact else 18, color=GREY)
    _text(slide, left, top + label_h, width, value_h, kpi.value, size, bold=True)
    if kpi.delta:
        _text(slide, left, top + label_h + value_h, width, Inches(0.5), kpi.delta, 14, color=GREY)


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


def add_chart(slide, data: ChartData, left, top, width, height, lang: str = "zh"):
    """An editable PowerPoint chart of the slide's points: a line per month, or horizontal bars per
    child region (lowest first, from the top, as on the screen) with their values written on them.
    No points: a plain "no data" line instead (an empty chart would show nothing at all)."""
    if not data.categories:
        return _text(slide, left, top, width, Inches(0.6),
                     f"{data.name}：{t('meeting_chart_empty', lang)}", 20, color=GREY)
    if data.kind == "grouped":
        return _grouped_chart(slide, data, left, top, width, height)
    number_format = NUMBER_FORMAT.get(data.unit, "General")
    cd = CategoryChartData(number_format=number_format)
    cd.categories = list(data.categories)
    cd.add_series(data.name, list(data.values))
    kind = XL_CHART_TYPE.LINE_MARKERS if data.kind == "line" else XL_CHART_TYPE.BAR_CLUSTERED
    chart = slide.shapes.add_chart(kind, left, top, width, height, cd).chart
    chart.has_legend = False
    chart.has_title = True
    chart.chart_title.text_frame.text = data.name
    chart.font.size, chart.font.name = Pt(14), FONT
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format = "0%" if data.unit == "percent" else "#,##0"
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    plot = chart.plots[0]
    series = plot.series[0]
    if data.kind == "bar":
        chart.category_axis.reverse_order = True  # first category (the lowest) at the top
        value_axis.minimum_scale, value_axis.maximum_scale = 0, 1
        plot.gap_width = 60
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = SERIES
        plot.has_data_labels = True
        labels = plot.data_labels
        labels.number_format, labels.number_format_is_linked = number_format, False
        labels.position = XL_LABEL_POSITION.INSIDE_END
        labels.font.size, labels.font.bold = Pt(14), True
    else:
        series.format.line.color.rgb = SERIES
        series.format.line.width = Pt(3.5)
        series.smooth = False
        series.marker.style, series.marker.size = XL_MARKER_STYLE.CIRCLE, 9
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = SERIES
        series.marker.format.line.color.rgb = SERIES
        if data.partial_index is not None:
            _mark_partial(series, data)
    return chart


def _grouped_chart(slide, data: ChartData, left, top, width, height):
    """Clustered columns, one series a measure (new, closed, overdue), each count written on its
    column and a legend on top, as on the screen."""
    cd = CategoryChartData(number_format=NUMBER_FORMAT["count"])
    cd.categories = list(data.categories)
    for label, values in data.series:
        cd.add_series(label, list(values))
    chart = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height,
                                   cd).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = data.name
    chart.has_legend = True
    chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
    chart.font.size, chart.font.name = Pt(14), FONT
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format = "#,##0"
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    plot = chart.plots[0]
    plot.gap_width, plot.overlap = 80, -10
    for series, color in zip(plot.series, GROUP_SERIES):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = color
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = "#,##0", False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size, labels.font.bold = Pt(14), True
    return chart


def _mark_partial(series, data: ChartData) -> None:
    """The incomplete month(s) as on the screen: the segment leading to each is dashed, its marker
    hollow, and its point labelled 截至M月D日, so the month is never read as a whole one."""
    for i in range(data.partial_index, len(data.values)):
        point = series.points[i]
        point.format.line.color.rgb = SERIES
        point.format.line.width = Pt(3.5)
        point.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        point.marker.style, point.marker.size = XL_MARKER_STYLE.CIRCLE, 11
        point.marker.format.fill.solid()
        point.marker.format.fill.fore_color.rgb = WHITE
        point.marker.format.line.color.rgb = SERIES
        point.marker.format.line.width = Pt(2.25)
        if data.partial_label:
            label = point.data_label
            label.position = XL_LABEL_POSITION.ABOVE
            label.text_frame.text = data.partial_label
            for run in label.text_frame.paragraphs[0].runs:
                run.font.size, run.font.bold, run.font.name = Pt(14), True, FONT
                run.font.color.rgb = DARK


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
        title_w = inner - (Inches(2.4) if s.demo else 0)
        _text(slide, margin, Inches(0.3), title_w, Inches(0.8), s.title, 32, bold=True)
        if s.demo:
            _demo_mark(slide, lang)
        sub = s.subtitle
        if n == 1:
            sub = f"{sub} · {MADE_ON[lang]} {made_on.isoformat()}" if sub else \
                f"{MADE_ON[lang]} {made_on.isoformat()}"
        if sub:
            _text(slide, margin, Inches(1.05), inner, Inches(0.5), sub, 14 if s.reading else 16,
                  color=GREY)
        top = Inches(2.3) if s.reading else Inches(1.8)  # room for a reading of two sentences
        if s.chart_data is not None:
            kpi_w = Inches(3.2) if s.kpis else 0
            step = min(KPI_STEP, (HEIGHT - top - Inches(0.8)) // max(len(s.kpis), 1))
            for i, k in enumerate(s.kpis):
                _kpi_box(slide, margin, top + step * i, kpi_w, k, compact=step < KPI_STEP)
            chart_left = margin + kpi_w + (Inches(0.3) if s.kpis else 0)
            add_chart(slide, s.chart_data, chart_left, top, WIDTH - chart_left - margin,
                      HEIGHT - top - Inches(0.8), lang)
        elif s.kpis:
            w = inner // max(len(s.kpis), 1)
            for i, k in enumerate(s.kpis):
                _kpi_box(slide, margin + w * i, top + Inches(0.8), w - Inches(0.2), k)
        if s.table is not None and not s.table.empty:
            _table(slide, s.table, margin, top, inner)
        if s.note:
            _text(slide, margin, top, inner, Inches(0.6), s.note, 20, color=GREY)
        demo = f"{t('meeting_demo', lang)}    " if s.demo else ""
        footer = f"{demo}{s.as_of}    {title}    {n} / {len(items)}"
        _text(slide, margin, HEIGHT - Inches(0.6), inner, Inches(0.4), footer, 12, color=GREY)
        slide.notes_slide.notes_text_frame.text = speaker_notes(s, lang)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
