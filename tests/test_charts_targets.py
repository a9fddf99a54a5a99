"""lib/charts/targets and lib/meeting/charts: chart specs (via to_dict) and display tables."""
import pandas as pd
import pytest

from lib.charts import targets as C
from lib.meeting import charts as MC
from lib.targets.assess import Target, assess


def _assess(values, direction="up", target=70.0, year=2030, code="X1", domain="health"):
    frame = pd.DataFrame({"year": list(range(2020, 2020 + len(values))), "value": values})
    return assess(frame, Target(code, direction, target, year, domain=domain, name_zh="测试指标",
                                name_en="Test indicator"), "350100000000")


def test_projection_frames_have_every_series():
    a = _assess([50, 52, 54, 56, 58])
    lines, band = C.projection_frames(a, "zh")
    assert set(lines["series"]) == {"observed", "target", "pace", "projection"}
    pace = lines[lines.series == "pace"]
    assert list(pace["year"]) == [2020, 2030] and list(pace["value"]) == [50, 70]
    assert (lines[lines.series == "target"]["value"] == 70).all()
    proj = lines[lines.series == "projection"]
    assert list(proj["year"]) == [2024, 2030]
    assert proj["value"].iloc[-1] == pytest.approx(a.projected_value)
    assert list(band["year"]) == [2024, 2030]
    assert band["low"].iloc[-1] == pytest.approx(a.projected_low)
    assert band["high"].iloc[-1] == pytest.approx(a.projected_high)


def test_projection_chart_spec():
    a = _assess([50, 52, 54, 56, 58])
    spec = C.projection_chart(a, "en").to_dict()
    assert spec["title"] == "Test indicator"
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["layer"]]
    assert marks == ["area", "line", "point"]
    line = spec["layer"][1]["encoding"]
    assert line["color"]["scale"]["domain"] == ["Observed", "Target",
                                                "Planned path (baseline → target)", "Projection"]
    assert spec["config"]["font"] == C.CJK_FONT


def test_projection_chart_without_projection_has_no_band():
    a = _assess([50, 52])  # too few years
    lines, band = C.projection_frames(a)
    assert band.empty and "projection" not in set(lines["series"])
    spec = C.projection_chart(a).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["line", "point"]


def test_dark_theme():
    spec = C.projection_chart(_assess([50, 52, 54]), theme="dark").to_dict()
    assert spec["config"]["background"] == "#111111"
    assert spec["config"]["axis"]["labelColor"] == "#f5f5f5"


@pytest.mark.parametrize("value, unit, lang, text", [
    (72.34, "percent", "zh", "72.3%"), (12.5, "per_100k", "zh", "12.5/10万"),
    (12.5, "per_100k", "en", "12.5 per 100k"), (None, "percent", "zh", "—"),
    (23456, "count", "zh", "2.3万"),
])
def test_indicator_value(value, unit, lang, text):
    assert C.indicator_value(value, unit, lang) == text


def _catalog():
    return [_assess([50, 52, 54, 56, 58], code="H02"),                       # on_track
            _assess([71, 72, 73], code="H01"),                               # achieved
            _assess([50, 50.5, 51, 51.5], code="E01", domain="education"),   # off_track
            _assess([50, 51], code="D01", domain="decision")]                # insufficient


def test_indicator_table_order_and_filter():
    table = C.indicator_table(_catalog(), "zh")
    assert list(table["code"]) == ["H01", "H02", "E01", "D01"]  # catalog domain order
    assert list(table["domain"]) == ["健康", "健康", "教育", "决策管理"]
    assert list(table["_status"]) == ["achieved", "on_track", "off_track", "insufficient_data"]
    only = C.indicator_table(_catalog(), "zh", statuses=["off_track"])
    assert list(only["code"]) == ["E01"] and list(only["status"]) == ["滞后"]
    assert C.indicator_table(_catalog(), "zh", statuses=[]).empty


def test_status_pills_carry_the_status_and_volatility():
    table = C.status_pills(C.indicator_table(_catalog(), "zh"), "zh")
    assert table["status"].tolist() == [["达标"], ["按进度"], ["滞后"], ["数据不足"]]
    volatile = C.indicator_table(_catalog(), "zh").assign(status=lambda f: f["status"] + " · 波动较大")
    assert C.status_pills(volatile, "zh")["status"].iloc[0] == ["达标", "波动较大"]
    options = C.status_pill_colors("zh")
    assert options["滞后"] == C.STATUS_COLORS["off_track"]
    assert options["达标"] == C.STATUS_COLORS["achieved"]


def test_warning_table_only_warnings():
    table = C.warning_table(_catalog(), "en")
    assert list(table["code"]) == ["E01"]
    assert table["status"].iloc[0] == "Off track"


def test_child_tables_put_the_laggards_first():
    children = {"350102000000": [_assess([71, 72, 73])],
                "350103000000": [_assess([50, 50.5, 51, 51.5])],
                "350104000000": [_assess([40, 40, 40, 40])]}
    names = {"350102000000": "甲区", "350103000000": "乙区", "350104000000": "丙区"}
    summary = C.child_summary(children, names, "zh")
    assert list(summary["region"]) == ["丙区", "乙区", "甲区"]
    assert list(summary["off_track"]) == ["1", "1", "0"]
    table = C.child_indicator_table(children, names, "X1", "zh")
    assert list(table["region"]) == ["丙区", "乙区", "甲区"]
    assert table["status"].iloc[-1] == "达标"


def test_meeting_monthly_trend_sums_per_month():
    frame = pd.DataFrame({"child": ["a", "b", "a"],
                          "month": pd.to_datetime(["2024-02-01", "2024-01-01", "2024-01-01"]),
                          "participants": [5, 1, 2]})
    spec = MC.monthly_trend(frame, "participants", "参训人次").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["value"] for r in rows] == [3, 5]
    assert spec["encoding"]["y"]["title"] == "参训人次"


def test_meeting_child_bars_lowest_first():
    frame = pd.DataFrame({"child": ["350102", "350103"], "value": [0.9, 0.5]})
    spec = MC.child_bars(frame, {"350102000000": "甲区", "350103000000": "乙区"}, "覆盖率").to_dict()
    assert spec["encoding"]["y"]["sort"] == ["乙区", "甲区"]


def test_projection_spec_is_the_chart_memoised_and_copied():
    a = _assess([50, 52, 54])
    spec = C.projection_spec(a, "zh")
    assert spec == C.projection_chart(a, "zh").to_dict()
    spec["title"] = "changed by a caller"
    again = C.projection_spec(_assess([50, 52, 54]), "zh")  # an equal assessment, a new object
    assert again["title"] != "changed by a caller"
    assert C.projection_spec(_assess([50, 52, 60]), "zh") != again


def test_a_child_with_nothing_assessable_reads_as_no_data_not_as_no_problem():
    """A township whose indicators are all 数据不足 showed 预警 0 / 滞后 0 / 有风险 0, read as "all
    fine": its counts read — and the 数据不足 column says why; a child that was assessed keeps its
    numbers, zeros included."""
    children = {"350111001000": [_assess([50, 51]), _assess([60], code="X2")],
                "350111002000": [_assess([50, 50.5, 51, 51.5]), _assess([40, 41], code="X2")],
                "350111003000": [_assess([71, 72, 73])]}
    names = {"350111001000": "茶园街道", "350111002000": "王庄街道", "350111003000": "象园街道"}
    summary = C.child_summary(children, names, "zh").set_index("region")
    assert "insufficient" in C.CHILD_SUMMARY_COLUMNS
    assert C.column_labels("zh")["insufficient"] == "数据不足"
    assert summary.loc["茶园街道", ["warnings", "off_track", "at_risk"]].tolist() == ["—"] * 3
    assert summary.loc["茶园街道", "insufficient"] == "2"
    assert summary.loc["王庄街道", ["warnings", "off_track", "at_risk", "insufficient"]].tolist() \
        == ["1", "1", "0", "1"]
    assert summary.loc["象园街道", ["warnings", "off_track", "insufficient"]].tolist() == ["0", "0", "0"]
    assert list(summary.index)[-1] == "茶园街道"  # nothing known: after every assessed region


@pytest.mark.parametrize("unit,lang,text", [
    ("percent", "zh", "32.4个百分点"), ("percent", "en", "32.4 pp"),
    ("per_100k", "zh", "32.4/10万"), ("count", "zh", "32")])
def test_a_shortfall_of_a_percentage_is_in_percentage_points(unit, lang, text):
    """预计差距 of a percent indicator is a difference of percentages: 个百分点, never "%"."""
    from dataclasses import replace

    a = replace(_assess([50, 50.5, 51, 51.5]), unit=unit, shortfall=32.4)
    assert C.shortfall_value(a.shortfall, a.unit, lang) == text
    assert C.warning_table([a], lang)["shortfall"].iloc[0] == text
    assert C.child_indicator_table({"350111001000": [a]}, {}, "X1", lang)["shortfall"].iloc[0] == text


def test_progress_columns_are_percent_with_one_decimal():
    """时间进度 showed 55.56 % beside 50 %: the table holds percentages rounded to one decimal and
    the page draws them with fmt's one format."""
    from lib import fmt

    a = _assess([50, 52, 54, 56, 58], year=2029)      # 2020 → 2024 of 2020 → 2029: 4/9
    row = C.indicator_table([a], "zh").iloc[0]
    assert row["time_progress"] == 44.4
    assert row["attainment_progress"] == round(100 * a.attainment_progress, 1)
    assert fmt.RATE_PRINTF % row["time_progress"] == "44.4%" == fmt.rate(a.time_progress)
    assert C.PROGRESS_MAX == 100
