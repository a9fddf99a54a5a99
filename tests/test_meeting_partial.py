"""The incomplete month on meeting slides and in the PPTX brief: dashed, hollow and
labelled 截至M月D日 as the dashboards' trends are, read out as such in the notes; and the slides'
cards follow the dashboards' rules (不适用, a grey "—" without a base)."""
import datetime as dt
import io

import pandas as pd
from pptx import Presentation

from lib import fmt
from lib.meeting import charts as MC
from lib.meeting.powerpoint import brief_pptx
from lib.meeting.slides import MeetingData, build_slides, speaker_notes
from lib.metrics.cards import Applicability
from lib.metrics.overview import Headline

DATE_TO = dt.date(2026, 12, 3)
LABEL = fmt.until_label(DATE_TO, "zh")  # 截至12月3日


def _data(partial: bool = True) -> MeetingData:
    months = pd.to_datetime(["2026-10-01", "2026-11-01", "2026-12-01"])
    monthly = {"training": pd.DataFrame({"child": "", "month": months,
                                         "participants": [600, 640, 40]}),
               "job_fair": pd.DataFrame({"child": "", "month": months, "positions": [100, 200, 9]}),
               "screening": pd.DataFrame({"child": "", "month": months,
                                          "screened": [2000, 3000, 150]})}
    heads = [Headline("coverage.federation", 0.9, 0.9, "percent"),
             Headline("training.participants", 1280, 0, "count"),
             Headline("employment.positions", 0, 0, "count",
                      Applicability(False, "na_held_above")),
             Headline("screening.screened", 5200, 4000, "count")]
    cov = pd.DataFrame({"child": ["350111100"], "num": [9], "den": [10], "value": [0.9]})
    return MeetingData("鼓山镇", "2026年10月 – 2026年12月", DATE_TO, heads, monthly, cov,
                       {"350111100000": "鼓山镇"}, [],
                       partial_from=fmt.partial_month_start(DATE_TO) if partial else None,
                       partial_label=LABEL if partial else "")


def test_trend_slide_marks_the_incomplete_month():
    slides = {s.key: s for s in build_slides(_data(), "zh")}
    c = slides["area:training"].chart_data
    assert c.categories == ("2026年10月", "11月", "12月") and c.partial_index == 2
    assert c.partial_label == LABEL
    spec = slides["area:training"].chart.to_dict()
    layers = spec["layer"]
    dashed = [ly for ly in layers if isinstance(ly["mark"], dict) and ly["mark"].get("strokeDash")]
    hollow = [ly for ly in layers if isinstance(ly["mark"], dict)
              and ly["mark"].get("type") == "point" and ly["mark"].get("filled") is False]
    text = [ly for ly in layers if isinstance(ly["mark"], dict) and ly["mark"].get("type") == "text"]
    assert dashed and hollow and text
    rows = {name: rows for name, rows in spec["datasets"].items()}
    # the dashed segment joins the last whole month to the incomplete one; the label sits on it
    assert any([r["label"] for r in v] == ["2026年11月", "2026年12月"] for v in rows.values())
    assert any(r.get("partial") == LABEL and r["label"] == "2026年12月" for v in rows.values()
               for r in v)
    # the solid line holds whole months only: three days of December are not drawn as a month
    solid = [ly for ly in layers if isinstance(ly["mark"], dict) and ly["mark"].get("type") == "line"
             and not ly["mark"].get("strokeDash")]
    assert [r["label"] for r in spec["datasets"][solid[0]["data"]["name"]]] == ["2026年10月", "2026年11月"]
    notes = speaker_notes(slides["area:training"], "zh")
    assert f"12月（{LABEL}）：40" in notes and "11月：640" in notes


def test_whole_months_stay_one_plain_line():
    slides = {s.key: s for s in build_slides(_data(partial=False), "zh")}
    c = slides["area:training"].chart_data
    assert c.partial_index is None
    spec = slides["area:training"].chart.to_dict()
    assert "layer" not in spec and spec["mark"]["type"] == "line"
    assert MC.partial_index(pd.to_datetime(["2026-10-01", "2026-11-01"]),
                            dt.date(2026, 12, 1)) is None


def test_slide_cards_not_applicable_and_no_base():
    kpis = {k.label: k for k in build_slides(_data(), "zh")[0].kpis}
    fairs = kpis["提供岗位数"]
    assert fairs.value == "不适用" and fairs.delta_color == "off" and fairs.delta_arrow == "off"
    no_base = kpis["参训人次"]  # nothing last year: no relative change
    assert no_base.delta.startswith("—") and no_base.delta_color == "off"
    flat = kpis["村（社区）妇联覆盖率"]
    assert flat.delta.startswith("0.0 pp") and flat.delta_arrow == "off"
    assert kpis["筛查人数"].delta.startswith("+30.0%") and kpis["筛查人数"].delta_color == "normal"
    # the employment slide draws no empty axes: its card and the reason instead
    slides = {s.key: s for s in build_slides(_data(), "zh")}
    jobs = slides["area:employment"]
    assert jobs.chart is None and jobs.chart_data is None
    assert jobs.note == "招聘会由区（县）举办，本级不单独统计；请在区（县）视图查看。"
    assert slides["area:training"].chart is not None and slides["area:training"].note == ""


def test_brief_draws_the_incomplete_month_dashed_hollow_and_labelled():
    slides = build_slides(_data(), "zh")
    prs = Presentation(io.BytesIO(brief_pptx(slides, "鼓山镇 妇联工作情况", "zh",
                                             made_on=DATE_TO)))
    i = [s.key for s in slides].index("area:training")
    charts = [sh.chart for sh in prs.slides[i].shapes if sh.has_chart]
    assert len(charts) == 1
    xml = charts[0]._chartSpace.xml  # the chart part as saved: what PowerPoint/WPS read
    assert 'prstDash val="dash"' in xml  # the segment into the incomplete month
    assert "<c:dPt>" in xml and "<c:idx val=\"2\"/>" in xml
    assert LABEL in xml  # the point's own label
    assert "FFFFFF" in xml  # a hollow (white-filled) marker
    # the whole months keep the series' plain line: only the last point is restyled
    assert xml.count("<c:dPt>") == 1
    notes = prs.slides[i].notes_slide.notes_text_frame.text
    assert f"12月（{LABEL}）" in notes
    # the KPI slide says 不适用 for the fairs
    texts = " ".join(sh.text_frame.text for sh in prs.slides[0].shapes if sh.has_text_frame)
    assert "不适用" in texts
