"""lib.targets.report (the monitoring XLSX), lib.targets.run and the ``python -m lib.targets`` CLI."""
from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from lib.targets import assess_region, monitoring_report_xlsx
from lib.targets.__main__ import CLI_FIELDS, main
from lib.targets.assess import Target, assess
from lib.targets.report import safe_cell
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import write_transaction


def _a(code, domain, values, target=70.0, direction="up", name="指标"):
    frame = pd.DataFrame({"year": range(2020, 2020 + len(values)), "value": values})
    return assess(frame, Target(code, direction, target, 2030, domain=domain, name_zh=name,
                                name_en=code), "350100000000")


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-x", "'-x"), ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"), ("正常", "正常"), (-5, -5), (None, None),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_report_sheets_warnings_and_neutralised_names():
    items = [
        _a("H01", "health", [50, 53, 56, 59, 62]),                    # on track
        _a("H02", "health", [50, 52, 53, 55, 56]),                    # off track, short 5/70
        _a("O01", "organisation", [16, 15.5, 15, 14.5, 14], 10.0, "down", name="=HYPERLINK()"),
        _a("F01", "family", [60, 62]),                                # insufficient
    ]
    wb = openpyxl.load_workbook(io.BytesIO(monitoring_report_xlsx(items, lang="zh")))
    assert wb.sheetnames == ["健康", "家庭建设", "组织建设", "预警", "说明"]
    health = [[c.value for c in r] for r in wb["健康"].iter_rows()]
    assert health[0][:2] == ["指标代码", "指标名称"]
    assert [r[0] for r in health[1:]] == ["H01", "H02"]
    assert "滞后" in health[2] and "按进度" in health[1]
    warn = [[c.value for c in r] for r in wb["预警"].iter_rows(min_row=2)]
    assert [r[0] for r in warn] == ["O01", "H02"]          # 1/10 before 5/70
    assert warn[0][1] == "'=HYPERLINK()"
    en = openpyxl.load_workbook(io.BytesIO(monitoring_report_xlsx(items, lang="en")))
    assert en.sheetnames == ["Health", "Family", "Organisation", "Warnings", "Notes"]


def test_report_numbers_are_rounded_to_what_the_page_shows_and_stay_numbers():
    """The XLSX held 4.724999999999909: values in the indicator's unit carry one decimal (counts
    none), progress shares one decimal of a percent; every one is still a number."""
    from lib.targets.report import COLUMNS

    items = [_a("H02", "health", [50.15, 52.33, 53.71, 55.02, 56.17]),
             _a("C01", "organisation", [1203.4, 1250.6, 1302.2, 1310.9], 2000.0)]
    items[1] = __import__("dataclasses").replace(items[1], unit="count")
    wb = openpyxl.load_workbook(io.BytesIO(monitoring_report_xlsx(items, lang="zh")))
    rows = {r[0].value: r for r in wb["健康"].iter_rows(min_row=2)}
    rows |= {r[0].value: r for r in wb["组织建设"].iter_rows(min_row=2)}
    col = {c: i for i, c in enumerate(COLUMNS)}
    h02, c01 = rows["H02"], rows["C01"]
    for name in ("latest_value", "slope", "projected_value", "projected_low", "projected_high",
                 "shortfall"):
        v = h02[col[name]].value
        assert isinstance(v, (int, float)) and round(v, 1) == v, (name, v)
        assert h02[col[name]].number_format == "0.0"
        w = c01[col[name]].value
        assert isinstance(w, (int, float)) and float(w).is_integer(), (name, w)
    for name in ("time_progress", "attainment_progress"):
        v = h02[col[name]].value
        assert isinstance(v, float) and round(v, 3) == v and h02[col[name]].number_format == "0.0%"
    assert h02[col["slope"]].value == round(items[0].slope, 1)


def _seed_h01(engine):
    rows = pd.DataFrame({"indicator_code": "H01", "region_code": "350100000000",
                         "year": [2020, 2021, 2022, 2023], "value": [16.0, 15.0, 14.0, 13.0],
                         "batch_id": 1})
    with write_transaction(engine) as conn:
        bulk_insert(conn, s.indicator_value, rows)


def test_assess_region_defaults_to_city(engine):
    _seed_h01(engine)
    out = {a.code: a for a in assess_region(engine)}
    assert len(out) == 31
    h01 = out["H01"]
    assert h01.region_code == "350100000000" and h01.status == "on_track"
    assert h01.projected_value == pytest.approx(6.0)
    assert out["D01"].status == "insufficient_data" and out["D01"].reason == "no_data"


def test_cli_json(tmp_path, capsys):
    from lib.warehouse.bootstrap import open_warehouse
    from lib.warehouse.engine import dispose_engine

    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    _seed_h01(open_warehouse(url))
    xlsx = tmp_path / "report.xlsx"
    try:
        assert main(["--db", url, "--json", "--xlsx", str(xlsx)]) == 0
    finally:
        dispose_engine(url)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 31 and all(list(d) == CLI_FIELDS for d in lines)
    h01 = next(d for d in lines if d["code"] == "H01")
    assert h01 == {"code": "H01", "region_code": "350100000000", "latest_year": 2023,
                   "latest_value": 13.0, "latest_label": "2023年", "target_value": 10.0, "target_year": 2030,
                   "projected_value": 6.0, "status": "on_track", "volatile": False}
    assert "预警" in openpyxl.load_workbook(xlsx).sheetnames
