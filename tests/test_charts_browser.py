"""Trend charts as Chromium lays them out (the Vega-Lite spec rendered to SVG by vl-convert, the
renderer of the PNG export): no label lies under a point, and months read 2026年3月 / 4月 with the
year on January and on the first tick, on the dashboards and the meeting slides alike."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lib.charts import common as charts
from lib.meeting import charts as mcharts
from tests.browser_util import browser_page, require_browser

# Every text of the SVG beside every point (Vega draws points as paths in .mark-symbol groups):
# the texts that overlap a point, and the axis labels in order.
LAYOUT_JS = """
() => {
  const box = (e) => e.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const points = [...document.querySelectorAll('.mark-symbol path')].map(box);
  const texts = [...document.querySelectorAll('.mark-text text')];
  return {
    texts: texts.map((t) => t.textContent),
    covered: texts.filter((t) => points.some((p) => hit(box(t), p))).map((t) => t.textContent),
    points: points.length,
    xLabels: [...document.querySelectorAll('.role-axis')]
      .filter((a) => (a.getAttribute('aria-label') || '').startsWith('X-axis'))
      .flatMap((a) => [...a.querySelectorAll('.role-axis-label text')].map((t) => t.textContent)),
  };
}
"""


def _layout(page, chart) -> dict:
    import vl_convert as vlc

    page.set_content(vlc.vegalite_to_svg(chart.to_json()))
    return page.evaluate(LAYOUT_JS)


def _two_lines(region_last: float, parent_last: float) -> pd.DataFrame:
    """Nov 2025 – Apr 2026; the parent's average a hair above the region in the last month."""
    months = pd.date_range("2025-11-01", periods=6, freq="MS")
    return pd.concat([
        pd.DataFrame({"month": months, "n": [8, 9, 10, 11, 12, region_last], "series": "本地区"}),
        pd.DataFrame({"month": months, "n": [7, 8, 9, 10, 11, parent_last], "series": "福州市平均"}),
    ], ignore_index=True)


@pytest.mark.parametrize("region_last, parent_last", [(3, 3.4), (12, 12.5), (12, 2)])
def test_incomplete_month_label_lies_under_no_point(region_last, parent_last):
    require_browser()
    chart = charts.trend(_two_lines(region_last, parent_last), x="month", y="n", series="series",
                         title="趋势", y_title="人次", partial_from=dt.date(2026, 4, 1),
                         partial_label="截至4月7日")
    with browser_page(800, 600) as page:
        out = _layout(page, chart)
    assert "截至4月7日" in out["texts"] and out["points"] >= 12
    assert out["covered"] == []


def test_meeting_trend_label_lies_under_no_point():
    require_browser()
    frame = pd.DataFrame({"month": pd.date_range("2025-11-01", periods=6, freq="MS"),
                          "n": [800, 900, 1000, 1100, 1200, 1250]})
    chart = mcharts.monthly_trend(frame, "n", "参训人次", partial_from=dt.date(2026, 4, 1),
                                  partial_label="截至4月7日").properties(width=900)
    with browser_page(1200, 800) as page:
        out = _layout(page, chart)
    assert "截至4月7日" in out["texts"]
    assert out["covered"] == []


def test_months_read_the_same_on_dashboards_and_meeting_slides():
    require_browser()
    frame = _two_lines(12, 11)
    dash = charts.trend(frame, x="month", y="n", series="series", title="趋势", y_title="人次")
    meeting = mcharts.monthly_trend(frame[frame["series"] == "本地区"], "n", "参训人次").properties(
        width=900)
    expected = ["2025年11月", "12月", "2026年1月", "2月", "3月", "4月"]
    with browser_page(1200, 800) as page:
        assert _layout(page, dash)["xLabels"] == expected
        assert _layout(page, meeting)["xLabels"] == expected
