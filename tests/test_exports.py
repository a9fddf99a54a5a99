"""Exports for analysts: numbers as numbers with number formats, a title row with
region, period, source and data version, file names like 晋安区_两癌筛查_2026-01_2026-11.xlsx, and
PNG charts that carry region, period and source in the image. CSV stays formula-neutralised."""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from unittest import mock

import openpyxl
import pandas as pd
import pytest

from lib import export
from lib.charts import common as charts

TITLE = export.ExportTitle("晋安区", dt.date(2026, 1, 1), dt.date(2026, 11, 30), "两癌筛查",
                           "两癌筛查台账（各地妇联上报）", "2026-11-28 10:00 更新")


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_file_names_carry_region_subject_and_period():
    assert TITLE.file_name("xlsx") == "晋安区_两癌筛查_2026-01_2026-11.xlsx"
    assert TITLE.file_name("png", "筛查人数 月度趋势") == "晋安区_两癌筛查_筛查人数-月度趋势_2026-01_2026-11.png"
    odd = export.ExportTitle("a/b:c", dt.date(2025, 3, 1), dt.date(2025, 3, 31), "x*y", "", "")
    assert odd.file_name("csv") == "a-b-c_x-y_2025-03_2025-03.csv"  # nothing a file system refuses


def test_xlsx_holds_numbers_with_formats_under_a_title_row():
    frame = pd.DataFrame({"排名": pd.array([1, 2, 3], dtype="Int64"),
                          "地区": ["茶园街道", "=HYPERLINK(\"x\")", "王庄街道"],
                          "完成率": [1.018, 0.5, None],
                          "筛查人数": [5800, 12, 0],
                          "名次变化": pd.array([2, pd.NA, -1], dtype="Int64")})
    ws = _sheet(export.xlsx_bytes(frame, "排名", title=TITLE,
                                  formats={"完成率": "0.0%", "名次变化": export.CHANGE_FORMAT}))
    assert ws["A1"].value == "晋安区 两癌筛查" and ws["A1"].font.bold
    facts = ws["A2"].value
    for part in ("地区：晋安区", "期间：2026年1月–2026年11月", "来源：两癌筛查台账（各地妇联上报）",
                 "数据版本：2026-11-28 10:00 更新"):
        assert part in facts
    assert [c.value for c in ws[4]] == ["排名", "地区", "完成率", "筛查人数", "名次变化"]
    rate, count, change = ws["C5"], ws["D5"], ws["E5"]
    assert rate.value == pytest.approx(1.018) and rate.data_type == "n" and rate.number_format == "0.0%"
    assert count.value == 5800 and count.data_type == "n" and count.number_format == "#,##0"
    assert change.value == 2 and change.number_format == "+0;-0;0"
    assert ws["A5"].value == 1 and ws["A5"].data_type == "n"
    assert ws["B6"].value == "'=HYPERLINK(\"x\")" and ws["B6"].data_type == "s"  # neutralised
    assert ws["C7"].value is None and ws["E6"].value is None  # missing stays empty, not "—"
    assert ws.freeze_panes == "A5"


def test_xlsx_without_a_title_starts_with_the_header():
    ws = _sheet(export.xlsx_bytes(pd.DataFrame({"n": [1.5, 2.25], "t": ["a", "b"]}), "表"))
    assert [c.value for c in ws[1]] == ["n", "t"] and ws.title == "表"
    assert ws["A2"].value == 1.5 and ws["A2"].number_format == export.FLOAT_FORMAT


def test_csv_has_numbers_and_stays_neutralised():
    frame = pd.DataFrame({"地区": ["@SUM(A1)", "王庄街道"], "完成率": [1.018, 0.5], "人数": [5800, 12]})
    text = export.csv_bytes(export.csv_numbers(frame, {"完成率": "0.0%"})).decode("utf-8-sig")
    assert text.splitlines() == ["地区,完成率（%）,人数", "'@SUM(A1),101.8,5800", "王庄街道,50.0,12"]


def test_png_carries_region_period_and_source():
    frame = pd.DataFrame({"cat": ["宫颈癌", "乳腺癌"], "v": [3, 4]})
    chart = charts.bars(frame, category="cat", value="v", title="筛查人数", value_title="人数")
    spec = export.titled_chart(chart, TITLE).to_dict()
    assert spec["title"]["text"] == "筛查人数"  # the chart's own title stays
    subtitle = " ".join(spec["title"]["subtitle"])
    for part in ("晋安区", "2026年1月–2026年11月", "两癌筛查台账", "2026-11-28 10:00"):
        assert part in subtitle
    untitled = export.titled_chart(charts.bars(frame, category="cat", value="v", title="",
                                               value_title=""), TITLE, "构成").to_dict()
    assert untitled["title"]["text"] == "晋安区 两癌筛查 构成"
    png = export.chart_png(chart, title=TITLE)
    plain = export.chart_png(chart)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image
    tall, short = Image.open(io.BytesIO(png)), Image.open(io.BytesIO(plain))
    assert tall.height > short.height  # the two subtitle lines are drawn above the plot


# --- the screening page's downloads, as a click would fetch them (DuckDB and PostgreSQL) ------------

@contextlib.contextmanager
def _recording(book: dict):
    from streamlit.runtime.media_file_manager import MediaFileManager

    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def rec_add(mgr, data, mimetype, coordinates, file_name=None, *a, **kw):
        url = add(mgr, data, mimetype, coordinates, file_name, *a, **kw)
        book[url] = (data, file_name)
        return url

    def rec_deferred(mgr, fn, mimetype, coordinates, file_name=None, *a, **kw):
        fid = add_deferred(mgr, fn, mimetype, coordinates, file_name, *a, **kw)
        book[fid] = (fn, file_name)
        return fid

    with mock.patch.object(MediaFileManager, "add", rec_add), \
            mock.patch.object(MediaFileManager, "add_deferred", rec_deferred):
        yield


def test_screening_page_downloads_are_named_titled_and_numeric(demo_engine):
    from lib.ui import data
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(demo_engine)
    book: dict = {}
    data.clear_cache()
    with app_env(url, schema=schema), _recording(book):
        at = run_page("views/screening.py", query={"region": "350111000000", "from": "2024-01",
                                                   "to": "2024-06"})
    assert not at.exception, at.exception
    files = {}
    for btn in at.get("download_button"):
        key = btn.proto.deferred_file_id or btn.proto.url
        payload, name = book[key]
        files[name] = payload
    assert "晋安区_两癌筛查_2024-01_2024-06.xlsx" in files, sorted(files)
    assert "晋安区_两癌筛查_2024-01_2024-06.csv" in files
    # the charts' PNGs (the page's 分享图片, halfsky-screening-….png, is tests/test_share.py's)
    pngs = [n for n in files if n.endswith(".png") and not n.startswith("halfsky-")]
    assert pngs and all(re.fullmatch(r"晋安区_两癌筛查_.+_2024-01_2024-06\.png", n) for n in pngs)
    xlsx = files["晋安区_两癌筛查_2024-01_2024-06.xlsx"]
    ws = _sheet(xlsx() if callable(xlsx) else xlsx)
    assert ws["A1"].value == "晋安区 两癌筛查"
    assert "期间：2024年1月–2024年6月" in ws["A2"].value and "数据版本：" in ws["A2"].value
    assert "示例数据" in ws["A2"].value  # the demo warehouse says so in the file too
    header = [c.value for c in ws[4]]
    values = [ws.cell(5, j + 1) for j in range(len(header))]
    assert header[0] == "排名" and values[0].data_type == "n"
    value = values[2]
    assert value.data_type == "n" and value.number_format == "0.0%" and 0 <= value.value < 5
