"""lib.ingest.pipeline (with headers, regions_match, personal, schemas, checks): what loads, what is refused."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lib import regions as reg
from lib.ingest import export_problems_xlsx, neutralise_cell, prepare, template_xlsx
from lib.ingest.headers import guess_dataset
from lib.ingest.personal import id_checksum_ok
from lib.ingest.specs import DATASETS
from lib.warehouse.scope import Scope
from tests.conftest import scope_of

FIX = Path(__file__).resolve().parent / "fixtures_ingest"
TODAY = dt.date(2026, 11, 1)
HEAD = "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次\n"


@pytest.fixture(scope="module")
def regions():
    return reg.read_division_files(reg.DEFAULT_TOWNSHIPS, reg.DEFAULT_VILLAGES)


@pytest.fixture(scope="module")
def indicators():
    return reg.read_indicator_catalog()


def run(regions, text: str | bytes, name="f.csv", **kw):
    data = text.encode("utf-8") if isinstance(text, str) else text
    kw["scope"] = scope_of(kw.get("scope", ""))  # the console's whole warehouse unless given
    return prepare(data, name, regions=regions, today=TODAY, **kw)


@pytest.mark.parametrize("name,dataset,regions_expected", [
    ("training_gbk_title_total.csv", "training",
     ["350111001000", "350111002000", "350111100000"]),
    ("job_fair_bom_fullwidth.csv", "job_fair", ["350111000000", "350111001000"]),
    ("screening_gb18030.csv", "screening", ["350111103000", "350111201000", "350111202000"]),
    ("job_fair_merged_title.xlsx", "job_fair",
     ["350111001000", "350111101000", "350111102000"]),
])
def test_corpus_loads(regions, name, dataset, regions_expected):
    p = run(regions, (FIX / name).read_bytes(), name, scope="350111")
    assert p.problems.empty, p.problems.to_string()
    assert p.dataset == dataset and p.guessed
    assert list(p.frame["region_code"]) == regions_expected


def test_gbk_values_and_total(regions):
    p = run(regions, (FIX / "training_gbk_title_total.csv").read_bytes(), scope="350111")
    assert list(p.frame["participants"]) == [45, 1200, 30]
    assert list(p.frame["topic"]) == ["family_education", "health", "rights_law"]
    assert p.frame["held_on"].iloc[1] == dt.date(2024, 3, 6)
    assert list(p.frame.index) == [4, 5, 6]  # the file's own row numbers
    assert p.notes["problem_en"].str.contains("Dropped the total row").any()
    assert p.totals == []  # 45+1200+30 = 1275


def test_total_mismatch_is_kept_for_the_warnings_not_a_refusal(regions):
    data = (FIX / "training_gbk_title_total.csv").read_bytes().replace(b"1275", b"1300")
    p = run(regions, data, scope="350111")
    assert p.ok
    assert [(m["row"], m["column"], m["stated"], m["summed"]) for m in p.totals] == [
        (7, "参训人次", 1300, 1275)]


def test_fullwidth_and_excel_serial(regions):
    p = run(regions, (FIX / "job_fair_bom_fullwidth.csv").read_bytes(), scope="350111")
    assert p.frame["positions"].iloc[0] == 1200 and p.frame["employers"].iloc[0] == 30
    assert p.frame["held_on"].tolist() == [dt.date(2024, 4, 2), dt.date(2024, 5, 1)]
    x = run(regions, (FIX / "job_fair_merged_title.xlsx").read_bytes(), "x.xlsx")
    assert x.frame["held_on"].tolist() == [dt.date(2024, 3, 5), dt.date(2024, 4, 1),
                                           dt.date(2024, 5, 6)]
    assert pd.isna(x.frame["hires"].iloc[1])


@pytest.mark.parametrize("cell,scope,code", [
    ("鼓山镇", "", "350111100000"), ("鼓山", "", "350111100000"), ("350111100", "", "350111100000"),
    ("350111", "", "350111000000"), ("350111100000", "350111", "350111100000"),
    ("茶园街道办事处", "350111", "350111001000"),
])
def test_region_matching(regions, cell, scope, code):
    col = "区划代码" if cell.isdigit() else "乡镇（街道）"
    text = f"{col},培训日期,培训主题,培训对象,培训方式,参训人次\n{cell},2024-03-05,家庭教育,执委,线下,5\n"
    p = run(regions, text, scope=scope, dataset="training")
    assert p.problems.empty, p.problems.to_string()
    assert p.frame["region_code"].iloc[0] == code


def test_village_name_inside_its_township(regions):
    text = ("乡镇（街道）,村（社区）,培训日期,培训主题,培训对象,培训方式,参训人次\n"
            "茶园,站前社区,2024-03-05,家庭教育,执委,线下,5\n,三山村,2024-03-05,家庭教育,执委,线下,5\n")
    p = run(regions, text, dataset="training")
    assert p.frame["region_code"].iloc[0] == "350111001001"
    amb = p.problems[p.problems["row"] == 3]
    assert "Ambiguous" in amb["problem_en"].iloc[0] and "350112200201" in amb["problem_zh"].iloc[0]
    scoped = run(regions, text.replace("茶园,站前社区", ",三山村"), dataset="training",
                 scope="350112")
    assert scoped.problems.empty and set(scoped.frame["region_code"]) == {"350112200201"}


@pytest.mark.parametrize("cell,scope,fragment", [
    ("茶园园", "", "Closest: 茶园街道"),
    ("鼓东街道", "350111", "outside your scope"),
    ("350102001", "350111", "outside your scope"),
    ("3501110011", "", "6, 9 or 12 digits"),
    ("999999", "", "Unknown region"),
])
def test_region_problems(regions, cell, scope, fragment):
    col = "区划代码" if cell.isdigit() else "乡镇（街道）"
    text = f"{col},培训日期,培训主题,培训对象,培训方式,参训人次\n{cell},2024-03-05,家庭教育,执委,线下,5\n"
    p = run(regions, text, scope=scope, dataset="training")
    assert not p.ok
    assert p.problems["row"].iloc[0] == 2 and p.problems["column"].iloc[0] == col
    assert fragment in p.problems["problem_en"].iloc[0]


def test_screening_needs_townships(regions):
    text = "区划代码,月份,筛查类型,筛查人数\n350111,2024-03,宫颈癌,10\n"
    p = run(regions, text, dataset="screening")
    assert "township-level" in p.problems["problem_en"].iloc[0]


@pytest.mark.parametrize("name,column,fragment", [
    ("personal_data.csv", "联系电话", "mobile"),
    ("personal_names.csv", "讲师", "personal names"),
])
def test_personal_data_refused_naming_the_column(regions, name, column, fragment):
    p = run(regions, (FIX / name).read_bytes(), name)
    assert not p.ok
    hit = p.problems[p.problems["column"] == column]
    assert fragment in hit["problem_en"].iloc[0] and "删除该列" in hit["problem_zh"].iloc[0]
    assert "13912345678" not in hit["value"].iloc[0]  # never echoed back in full


def test_id_numbers_with_checksum(regions):
    good, bad = "11010519491231002X", "110105194912310021"
    assert id_checksum_ok(good) and not id_checksum_ok(bad)
    base = HEAD.replace("参训人次\n", "参训人次,备注\n")
    refused = run(regions, base + f"茶园,2024-03-05,家庭教育,执委,线下,5,证件{good}\n")
    assert "ID-card" in refused.problems["problem_en"].iloc[0]
    assert refused.problems["column"].iloc[0] == "备注"
    fine = run(regions, base + f"茶园,2024-03-05,家庭教育,执委,线下,5,编号{bad}\n")
    assert fine.ok, fine.problems.to_string()


@pytest.mark.parametrize("row,fragment,column", [
    ("茶园,2024-03-05,家庭教育,执委,线下,-5", "negative", "参训人次"),
    ("茶园,2024-03-05,家庭教育,执委,线下,5.5", "whole number", "参训人次"),
    ("茶园,1999-12-31,家庭教育,执委,线下,5", "plausible range", "培训日期"),
    ("茶园,2028-01-01,家庭教育,执委,线下,5", "plausible range", "培训日期"),
    ("茶园,someday,家庭教育,执委,线下,5", "recognisable date", "培训日期"),
    ("茶园,2024-03-05,烹饪,执委,线下,5", "accepted value", "培训主题"),
    ("茶园,2024-03-05,家庭教育,执委,线下,", "required value", "参训人次"),
])
def test_cell_problems(regions, row, fragment, column):
    p = run(regions, HEAD + "鼓山,2024-03-05,家庭教育,执委,线下,5\n" + row + "\n")
    assert len(p.problems) == 1, p.problems.to_string()
    assert p.problems["row"].iloc[0] == 3 and p.problems["column"].iloc[0] == column
    assert fragment in p.problems["problem_en"].iloc[0]


@pytest.mark.parametrize("dataset,text,fragment", [
    ("job_fair", "乡镇（街道）,举办日期,招聘会类型,参会企业数,提供岗位数,参会妇女人次,达成就业意向人数\n"
                 "茶园,2024-03-05,综合,5,100,50,60\n", "intents (60) cannot exceed women attending"),
    ("screening", "乡镇（街道）,月份,筛查类型,筛查人数,异常人数\n茶园,2024-03,乳腺癌,10,11\n",
     "abnormal (11) cannot exceed screened"),
    ("screening", "乡镇（街道）,月份,筛查类型,筛查人数\n茶园,2024-03,乳腺癌,10\n茶园,2024年3月,breast,9\n",
     "Duplicates row 2"),
    ("org_unit", "村（社区）,组织类型,成立日期,撤销日期\n站前社区,妇女之家,2020-01-01,2019-01-01\n",
     "Dissolved before"),
])
def test_cross_checks(regions, dataset, text, fragment):
    p = run(regions, text, dataset=dataset, scope="350111")
    assert any(fragment in m for m in p.problems["problem_en"]), p.problems.to_string()


def test_cycle_screened_over_eligible(regions):
    text = "乡镇（街道）,月份,筛查类型,筛查人数\n茶园,2024-03,乳腺癌,600\n茶园,2024-04,乳腺癌,500\n"
    eligible = pd.DataFrame({"region_code": ["350111001000"], "year": [2024], "kind": ["breast"],
                             "eligible_women": [1000]})
    p = run(regions, text, dataset="screening", eligible=eligible)
    assert "1100" in p.problems["problem_en"].iloc[0]
    assert run(regions, text, dataset="screening", eligible=eligible.assign(eligible_women=1100)).ok


def test_headers_unknown_missing_and_ignored(regions):
    text = "序号,乡镇（街道）,培训日期,培训主题,培训对象,参训人次,天气\n1,茶园,2024-03-05,家庭教育,执委,5,晴\n"
    p = run(regions, text, dataset="training")
    cols = set(p.problems["column"])
    assert "天气" in cols and "培训方式" in cols and "序号" not in cols


def test_indicator_values_by_name_and_percent(regions, indicators):
    text = "区划代码,指标名称,年度,指标值\n350111,适龄妇女宫颈癌人群筛查率,2024年,65.5%\n350111,H99,2024,1\n"
    p = run(regions, text, dataset="indicator_value", indicators=indicators)
    assert p.frame["indicator_code"].iloc[0] == "H02" and p.frame["value"].iloc[0] == 65.5
    assert list(p.problems["row"]) == [3] and "indicator" in p.problems["problem_en"].iloc[0]


@pytest.mark.parametrize("headers,expected", [
    (["乡镇（街道）", "培训日期", "培训主题", "培训对象", "培训方式", "参训人次"], "training"),
    (["区划代码", "月份", "筛查类型", "筛查人数"], "screening"),
    (["区划代码", "年度", "筛查类型", "适龄妇女数"], "screening_target"),
    (["村（社区）", "组织类型", "成立日期"], "org_unit"),
    (["区划代码", "日期"], None),
])
def test_guess_dataset(headers, expected):
    assert guess_dataset(headers) == expected


def test_same_rows_get_the_same_ids(regions):
    a = run(regions, HEAD + "茶园,2024-03-05,家庭教育,执委,线下,5\n鼓山,2024-03-06,健康知识,执委,线上,7\n")
    b = run(regions, HEAD + "鼓山,2024-03-06,健康知识,执委,线上,9\n茶园,2024/3/5,家庭教育,执委,线下,5\n")
    assert set(a.frame["session_id"]) == set(b.frame["session_id"])
    twice = run(regions, HEAD + "茶园,2024-03-05,家庭教育,执委,线下,5\n茶园,2024-03-05,家庭教育,执委,线下,5\n")
    assert twice.frame["session_id"].nunique() == 2 and not twice.notes.empty


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+86", "'+86"), ("@SUM(A1)", "'@SUM(A1)"),
                                            ("-2", "'-2"), ("茶园", "茶园"), (-2, -2), (None, None)])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_export_problems_xlsx(regions):
    from openpyxl import load_workbook

    p = run(regions, HEAD + "茶园,2024-03-05,家庭教育,执委,线下,5\n=cmd(),2024-03-05,家庭教育,执委,线下,-1\n")
    wb = load_workbook(io.BytesIO(export_problems_xlsx(p.raw, p.problems)))
    rows = list(wb["数据"].values)
    assert rows[0][:2] == ("行号", "问题说明")
    assert rows[1][1] in (None, "") and "不能为负数" in rows[2][1]
    assert rows[2][2] == "'=cmd()"
    assert len(list(wb["问题清单"].values)) == len(p.problems) + 1


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_templates_load_as_they_are(regions, indicators, dataset):
    data = template_xlsx(dataset)
    p = prepare(data, "t.xlsx", regions=regions, indicators=indicators, today=TODAY, scope=Scope.everything())
    assert p.dataset == dataset and p.problems.empty, p.problems.to_string()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.text(alphabet="0123456789,.-年月日%茶园鼓山镇线上下执委 =\"", max_size=10),
                         min_size=6, max_size=6), min_size=1, max_size=6))
def test_random_cells_never_escape(regions, rows):
    import csv

    buf = io.StringIO()
    buf.write(HEAD)
    csv.writer(buf).writerows(rows)
    p = run(regions, buf.getvalue())
    assert p.ok or not p.problems.empty
