"""Warnings before confirm, on DuckDB and PostgreSQL (conftest engine).

Each warning names the file's row, the region and the reason; warnings do not block a load, strict
mode makes them refusals, and upload history keeps what was warned and who confirmed it.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import func, select

from lib.ingest import load_prepared, prepare_upload
from lib.ingest.__main__ import main as ingest_main
from lib.ingest.warnings import MAX_PER_REASON, find_warnings
from lib.warehouse import schema as s
from lib.warehouse.batches import batch_warnings, list_batches
from lib.warehouse.scope import Scope
from tests.conftest import scope_of

TRAIN = "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次\n"
SCREEN = "乡镇（街道）,月份,筛查类型,筛查人数,确诊人数,救助人数\n"
TARGET = "乡镇（街道）,年度,筛查类型,适龄妇女数,任务数\n"


def file(head: str, *rows: str) -> bytes:
    return (head + "\n".join(rows) + "\n").encode("utf-8")


def prep(engine, data: bytes, scope="350111"):
    p = prepare_upload(engine, data, "f.csv", scope=scope_of(scope))
    assert p.ok, p.problems
    return p


def load(engine, data: bytes, **kw):
    return load_prepared(engine, prep(engine, data), user="ana", **kw)


def history(engine) -> None:
    """茶园 held sessions of 41–48 participants a month through 2026 (median 44.5)."""
    load(engine, file(TRAIN, *[f"茶园,2026-{m:02d}-05,家庭教育,执委,线下,{40 + m}" for m in range(1, 9)]))


def rows_of(warned, reason) -> list[tuple]:
    w = warned.frame[warned.frame["reason"] == reason]
    return list(zip(w["row"], w["region_name"]))


def test_an_outlier_against_the_regions_own_history(engine):
    history(engine)
    p = prep(engine, file(TRAIN, "茶园,2026-10-05,家庭教育,执委,线下,900000000",
                          "茶园,2026-10-06,健康知识,执委,线下,40", "茶园,2026-10-07,健康知识,执委,线下,3"))
    assert p.warnings.counts == {"outlier": 2}
    assert rows_of(p.warnings, "outlier") == [(2, "茶园街道"), (4, "茶园街道")]
    first = p.warnings.frame.iloc[0]
    assert "900,000,000" in first["warning_zh"] and "近 12 个月中位数 44.50" in first["warning_zh"]
    assert first["column"] == "参训人次"
    assert "under a tenth" in p.warnings.frame.iloc[1]["warning_en"]


def test_without_history_the_peers_then_the_file_are_the_measure(engine):
    history(engine)  # 茶园 is 王庄's peer in 晋安区
    p = prep(engine, file(TRAIN, "王庄,2026-10-05,家庭教育,执委,线下,600", "王庄,2026-10-06,家庭教育,执委,线下,50"))
    assert rows_of(p.warnings, "outlier") == [(2, "王庄街道")]
    assert "同区县其他地区" in p.warnings.frame.iloc[0]["warning_zh"]
    # an empty district (鼓楼区) and an empty warehouse: the file's own rows
    p = prep(engine, file(TRAIN, *[f"鼓东,2026-10-0{d},家庭教育,执委,线下,{n}"
                                   for d, n in ((1, 30), (2, 35), (3, 32), (4, 3000))]), scope="350102")
    assert rows_of(p.warnings, "outlier") == [(5, "鼓东街道")]
    assert "本文件同类记录" in p.warnings.frame.iloc[0]["warning_zh"]


def test_a_target_below_what_is_done(engine):
    load(engine, file(SCREEN, "茶园,2026-03,宫颈癌筛查,9000,3,1", "茶园,2026-04,宫颈癌筛查,6491,2,1"))
    p = prep(engine, file(TARGET, "茶园,2026,宫颈癌筛查,10,5", "茶园,2026,乳腺癌筛查,10,5",
                          "王庄,2026,宫颈癌筛查,10,5"))
    assert p.warnings.counts == {"target_below_done": 2}
    w = p.warnings.frame
    assert list(zip(w["row"], w["column"])) == [(2, "适龄妇女数"), (2, "任务数")]
    assert "已筛查 15,491 人" in w.iloc[0]["warning_zh"]


def test_ratios_over_100_percent(engine):
    p = prep(engine, file(SCREEN, "茶园,2026-03,宫颈癌筛查,300,2,5", "王庄,2026-03,宫颈癌筛查,300,2,2"))
    assert rows_of(p.warnings, "ratio") == [(2, "茶园街道")]
    assert "250%" in p.warnings.frame.iloc[0]["warning_zh"]
    p = prep(engine, file("区划代码,指标代码,年度,指标值\n", "350111000000,H02,2025,135",
                          "350111000000,H03,2025,95"))
    assert p.warnings.counts == {"ratio": 1} and p.warnings.frame.iloc[0]["row"] == 2


def test_duplicate_rows_and_a_month_in_the_future(engine):
    p = prep(engine, file(TRAIN, *["茶园,2026-10-06,健康知识,执委,线下,30"] * 3,
                          "王庄,2027-01-06,健康知识,执委,线下,30"))
    assert p.warnings.counts == {"duplicate_row": 2, "future": 1}
    dup = p.warnings.frame[p.warnings.frame["reason"] == "duplicate_row"]
    assert list(dup["row"]) == [3, 4] and "与第 2 行完全相同（共 3 行相同）" in dup.iloc[0]["warning_zh"]
    fut = p.warnings.frame[p.warnings.frame["reason"] == "future"].iloc[0]
    assert fut["row"] == 5 and fut["region_name"] == "王庄街道" and "2027年1月" in fut["warning_zh"]


def test_many_warnings_are_counted_and_the_first_kept():
    frame = pd.DataFrame({"region_code": "350111001000", "held_on": [dt.date(2026, 3, 5)] * 1000,
                          "topic": "health", "audience": "exec_member", "mode": "onsite",
                          "participants": 30, "hours": None, "session_id": range(1000)},
                         index=range(2, 1002))
    got = find_warnings(frame, "training", {}, today=dt.date(2026, 11, 30), id_column="session_id")
    assert got.counts == {"duplicate_row": 999} and len(got.frame) == MAX_PER_REASON
    assert list(got.frame["row"][:2]) == [3, 4]


def test_warnings_do_not_block_strict_refuses_history_keeps_who_confirmed(engine):
    history(engine)
    data = file(TRAIN, "茶园,2026-10-05,家庭教育,执委,线下,900000000")
    refused = load(engine, data, strict=True)
    assert refused.status == "refused" and "Strict mode" in refused.message_en
    assert list(refused.problems["row"]) == [2] and refused.warnings_total == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.training_session)).scalar_one() == 8
    out = load(engine, data)
    assert out.status == "loaded" and out.warnings_total == 1 and "1 warnings" in out.message_en
    kept = batch_warnings(engine, out.batch_id, Scope.everything())
    assert kept["warnings"] == 1 and kept["confirmed_by"] == "ana"
    assert kept["counts"] == {"outlier": 1} and kept["first"][0]["row"] == 2
    assert kept["first"][0]["region_name"] == "茶园街道"
    assert batch_warnings(engine, out.batch_id, Scope("350102")) is None  # another district's
    batches = list_batches(engine, Scope.everything())
    listed = dict(zip(batches["batch_id"], batches["warnings"]))
    assert listed[out.batch_id] == 1 and listed[1] == 0


def test_cli_prints_warnings_and_strict_refuses(engine, tmp_path, capsys, monkeypatch):
    from tests.test_cli_settings import cli_target

    cli_target(engine, monkeypatch)
    history(engine)
    path = tmp_path / "t.csv"
    path.write_bytes(file(TRAIN, "茶园,2026-10-05,家庭教育,执委,线下,900000000"))
    args = ["load", str(path), "--dataset", "training", "--scope", "350111"]
    assert ingest_main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "warning: row 2 茶园街道" in out and "900,000,000" in out
    assert ingest_main([*args, "--strict"]) == 2
    captured = capsys.readouterr()
    assert "refused: Strict mode" in captured.err and "row 2" in captured.err
    assert ingest_main(args) == 0
    assert "1 warnings" in capsys.readouterr().out
    assert ingest_main(["batches", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(b["uploaded_by"], b["warnings"]) for b in listed] == [("cli", 1), ("ana", 0)]


def test_upload_page_shows_warnings_before_confirm_in_chromium(tmp_path):
    """Headless Chromium: the warning (row, region, reason) is on the page before 确认导入, the load
    goes through, and the batch history counts the warning."""
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from tests.browser_util import browser_page, require_browser, streamlit_server

    require_browser()
    url = f"duckdb:///{tmp_path / 'warn.duckdb'}"
    history(bootstrap.open_warehouse(url))
    dispose_engine(url)
    path = tmp_path / "outlier.csv"
    path.write_bytes(file(TRAIN, "茶园,2026-10-05,家庭教育,执委,线下,900000000"))
    env = {"HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": "", "HALFSKY_AUTH": "off",
           "HALFSKY_NO_DEMO": "1"}
    with streamlit_server(env) as base, browser_page(height=2200) as page:
        page.goto(f"{base}/upload")
        page.wait_for_selector("text=导入批次", timeout=120_000)
        page.locator(".st-key-up_file input[type=file]").set_input_files(str(path))
        page.wait_for_selector("text=发现 1 条提醒", timeout=60_000)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(tmp_path / "upload_warnings.png"), full_page=True)
        # header mapping, preview, the warnings, the batch history
        assert page.locator('[data-testid="stDataFrame"]').count() == 4
        assert page.locator('[data-testid="stException"]').count() == 0
        page.locator(".st-key-up_confirm button").click()
        success = page.locator('[data-testid="stAlertContentSuccess"]')
        success.first.wait_for(timeout=60_000)
        assert "另有 1 条提醒" in success.first.inner_text()
    engine = bootstrap.open_warehouse(url)
    try:
        newest = int(list_batches(engine, Scope.everything())["batch_id"].max())
        kept = batch_warnings(engine, newest, Scope.everything())
        assert kept["confirmed_by"] == "dev"  # the development admin who clicked 确认导入
        assert kept["counts"] == {"outlier": 1}
    finally:
        dispose_engine(url)


def test_a_township_analyst_is_warned_only_with_figures_inside_the_scope(engine):
    """王庄's analyst (scope 王庄街道) never reads a median of 茶园, another township of 晋安区."""
    history(engine)  # 茶园's sessions, median 44.50
    p = prep(engine, file(TRAIN, "王庄,2026-10-05,家庭教育,执委,线下,600",
                          "王庄,2026-10-06,家庭教育,执委,线下,50"), scope="350111002")
    shown = " ".join(p.warnings.frame["warning_zh"]) + " ".join(p.warnings.frame["warning_en"])
    assert "44.50" not in shown and "同区县" not in shown
    # the district's analyst still compares 王庄 with its peers
    assert "同区县其他地区" in prep(engine, file(TRAIN, "王庄,2026-10-05,家庭教育,执委,线下,600")
                              ).warnings.frame.iloc[0]["warning_zh"]


def test_a_percentage_in_a_count_column_is_refused_by_row(engine):
    p = prepare_upload(engine, file(TRAIN, "茶园,2026-10-05,家庭教育,执委,线下,45",
                                    "茶园,2026-10-06,家庭教育,执委,线下,85%",
                                    "茶园,2026-10-07,家庭教育,执委,线下,８５％"), "f.csv", scope=Scope("350111"))
    assert not p.ok
    bad = p.problems[p.problems["column"] == "参训人次"]
    assert bad["row"].tolist() == [3, 4]
    assert "百分比" in bad["problem_zh"].iloc[0] and "percentage" in bad["problem_en"].iloc[0]


def test_a_total_that_is_not_the_sum_is_a_warning_strict_refuses(engine):
    data = file(TRAIN, "茶园,2026-10-05,家庭教育,执委,线下,45", "茶园,2026-10-06,家庭教育,执委,线下,30",
                "合计,,,,,80")
    p = prep(engine, data)
    assert p.warnings.counts == {"total": 1}
    w = p.warnings.frame.iloc[0]
    assert (w["row"], w["column"]) == (4, "参训人次") and "80" in w["warning_zh"] and "75" in w["warning_zh"]
    refused = load(engine, data, strict=True)
    assert refused.status == "refused" and list(refused.problems["row"]) == [4]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.training_session)).scalar_one() == 0
    assert load(engine, data).status == "loaded"
