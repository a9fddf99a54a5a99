"""Published progress tables read as they are (lib/ingest/progress.py): the region column under the
headers federations use (市县名, 县市区, 区县, 地区, 单位), total rows named 全市合计/全县合计/全区合计/
合计/总计, one quota column shared by both kinds, county-level cities (…市) beside districts and
counties, functional zones through aliases, and a refusal naming the headers when none names regions.

The fixture tests/fixtures_ingest/progress_published_anqing_shape.xlsx has the shape of a city
federation's 两癌 progress table (安庆 2022) with the demo city's real district names and synthetic
numbers: a title, a 填报单位 row carrying 截至2022年10月31日, 序号 / 市县名 / 目标人群数(按33%比例) merged
over two header rows, then 宫颈癌 and 乳腺癌 groups of 完成数 / 完成率, 全市合计 merged across 序号 and
市县名, thirteen districts, counties and 福清市, the zone 高新区, and a 注 footnote.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lib.ingest.errors import IngestRefused
from lib.warehouse.scope import Scope
from lib.ingest.progress import looks_like_progress, parse_progress, upload_progress
from lib.warehouse.progress_store import add_alias, aliases_frame, progress_frame
from lib.warehouse.reference import regions_frame

FIXTURE = Path(__file__).parent / "fixtures_ingest" / "progress_published_anqing_shape.xlsx"
ZONE = "350100990000"  # the federation's own code for 高新区 (no division row)
# name → (shared quota, cervical done, breast done), as in the fixture
ROWS = {"鼓楼区": (3300, 2900, 2800), "福清市": (6800, 6100, 5900), "晋安区": (3900, 4000, 3700),
        "平潭县": (2500, 2100, 2000), "高新区": (900, 700, 650)}


def _parse(engine, data: bytes, name: str, **kw):
    return parse_progress(data, name, regions_frame(engine), aliases_frame(engine, Scope.everything()), **kw)


def test_published_table_loads_end_to_end(engine):
    add_alias(engine, "高新区", ZONE, display_name="福州高新技术产业开发区", user="admin",
              scope=Scope.everything())
    data = FIXTURE.read_bytes()
    assert looks_like_progress(data, FIXTURE.name)
    table = _parse(engine, data, FIXTURE.name)
    assert table.as_of == dt.date(2022, 10, 31)
    assert table.kinds == ["cervical", "breast"]
    assert table.warnings == []  # 全市合计 (quota included) is the rows' sum; rates are the ratios
    got = table.rows.set_index(["name", "kind"])
    assert len(table.rows) == 2 * 14
    for name, (quota, cervical, breast) in ROWS.items():
        assert (got.loc[(name, "cervical"), "quota"], got.loc[(name, "cervical"), "done"]) == \
            (quota, cervical)
        assert (got.loc[(name, "breast"), "quota"], got.loc[(name, "breast"), "done"]) == \
            (quota, breast)
    codes = dict(zip(table.rows["name"], table.rows["region_code"]))
    assert codes["福清市"] == "350181000000" and codes["平潭县"] == "350128000000"
    assert codes["鼓楼区"] == "350102000000" and codes["高新区"] == ZONE

    out = upload_progress(engine, data, FIXTURE.name, user="ana", scope=Scope.everything())
    assert out.status == "loaded" and out.counts.added == 28, out.problems
    stored = progress_frame(engine, Scope("3501")).set_index(["region_code", "kind"])
    assert stored.loc[("350181000000", "breast"), "quota"] == 6800
    assert stored.loc[("350111000000", "cervical"), "done"] == 4000  # over its quota, kept
    assert set(stored.loc[ZONE, "name"]) == {"福州高新技术产业开发区"}


def _flat(region_header: str = "市县名", total: str = "全市合计", *, first: str = "序号") -> bytes:
    lines = ["福州市两癌检查进度（截至2022年10月31日）",
             f"{first},{region_header},目标人群数(按33%比例),宫颈癌完成数,乳腺癌完成数",
             f",{total},5000,4500,4300",
             "1,鼓楼区,3000,2700,2600",
             "2,福清市,2000,1800,1700"]
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("header", ["市县名", "县市区", "区县", "地区", "单位", "县（市、区）", "县(市、区)名称"])
def test_region_headers_federations_use(engine, header):
    table = _parse(engine, _flat(header), "p.csv")
    assert sorted(table.rows["region_code"].unique()) == ["350102000000", "350181000000"]


@pytest.mark.parametrize("total", ["全市合计", "全县合计", "全区合计", "合计", "总计", "全 市 合 计"])
def test_total_rows_by_their_published_names(engine, total):
    table = _parse(engine, _flat(total=total), "p.csv")
    assert table.warnings == []  # the total was read and agrees (no "no total row" either)
    assert len(table.rows) == 4


def test_a_shared_quota_total_that_is_not_the_sum_is_a_warning(engine):
    data = _flat().replace(b",5000,", b",5100,")
    table = _parse(engine, data, "p.csv")
    assert len(table.warnings) == 1 and "5100" in table.warnings[0]["problem_zh"]


def test_no_region_header_is_refused_naming_the_headers(engine):
    with pytest.raises(IngestRefused) as exc:
        _parse(engine, _flat("项目"), "p.csv")
    problems = exc.value.problems
    assert len(problems) == 1 and problems["row"].isna().all()
    zh = problems["problem_zh"].iloc[0]
    assert "「项目」" in zh and "「目标人群数(按33%比例)」" in zh and "市县名" in zh
    assert "5000" not in zh and "3000" not in zh  # never another column's numbers as names


def test_a_percentage_in_a_count_column_is_refused(engine):
    with pytest.raises(IngestRefused) as exc:
        _parse(engine, _flat().replace(b"3000,2700", b"3000,90%"), "p.csv")
    assert exc.value.problems["row"].tolist() == [4]
