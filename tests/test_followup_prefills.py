"""What each warning hands to the 督办 create form (lib/followup/prefills.py): the region it names,
a subject and an ask quoting the page's own figures, a reference back, a due date 30 days out; and
every prefill survives the trip through the 督办事项 page's query string."""
import datetime as dt

import pytest

from lib.followup import prefills as P
from lib.followup.model import Prefill
from lib.targets.assess import Assessment

TODAY = dt.date(2026, 11, 30)


def _assessment(status: str, **kw) -> Assessment:
    base = dict(code="H08", region_code="350111000000", direction="down", unit="percent",
                domain="health", name_zh="孕产妇贫血患病率", name_en="Maternal anaemia",
                target_value=9.0, target_year=2030, latest_year=2025, latest_value=10.8,
                projected_value=9.3, status=status)
    return Assessment(**(base | kw))


def test_default_due_is_thirty_days_out():
    assert P.default_due(TODAY) == dt.date(2026, 12, 30)
    assert P.default_due(dt.date(2026, 2, 1)) == dt.date(2026, 3, 3)


@pytest.mark.parametrize("status,lang,subject", [
    ("at_risk", "zh", "孕产妇贫血患病率 有风险"),
    ("off_track", "zh", "孕产妇贫血患病率 滞后"),
    ("at_risk", "en", "Maternal anaemia: At risk"),
])
def test_an_indicator_at_risk_or_off_track(status, lang, subject):
    got = P.from_assessment(_assessment(status), lang=lang, today=TODAY)
    assert got.subject == subject
    assert (got.region_code, got.subject_kind, got.indicator, got.ref, got.due) == (
        "350111000000", "indicator", "H08", "targets:H08", dt.date(2026, 12, 30))
    # the ask quotes the page's figures with the page's rounding
    for figure in ("10.8%", "9.0%", "9.3%", "2030"):
        assert figure in got.asked, (figure, got.asked)
    assert ("2025年" if lang == "zh" else "2025") in got.asked


def test_an_indicator_without_a_value_says_so_plainly():
    got = P.from_assessment(_assessment("off_track", latest_year=None, latest_value=None,
                                        projected_value=None), lang="zh", today=TODAY)
    assert "最新值 —（—）" in got.asked and "None" not in got.asked


LEAGUE_ROW = {"code": "350111105000", "name": "宦溪镇", "rank": 9, "value_text": "71.4%"}


@pytest.mark.parametrize("lang,subject,asked", [
    ("zh", "宦溪镇 村（社区）妇联覆盖率排名靠后", "村（社区）妇联覆盖率 71.4%，在 9 个地区中排第 9 名"),
    ("en", "宦溪镇: Federation coverage near the bottom", "Federation coverage 71.4%, rank 9 of 9"),
])
def test_a_region_near_the_bottom_of_a_league(lang, subject, asked):
    label = "村（社区）妇联覆盖率" if lang == "zh" else "Federation coverage"
    got = P.from_league_row(LEAGUE_ROW, label=label, count=9, area="coverage", lang=lang,
                            today=TODAY)
    assert (got.region_code, got.subject_kind, got.ref) == ("350111105000", "figure",
                                                            "coverage:league")
    assert got.subject == subject and got.asked.startswith(asked), got.asked
    assert got.indicator is None and got.due == dt.date(2026, 12, 30)


@pytest.mark.parametrize("deadline", [dt.date(2026, 11, 10), "2026-11-10", "2026-11-10 00:00:00"])
def test_a_missing_report(deadline):
    row = {"region_code": "350111100000", "region_name": "鼓山镇", "dataset": "training",
           "month": "2026-10", "deadline": deadline, "days_overdue": 20}
    got = P.from_reminder(row, lang="zh", today=TODAY)
    assert got.subject == "鼓山镇 2026年10月培训未报送"
    assert got.asked == "报送截止日 2026年11月10日，已逾期 20 天。请尽快上传台账。"
    assert (got.region_code, got.subject_kind, got.ref) == (
        "350111100000", "missing_report", "completeness:training:2026-10")


def test_an_upload_warning():
    row = {"row": 7, "region_code": "350111100000", "region_name": "鼓山镇",
           "warning_zh": "筛查人数为该乡镇近12个月中位数的 12 倍，请核实。",
           "warning_en": "Screened is 12 times the median; please check."}
    got = P.from_upload_warning(row, filename="screening.csv", lang="zh", today=TODAY)
    assert got.subject == "鼓山镇 上传数据待核实"
    assert got.asked == "文件「screening.csv」第 7 行：筛查人数为该乡镇近12个月中位数的 12 倍，请核实。"
    assert (got.subject_kind, got.ref) == ("upload_warning", "upload:screening.csv#7")
    en = P.from_upload_warning(row, filename="screening.csv", lang="en", today=TODAY)
    assert en.asked == "File 'screening.csv', row 7: Screened is 12 times the median; please check."


def test_a_long_subject_is_cut_to_a_title():
    row = LEAGUE_ROW | {"name": "很长的名字" * 40}
    got = P.from_league_row(row, label="参训人次", count=9, area="training", lang="zh", today=TODAY)
    assert len(got.subject) == P.SUBJECT_MAX and got.subject.endswith("…")


@pytest.mark.parametrize("prefill", [
    P.from_assessment(_assessment("at_risk"), lang="zh", today=TODAY),
    P.from_league_row(LEAGUE_ROW, label="参训人次", count=9, area="training", lang="zh",
                      today=TODAY),
    P.from_reminder({"region_code": "350111100000", "region_name": "鼓山镇", "dataset": "screening",
                     "month": "2026-09", "deadline": dt.date(2026, 10, 10), "days_overdue": 51},
                    lang="zh", today=TODAY),
    P.from_upload_warning({"row": 3, "region_code": "350111100000", "region_name": "鼓山镇",
                           "warning_zh": "与第 2 行完全相同（共 2 行相同），请确认不是重复录入。",
                           "warning_en": "Identical to row 2."}, filename="a&b?.csv", lang="zh",
                          today=TODAY),
])
def test_every_prefill_round_trips_through_the_query_string(prefill):
    assert Prefill.from_query(prefill.to_query()) == prefill


@pytest.mark.parametrize("ref,lang,label", [
    ("targets:H08", "zh", "目标监测 · H08"),
    ("completeness:training:2026-10", "zh", "报送情况 · 培训 · 2026-10"),
    ("training:league", "zh", "培训 · 下级地区排名"),
    ("overview:league", "en", "Overview · league table"),
    ("upload:screening.csv#7", "zh", "数据上传 · screening.csv"),
    ("batch:17", "zh", "batch:17"),  # typed at the console: shown as it is
    (None, "zh", ""),
])
def test_where_an_item_was_raised(ref, lang, label):
    assert P.source_label(ref, lang) == label
