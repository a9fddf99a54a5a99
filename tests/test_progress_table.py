"""Progress tables (进度表 / 进度公示): read the published shape, store it as
cumulative progress by region and date, refuse what cannot be placed, export the same shape back."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lib.export_progress import progress_rows, progress_xlsx
from lib.ingest.errors import IngestRefused
from lib.ingest.progress import looks_like_progress, parse_progress
from lib.warehouse import schema as s
from lib.warehouse.loading import LoadRefused
from lib.warehouse.progress_store import (add_alias, aliases_frame, load_progress,
                                          progress_dates, progress_frame)
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import Scope

AS_OF = dt.date(2024, 10, 31)
# name, cervical quota, done, breast quota, done (晋安 over quota: completion capped at 100 %)
DISTRICTS = [("鼓楼区", 3000, 2400, 2800, 2100), ("台江", 2500, 1800, 2400, 1500),
             ("仓山区", 4000, 3500, 3600, 3000), ("晋安区", 3200, 3500, 3000, 3100),
             ("经开区", 800, 500, 700, 400)]
CODES = {"鼓楼区": "350102000000", "台江": "350103000000", "仓山区": "350104000000",
         "晋安区": "350111000000", "经开区": "350198000000"}


def _rate(done: int, quota: int) -> float:
    return round(min(done / quota, 1.0), 4)


def _grid(rows=DISTRICTS, total_delta: int = 0) -> list[list[object]]:
    """The published table as rows of cells, merged cells' others left empty."""
    sums = [sum(r[i] for r in rows) for i in range(1, 5)]
    sums[1] += total_delta
    out: list[list[object]] = [
        ["福州市“两癌”筛查工作进度表（截至2024年10月31日）", *[None] * 7],
        ["序号", "地区", "宫颈癌", None, None, "乳腺癌", None, None],
        [None, None, "任务数", "累计完成", "完成率", "任务数", "累计完成", "完成率"],
        [None, "合计", sums[0], sums[1], _rate(sums[1], sums[0]), sums[2], sums[3],
         _rate(sums[3], sums[2])],
    ]
    for i, (name, cq, cd, bq, bd) in enumerate(rows, start=1):
        out.append([i, name, cq, cd, _rate(cd, cq), bq, bd, _rate(bd, bq)])
    out.append(["注：1.完成率超过100%的按100%计；2.经开区、高新区无行政区划代码，单列统计。",
                *[None] * 7])
    return out


def fixture_xlsx(rows=DISTRICTS, total_delta: int = 0) -> bytes:
    """An XLSX as a federation publishes it: merged title, two-row merged header, 合计 first, 注 last."""
    wb = Workbook()
    ws = wb.active
    grid = _grid(rows, total_delta)
    for r, row in enumerate(grid, start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    for rng in ("A1:H1", "A2:A3", "B2:B3", "C2:E2", "F2:H2", f"A{len(grid)}:H{len(grid)}"):
        ws.merge_cells(rng)
    for r in range(5, len(grid)):  # completion as the percentage Excel shows
        for c in (5, 8):
            ws.cell(r, c).number_format = "0.0%"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def fixture_csv_gbk(rows=DISTRICTS) -> bytes:
    """The same table saved from WPS as a GBK CSV: rates as text '80.0%', counts with thousands commas."""
    lines = []
    for row in _grid(rows):
        cells = []
        for j, v in enumerate(row):
            if v is None:
                cells.append("")
            elif isinstance(v, float):
                cells.append(f"{v:.1%}")
            elif isinstance(v, int) and j >= 2:
                cells.append(f'"{v:,}"')
            else:
                cells.append(str(v))
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


@pytest.fixture
def wh(engine):
    """The demo city's regions plus the functional zone 经开区 as an admin alias (no region row)."""
    add_alias(engine, "经开区", CODES["经开区"], display_name="福州经济技术开发区", user="admin",
              scope=Scope.everything())
    return engine


def _parse(engine, data: bytes, filename: str, **kw):
    return parse_progress(data, filename, regions_frame(engine), aliases_frame(engine, Scope.everything()), **kw)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_parse_store_read_back(wh, kind):
    data = fixture_xlsx() if kind == "xlsx" else fixture_csv_gbk()
    name = f"进度表.{kind}"
    assert looks_like_progress(data, name)
    table = _parse(wh, data, name)
    assert table.as_of == AS_OF
    assert table.kinds == ["cervical", "breast"]
    assert table.warnings == []  # the 合计 equals the sum; every rate is the capped ratio
    assert any(f.startswith("注") for f in table.footnotes)
    got = table.rows.set_index(["region_code", "kind"])
    assert len(got) == 2 * len(DISTRICTS)
    for name_, cq, cd, bq, bd in DISTRICTS:
        code = CODES[name_]
        assert (got.loc[(code, "cervical"), "quota"], got.loc[(code, "cervical"), "done"]) == (cq, cd)
        assert (got.loc[(code, "breast"), "quota"], got.loc[(code, "breast"), "done"]) == (bq, bd)
    assert got.loc[(CODES["鼓楼区"], "cervical"), "row"] == 5  # the file's own row number

    result = load_progress(wh, table.rows, table.as_of, user="ana", filename=name, scope=Scope.everything())
    assert result.status == "loaded" and result.added == 10
    stored = progress_frame(wh, Scope("3501"))
    assert progress_dates(wh, Scope("3501")) == [AS_OF]
    assert len(stored) == 10 and set(stored["as_of"]) == {AS_OF}
    jin = stored.set_index(["region_code", "kind"]).loc[(CODES["晋安区"], "cervical")]
    assert (jin["quota"], jin["done"]) == (3200, 3500)  # counts kept past the quota, not capped
    zone = stored[stored["region_code"] == CODES["经开区"]]
    assert set(zone["name"]) == {"福州经济技术开发区"}
    with wh.connect() as conn:  # never mixed into the township-month sums
        assert conn.execute(select(func.count()).select_from(s.screening)).scalar_one() == 0
        batch = conn.execute(select(s.upload_batch).where(
            s.upload_batch.c.batch_id == result.batch_id)).mappings().one()
        events = conn.execute(select(s.audit_event.c.detail).where(
            s.audit_event.c.action == "load")).scalars().all()
    assert batch["dataset"] == "progress" and batch["uploaded_by"] == "ana"
    assert batch["region_prefix"] == "3501"
    assert any(json.loads(e)["batch_id"] == result.batch_id for e in events)

    again = load_progress(wh, table.rows, table.as_of, user="ana", scope=Scope.everything())
    assert again.status == "unchanged" and again.unchanged == 10 and again.batch_id is None


def test_later_table_adds_a_date_and_same_date_replaces(wh):
    first = _parse(wh, fixture_xlsx(), "a.xlsx")
    load_progress(wh, first.rows, first.as_of, scope=Scope.everything())
    later = [(n, cq, cd + 100, bq, bd + 50) for n, cq, cd, bq, bd in DISTRICTS]
    table = _parse(wh, fixture_xlsx(later), "b.xlsx", as_of=dt.date(2024, 11, 30))
    assert table.as_of == dt.date(2024, 11, 30)  # the given date wins over the title
    load_progress(wh, table.rows, table.as_of, scope=Scope.everything())
    assert progress_dates(wh, Scope.everything()) == [dt.date(2024, 11, 30), AS_OF]
    newest = progress_frame(wh, Scope.everything()).set_index(["region_code", "kind"])
    assert newest.loc[(CODES["鼓楼区"], "cervical"), "done"] == 2500
    older = progress_frame(wh, Scope.everything(), as_of=AS_OF).set_index(["region_code", "kind"])
    assert older.loc[(CODES["鼓楼区"], "cervical"), "done"] == 2400
    fixed = [("鼓楼区", 3000, 2450, 2800, 2100)] + DISTRICTS[1:]
    redo = load_progress(wh, _parse(wh, fixture_xlsx(fixed), "c.xlsx").rows, AS_OF, scope=Scope.everything())
    assert (redo.replaced, redo.unchanged) == (1, 9)
    assert progress_frame(wh, Scope.everything(), as_of=AS_OF).set_index(["region_code", "kind"]).loc[
        (CODES["鼓楼区"], "cervical"), "done"] == 2450


def test_total_mismatch_is_a_warning(wh):
    table = _parse(wh, fixture_xlsx(total_delta=7), "t.xlsx")
    assert len(table.warnings) == 1
    w = table.warnings[0]
    summed = sum(r[2] for r in DISTRICTS)  # cervical done
    assert w["row"] == 4 and f"为 {summed + 7}" in w["problem_zh"] and f"之和为 {summed}" in w["problem_zh"]


def test_unknown_name_refused_with_row_number(engine):
    # without the alias 经开区 is unknown; 高新区 (row 10) is never known
    rows = DISTRICTS + [("高新区", 500, 200, 500, 100)]
    with pytest.raises(IngestRefused) as exc:
        parse_progress(fixture_xlsx(rows), "x.xlsx", regions_frame(engine), aliases_frame(engine, Scope.everything()))
    problems = exc.value.problems
    assert problems["row"].tolist() == [9, 10]
    assert "经开区" in problems["problem_zh"].iloc[0] and "高新区" in problems["problem_zh"].iloc[1]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.screening_progress)).scalar_one() == 0


def test_no_as_of_date_refused(wh):
    grid_bytes = fixture_csv_gbk().decode("gbk").replace("（截至2024年10月31日）", "")
    with pytest.raises(IngestRefused) as exc:
        _parse(wh, grid_bytes.encode("gbk"), "n.csv")
    assert "截至" in exc.value.problems["problem_zh"].iloc[0]
    assert _parse(wh, grid_bytes.encode("gbk"), "n.csv", as_of=AS_OF).as_of == AS_OF


def test_scope_refusal(wh):
    table = _parse(wh, fixture_xlsx(), "s.xlsx")
    with pytest.raises(LoadRefused) as exc:  # an analyst of 晋安区 loading the whole city's table
        load_progress(wh, table.rows, table.as_of, scope=Scope("350111"), user="jinan")
    assert sorted(set(exc.value.rows)) == [5, 6, 7, 9]
    with wh.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.screening_progress)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(s.upload_batch)).scalar_one() == 0
    inside = table.rows[table.rows["region_code"] == CODES["晋安区"]]
    assert load_progress(wh, inside, table.as_of, scope=Scope("350111")).added == 2
    load_progress(wh, table.rows, table.as_of, scope=Scope.everything())  # the city's analyst loads the rest
    assert set(progress_frame(wh, Scope("350111"))["region_code"]) == {CODES["晋安区"]}  # read by scope
    with pytest.raises(PermissionError):
        add_alias(wh, "高新区", "350104990000", scope=Scope("350111"))


def test_export_round_trips_through_the_reader(wh):
    facts = pd.DataFrame({"child": ["350102", "350102", "350111", "350111"],
                          "kind": ["cervical", "breast", "cervical", "breast"],
                          "screened": [1200, 900, 4100, 2000]})
    targets = pd.DataFrame({"child": ["350102", "350102", "350111", "350111"],
                            "kind": ["cervical", "breast", "cervical", "breast"],
                            "quota": [3000, 2800, 4000, 3000]})
    rows = progress_rows(facts, targets, {"350102": "鼓楼区", "350111": "晋安区"})
    data = progress_xlsx(rows, region_name="福州市", date_from=dt.date(2026, 1, 1),
                         as_of=dt.date(2026, 11, 30), demo=True, data_version=3)
    ws = load_workbook(io.BytesIO(data)).active
    assert "示例数据" in ws["A1"].value and "截至2026年11月30日" in ws["A1"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:A3", "B2:B3", "C2:E2", "F2:H2"} <= merged
    assert ws["B4"].value == "合计" and ws["C4"].value == 7000 and ws["D4"].value == 5300
    assert ws["E6"].value == 1.0 and ws["E6"].number_format == "0.0%"  # 4100 of 4000: capped
    assert ws.cell(ws.max_row, 1).value.startswith("注")
    table = _parse(wh, data, "export.xlsx")
    assert table.as_of == dt.date(2026, 11, 30) and table.warnings == []
    back = table.rows.set_index(["region_code", "kind"])
    assert back.loc[("350111000000", "cervical"), "done"] == 4100
    assert back.loc[("350102000000", "breast"), "quota"] == 2800


def test_rollback_restores_what_a_batch_replaced(wh):
    from lib.warehouse.batches import RollbackRefused
    from lib.warehouse.progress_store import rollback_any

    first = load_progress(wh, _parse(wh, fixture_xlsx(), "a.xlsx").rows, AS_OF, user="ana", scope=Scope.everything())
    fixed = [("鼓楼区", 3000, 2450, 2800, 2100)] + DISTRICTS[1:]
    second = load_progress(wh, _parse(wh, fixture_xlsx(fixed), "b.xlsx").rows, AS_OF, user="ana",
                           scope=Scope.everything())
    with pytest.raises(RollbackRefused):  # batch 2 replaced one of its rows: that one goes first
        rollback_any(wh, first.batch_id, user="ana", scope=Scope.everything())
    with pytest.raises(RollbackRefused):  # another analyst's batch
        rollback_any(wh, second.batch_id, user="bob", scope=Scope.everything())
    r = rollback_any(wh, second.batch_id, user="ana", scope=Scope.everything())
    assert (r.removed, r.restored) == (1, 1)
    back = progress_frame(wh, Scope.everything(), as_of=AS_OF).set_index(["region_code", "kind"])
    assert back.loc[(CODES["鼓楼区"], "cervical"), "done"] == 2400
    assert rollback_any(wh, first.batch_id, user="ana", scope=Scope.everything()).removed == 10
    assert progress_frame(wh, Scope.everything()).empty


def test_cli_detects_and_loads_a_progress_table(engine, tmp_path, capsys, monkeypatch):
    from lib.ingest.__main__ import main

    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "duckdb":  # the CLI finds the test's schema as the app would
        with engine.connect() as conn:
            monkeypatch.setenv("HALFSKY_DB_SCHEMA",
                               conn.exec_driver_sql("select current_schema()").scalar_one())
    path = tmp_path / "进度表.csv"
    path.write_bytes(fixture_csv_gbk())
    assert main(["load", str(path), "--db", url]) == 2  # 经开区 unknown until an admin adds it
    assert "row 9" in capsys.readouterr().err
    assert main(["alias", "经开区", CODES["经开区"], "--db", url]) == 0
    assert main(["load", str(path), "--dataset", "progress", "--db", url, "--dry-run"]) == 0
    assert progress_frame(engine, Scope.everything()).empty
    assert main(["load", "progress", str(path), "--db", url]) == 0
    assert "as of 2024-10-31" in capsys.readouterr().out
    assert len(progress_frame(engine, Scope.everything())) == 10


def _screening_facts(engine) -> None:
    """Two districts' townships screened in 2026, with the year's quotas (晋安 cervical over quota)."""
    from lib.warehouse.loading import load_batch

    months = [dt.date(2026, m, 1) for m in (1, 6, 11)]
    towns = {"350102001000": (300, 200), "350102002000": (250, 150), "350111001000": (900, 400)}
    facts = pd.DataFrame([{"region_code": c, "month": m, "kind": k, "screened": n, "abnormal": 0,
                           "diagnosed": 0, "treated": 0, "aided": 0, "aid_amount_10k_yuan": 0.0}
                          for c, (cv, br) in towns.items() for m in months
                          for k, n in (("cervical", cv), ("breast", br))])
    quotas = {"350102001000": (1000, 800), "350102002000": (900, 700), "350111001000": (2000, 1500)}
    targets = pd.DataFrame([{"region_code": c, "year": 2026, "kind": k, "eligible_women": q * 3,
                             "quota": q} for c, (cq, bq) in quotas.items()
                            for k, q in (("cervical", cq), ("breast", bq))])
    load_batch(engine, {"screening": facts, "screening_target": targets}, user="t", scope=Scope.everything())


def test_export_from_warehouse_facts_reads_back(wh):
    """The screening page's export path on the warehouse: period sums by district and kind, the
    year's quotas, written as a 进度公示表 and read back by the progress reader."""
    from lib.warehouse import queries

    _screening_facts(wh)
    lo, hi = dt.date(2026, 1, 1), dt.date(2026, 11, 30)
    facts = queries.facts(wh, "screening", "3501", lo, hi, child_len=6, by=("kind",))
    targets = queries.screening_targets(wh, "3501", [2026], child_len=6)
    names = {"350102": "鼓楼区", "350111": "晋安区"}
    rows = progress_rows(facts, targets, names)
    data = progress_xlsx(rows, region_name="福州市", date_from=lo, as_of=hi)
    ws = load_workbook(io.BytesIO(data)).active
    assert "示例数据" not in ws["A1"].value
    table = _parse(wh, data, "福州市_两癌筛查进度公示表.xlsx")
    got = table.rows.set_index(["region_code", "kind"])
    assert got.loc[("350102000000", "cervical"), "done"] == 3 * (300 + 250)
    assert got.loc[("350102000000", "cervical"), "quota"] == 1900
    assert got.loc[("350111000000", "cervical"), "done"] == 2700  # over the 2000 quota
    jin = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[1] == "晋安区"][0]
    assert jin[4] == 1.0 and jin[3] == 2700  # completion capped, the count kept
    assert table.warnings == []


def test_screening_page_offers_and_shows_progress_tables(wh):
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    _screening_facts(wh)
    table = _parse(wh, fixture_xlsx(), "p.xlsx")
    load_progress(wh, table.rows, table.as_of, scope=Scope.everything())
    url, schema = _url(wh)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/screening.py")
    assert not at.exception, at.exception
    buttons = [b for b in at.get("download_button") if "进度公示表" in str(b.proto.label)]
    assert len(buttons) == 1
    assert any("2024-10-31" in e.label for e in at.expander)
    shown = next(d.value for d in at.dataframe if {"done", "rate"} <= set(d.value.columns))
    assert len(shown) == 10
    jin = shown[(shown["name"] == "晋安区") & (shown["kind"] == "宫颈癌")].iloc[0]
    assert (jin["done"], jin["rate"]) == (3500, 100.0)  # the count kept, completion capped
    assert shown["kind"].tolist()[:2] == ["宫颈癌", "乳腺癌"]
    zone = shown[shown["name"] == "福州经济技术开发区"]
    assert len(zone) == 2


def test_admin_adds_an_alias_on_the_page(engine):
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/admin.py")
        assert not at.exception, at.exception
        at.text_input(key="pg_alias_in").input("经开区")
        at.text_input(key="pg_alias_code_in").input(CODES["经开区"])
        at.text_input(key="pg_alias_name_in").input("福州经济技术开发区")
        next(b for b in at.button if "别名" in str(b.label)).click().run()
    assert not at.exception, at.exception
    assert aliases_frame(engine, Scope.everything())[["alias", "region_code"]].values.tolist() == [
        ["经开区", CODES["经开区"]]]


def test_one_row_header_and_a_title_naming_the_kinds(wh):
    """Some districts publish a flat header (宫颈癌任务数…) under a title that names both cancers,
    with the date as 2024.10.31 and the groups in the other order; 县/市 names without suffix."""
    text = "\n".join([
        "宫颈癌、乳腺癌筛查进度公示（数据截至2024.10.31）",
        "单位,乳腺癌任务数,乳腺癌累计完成,宫颈癌任务数,宫颈癌累计完成,宫颈癌完成率",
        "合计,1500,1400,2000,2100,100%",
        "福清,1000,900,1200,1300,100%",
        "闽侯,500,500,800,800,100.0%",
        "注：完成率超过100%的按100%计。",
    ])
    table = _parse(wh, text.encode("utf-8"), "flat.csv")
    assert table.as_of == AS_OF and table.warnings == []
    got = table.rows.set_index(["region_code", "kind"])
    assert (got.loc[("350181000000", "cervical"), "done"], got.loc[("350181000000", "breast"),
                                                                   "quota"]) == (1300, 1000)
    assert got.loc[("350121000000", "breast"), "row"] == 5
