"""Dashboard chart builders: Chinese month names, whole-number ticks for counts, stable series
colours and a linear funnel, checked on the Vega-Lite spec the browser receives."""
from __future__ import annotations

import pandas as pd

from lib.charts import common as charts
from lib.charts.memo import spec_of


def _monthly(series_order: list[str]) -> pd.DataFrame:
    months = pd.date_range("2026-01-01", periods=4, freq="MS")
    return pd.concat([pd.DataFrame({"month": months, "n": [1, 2, 1, 3], "series": s})
                      for s in series_order], ignore_index=True)


def test_chinese_ui_gets_chinese_month_names_and_english_does_not():
    zh = spec_of(charts.trend(_monthly(["本地区"]), x="month", y="n", series="series", title="t",
                              y_title="人次", lang="zh"))
    assert zh["config"]["locale"]["time"]["months"][0] == "1月"
    tips = {t_["field"]: t_ for t_ in zh["encoding"]["tooltip"]}
    assert tips["month"]["format"] == "%Y年%-m月"
    en = spec_of(charts.trend(_monthly(["This region"]), x="month", y="n", series="series",
                              title="t", y_title="n", lang="en"))
    assert "locale" not in en.get("config", {})


def test_counts_have_whole_number_ticks_and_percentages_do_not_need_them():
    count = spec_of(charts.trend(_monthly(["a"]), x="month", y="n", series="series", title="t",
                                 y_title="n"))
    assert count["encoding"]["y"]["axis"]["tickMinStep"] == 1
    share = spec_of(charts.trend(_monthly(["a"]), x="month", y="n", series="series", title="t",
                                 y_title="n", percent=True))
    assert "tickMinStep" not in share["encoding"]["y"]["axis"]
    bars = spec_of(charts.bars(pd.DataFrame({"c": ["x", "y"], "v": [1, 2]}), category="c",
                               value="v", title="t", value_title=""))
    assert bars["encoding"]["x"]["axis"]["tickMinStep"] == 1


def test_the_region_keeps_the_first_colour_whatever_its_parent_is_called():
    for parent in ("上级平均（每个下级地区）", "福州市", "Aaa"):
        spec = spec_of(charts.trend(_monthly(["本地区", parent]), x="month", y="n",
                                    series="series", title="t", y_title="n"))
        scale = spec["encoding"]["color"]["scale"]
        assert scale["domain"][0] == "本地区" and scale["range"][0] == charts.PALETTE[0]


def test_funnel_is_linear_with_every_value_written():
    frame = pd.DataFrame({"stage": ["筛查", "异常", "确诊"], "value": [30000, 300, 30],
                          "label": ["30,000", "300", "30"]})
    spec = spec_of(charts.funnel(frame, stage="stage", value="value", title="t", label="label"))
    bar, text = spec["layer"]
    assert bar["encoding"]["x"]["scale"]["type"] == "linear"
    assert text["encoding"]["text"]["field"] == "label"


def test_png_export_renders_with_the_chinese_locale():
    from lib import export

    png = export.chart_png(charts.trend(_monthly(["本地区"]), x="month", y="n", series="series",
                                        title="趋势", y_title="人次"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 2000


def test_incomplete_month_is_dashed_hollow_and_labelled():
    import datetime as dt

    from lib import fmt

    assert fmt.partial_month_start(dt.date(2026, 12, 2)) == dt.date(2026, 12, 1)
    assert fmt.partial_month_start(dt.date(2026, 11, 30)) is None  # a whole month
    assert fmt.partial_month_start(dt.date(2024, 2, 29)) is None
    assert fmt.until_label(dt.date(2026, 12, 2)) == "截至12月2日"
    frame = _monthly(["本地区", "上级平均"])  # 2026-01 … 2026-04
    spec = spec_of(charts.trend(frame, x="month", y="n", series="series", title="t", y_title="n",
                                partial_from=dt.date(2026, 4, 1), partial_label="截至4月2日"))
    solid, dashed, hollow, label = spec["layer"]
    data = spec["datasets"]
    months = lambda layer: sorted({r["month"][:7] for r in data[layer["data"]["name"]]})  # noqa: E731
    assert months(solid) == ["2026-01", "2026-02", "2026-03"]  # whole months only
    assert dashed["mark"]["strokeDash"] == [6, 4] and months(dashed) == ["2026-03", "2026-04"]
    assert hollow["mark"]["filled"] is False and months(hollow) == ["2026-04"]
    labels = [(r["series"], r["_label"]) for r in data[label["data"]["name"]]]
    assert labels == [("本地区", "截至4月2日")]  # written once, in the region's colour
    assert label["encoding"]["y"] == {"value": 0}  # above the points, not beside one
    # a period of whole months draws one plain line
    plain = spec_of(charts.trend(frame, x="month", y="n", series="series", title="t",
                                 y_title="n", partial_from=None))
    assert plain["mark"]["type"] == "line"
