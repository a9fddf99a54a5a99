"""Table downloads: CSV as UTF-8 with BOM (so Excel opens Chinese correctly) and XLSX, both
neutralised against CSV injection; charts as PNG through vl-convert.

Every table the app offers for download goes through ``csv_bytes`` / ``xlsx_bytes`` (the admin's
audit log included), so every one is neutralised by ``neutralise_formulas``.

Files for analysts say what they hold: an ``ExportTitle`` gives the XLSX a title row
(region, period, source, data version) and the PNG a title and subtitle, and names the file
``晋安区_两癌筛查_2026-01_2026-11.xlsx``. XLSX cells hold numbers as numbers with an Excel number
format (0.0% for a share, #,##0 for a count), never "101.8%" or "5,800" text Excel cannot sum.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.charts import png
from lib.charts.common import FONT
from lib.ingest.exports import neutralise_cell


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which no text cell or column name starts a formula.

    Excel and WPS run a cell that starts with = + - @ (or a tab / CR) as a formula — e.g. an audit
    detail "=HYPERLINK(...)" typed as a user name or label. Such text gets a leading ' (shown as
    text, not executed). Numbers, including negative ones, dates and missing values are kept as they
    are; text inside categorical columns is neutralised as well. The input is never changed.
    """
    out = frame.copy()
    out.columns = [neutralise_cell(c) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        elif not (col.dtype == object or pd.api.types.is_string_dtype(col)):
            continue
        out.isetitem(i, col.map(neutralise_cell))
    return out


def csv_numbers(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` for a CSV, which has no number formats: a share (format 0.0%) as a percentage,
    101.8, in a column named ``完成率（%）``; other columns as they are."""
    out = frame
    for col, number_format in (formats or {}).items():
        if number_format.endswith("%") and col in out.columns:
            out = out.assign(**{col: (pd.to_numeric(out[col]) * 100).round(2)})
            out = out.rename(columns={col: f"{col}（%）"})
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")


# Excel number formats by the units of lib/fmt.value: a share is stored as 0.857 and shown 85.7%.
UNIT_FORMATS = {"percent": "0.0%", "count": "#,##0", "10k_yuan": "#,##0.0", "per_100k": "#,##0.0"}
INT_FORMAT, FLOAT_FORMAT, DATE_FORMAT = "#,##0", "#,##0.0#", "yyyy-mm-dd"
CHANGE_FORMAT = "+0;-0;0"  # a change in rank: +2 / -1 / 0, still a number to sort by
UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s\[\]]+')


@dataclass(frozen=True)
class ExportTitle:
    """What a downloaded file says about itself: the view it comes from and the data behind it."""
    region: str  # the region's name, with 城镇/农村 when the view is narrowed to one
    date_from: dt.date
    date_to: dt.date
    subject: str  # e.g. 两癌筛查
    source: str  # e.g. 两癌筛查台账（各乡镇上报）
    version: str  # e.g. 2026-11-28 10:00 更新
    lang: str = "zh"

    def period(self) -> str:
        dash = "–"
        if self.lang == "zh":
            return f"{self.date_from.year}年{self.date_from.month}月{dash}" \
                   f"{self.date_to.year}年{self.date_to.month}月"
        return f"{self.date_from:%b %Y}{dash}{self.date_to:%b %Y}"

    def heading(self, part: str = "") -> str:
        """``晋安区 两癌筛查 排名``: the first line of a file, the title of a chart."""
        return " ".join(p for p in (self.region, self.subject, part) if p)

    def facts(self) -> list[str]:
        """Region, period, source and data version, one label each (the second line)."""
        zh = self.lang == "zh"
        labels = ("地区", "期间", "来源", "数据版本") if zh else ("Region", "Period", "Source",
                                                                  "Data version")
        sep = "：" if zh else ": "
        values = (self.region, self.period(), self.source, self.version)
        return [f"{k}{sep}{v}" for k, v in zip(labels, values) if v]

    def file_name(self, ext: str, part: str = "") -> str:
        """``晋安区_两癌筛查_2026-01_2026-11.xlsx`` (a part, e.g. 排名, after the subject)."""
        parts = [self.region, self.subject, part, f"{self.date_from:%Y-%m}", f"{self.date_to:%Y-%m}"]
        safe = [UNSAFE_NAME.sub("-", p).strip("-._") for p in parts if p]
        return "_".join(p for p in safe if p) + f".{ext}"


def _cell_value(value: object) -> object:
    """A cell as openpyxl stores it: numpy numbers as Python numbers, missing values empty."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _column_format(col: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(col):
        return None
    if pd.api.types.is_integer_dtype(col):
        return INT_FORMAT
    if pd.api.types.is_float_dtype(col):
        whole = col.dropna()
        return INT_FORMAT if len(whole) and (whole == whole.round()).all() else FLOAT_FORMAT
    if pd.api.types.is_datetime64_any_dtype(col):
        return DATE_FORMAT
    return None


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data", *, title: ExportTitle | None = None,
               part: str = "", formats: dict[str, str] | None = None) -> bytes:
    """``frame`` as a workbook: numbers stay numbers with a number format (``formats`` by column,
    else #,##0 for whole numbers and #,##0.0# for others), text neutralised against formulas.

    With a ``title`` the sheet opens with the heading and a line of region, period, source and
    data version above the header (frozen under it), so a file forwarded alone still says what it
    holds."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    safe = neutralise_formulas(frame)
    formats = {neutralise_cell(k): v for k, v in (formats or {}).items()}
    wb = Workbook()
    ws = wb.active
    ws.title = UNSAFE_NAME.sub("_", sheet)[:31] or "data"
    top = 1
    if title is not None:
        ws.cell(1, 1, neutralise_cell(title.heading(part))).font = Font(bold=True, size=14)
        ws.cell(2, 1, neutralise_cell("　".join(title.facts())))
        top = 4  # a blank row between the title and the header
    bold = Font(bold=True)
    for j, name in enumerate(safe.columns, start=1):
        ws.cell(top, j, str(name)).font = bold
    for j, name in enumerate(safe.columns, start=1):
        col = safe.iloc[:, j - 1]
        number_format = formats.get(name) or _column_format(col)
        width = len(str(name))
        for i, value in enumerate(col.tolist(), start=top + 1):
            cell = ws.cell(i, j, _cell_value(value))
            if number_format and isinstance(cell.value, (int, float, dt.date)):
                cell.number_format = number_format
            width = max(width, len(str(value)) if value is not None else 0)
        ws.column_dimensions[get_column_letter(j)].width = min(60, 4 + 1.6 * width)
    ws.freeze_panes = ws.cell(top + 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def titled_chart(chart, title: ExportTitle, part: str = ""):
    """``chart`` with the view in the image: its own title (else the heading) over a subtitle of
    region and period, and one of source and data version (a PNG forwarded alone says its origin)."""
    import altair as alt

    own = chart.title if not isinstance(chart.title, type(alt.Undefined)) else None
    if isinstance(own, alt.TitleParams):
        own = own.text
    text = own or title.heading(part)
    sep = "　" if title.lang == "zh" else " · "
    facts = title.facts()
    subtitle = [sep.join(facts[:2]), sep.join(facts[2:])]
    return chart.properties(title=alt.TitleParams(text=text, subtitle=[s for s in subtitle if s],
                                                  anchor="start", subtitleFont=FONT,
                                                  subtitleFontSize=11,
                                                  subtitleColor="#555555"))


def chart_png(chart, scale: float = 2.0, *, title: ExportTitle | None = None,
              part: str = "") -> bytes:
    """An Altair chart as PNG; vl-convert finds the system's Noto CJK fonts for Chinese labels.
    With a ``title`` the image carries region, period, source and data version."""
    if title is not None:
        chart = titled_chart(chart, title, part)
    return png.vegalite_png(chart.to_json(), scale)
