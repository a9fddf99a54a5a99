"""Replace exactly what the file holds, on DuckDB and PostgreSQL (conftest engine).

Replace mode retires only inside the (region, period, kind) groups the file itself has, never their
cross product; the dry run names what retires by region and month; an upsert never blanks a column
the file does not carry. Every test reads the warehouse's own rows.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from lib.ingest import load_prepared, prepare_upload
from lib.ingest.__main__ import main as ingest_main
from lib.warehouse import schema as s
from tests.conftest import scope_of

TRAIN = "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次\n"
SCREEN_FULL = "乡镇（街道）,月份,筛查类型,筛查人数,救助人数,救助金额（万元）\n"
SCREEN_SHORT = "乡镇（街道）,月份,筛查类型,筛查人数\n"
ORGS = "乡镇（街道）,组织类型,组织名称\n"
CHAYUAN, WANGZHUANG = "350111001000", "350111002000"


def file(head: str, *rows: str) -> bytes:
    return (head + "\n".join(rows) + "\n").encode("utf-8")


def load(engine, data: bytes, *, mode="upsert", dry_run=False, scope="350111"):
    p = prepare_upload(engine, data, "f.csv", scope=scope_of(scope))
    assert p.ok, p.problems
    return load_prepared(engine, p, mode=mode, user="ana", dry_run=dry_run)


def current(engine, table) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(table)).mappings().all(),
                            columns=[c.name for c in table.columns])


def months(frame: pd.DataFrame) -> set[tuple[str, str, int]]:
    return {(r.region_code, f"{r.held_on:%Y-%m}", int(r.participants))
            for r in frame.itertuples(index=False)}


START = ["茶园,2024-03-05,家庭教育,执委,线下,11", "茶园,2024-03-19,健康知识,执委,线下,12",
         "茶园,2024-10-08,家庭教育,执委,线下,13", "王庄,2024-03-07,维权普法,妇女群众,线下,21",
         "王庄,2024-10-15,创业就业,妇女群众,线下,22", "王庄,2024-10-22,家庭教育,执委,线上,23"]


def test_replace_retires_only_the_region_month_pairs_the_file_holds(engine):
    load(engine, file(TRAIN, *START))
    # the file: 茶园 October and 王庄 March, each with one new session
    new = file(TRAIN, "茶园,2024-10-09,技能培训,妇女群众,线下,31", "王庄,2024-03-08,家庭教育,执委,线下,41")
    plan = load(engine, new, mode="replace", dry_run=True)
    assert (plan.counts.added, plan.counts.retired) == (2, 2)
    got = {(r.region_code, r.region_name, r.period, r.rows)
           for r in plan.retiring.itertuples(index=False)}
    assert got == {(CHAYUAN, "茶园街道", "2024-10", 1), (WANGZHUANG, "王庄街道", "2024-03", 1)}
    assert len(current(engine, s.training_session)) == 6  # a dry run writes nothing
    out = load(engine, new, mode="replace")
    assert (out.counts.added, out.counts.retired) == (2, 2) and len(out.retiring) == 2
    assert months(current(engine, s.training_session)) == {
        (CHAYUAN, "2024-03", 11), (CHAYUAN, "2024-03", 12), (CHAYUAN, "2024-10", 31),
        (WANGZHUANG, "2024-03", 41), (WANGZHUANG, "2024-10", 22), (WANGZHUANG, "2024-10", 23)}
    assert months(current(engine, s.training_session_history)) == {
        (CHAYUAN, "2024-10", 13), (WANGZHUANG, "2024-03", 21)}


def test_upsert_keeps_columns_the_file_does_not_carry(engine):
    load(engine, file(SCREEN_FULL, "茶园,2024-03,宫颈癌筛查,300,3,1.5", "王庄,2024-03,宫颈癌筛查,200,2,0.75"))
    # a corrected extract without 救助人数/救助金额: 茶园's count changes, 王庄's does not
    out = load(engine, file(SCREEN_SHORT, "茶园,2024-03,宫颈癌筛查,320", "王庄,2024-03,宫颈癌筛查,200",
                            "茶园,2024-04,宫颈癌筛查,50"))
    assert (out.counts.added, out.counts.replaced, out.counts.unchanged) == (1, 1, 1)
    cur = current(engine, s.screening).set_index(["region_code", "month"]).sort_index()
    march = cur.xs(pd.Timestamp("2024-03-01").date(), level="month")
    assert list(march["screened"]) == [320, 200]
    assert list(march["aided"]) == [3, 2] and list(march["aid_amount_10k_yuan"]) == [1.5, 0.75]
    april = cur.xs(pd.Timestamp("2024-04-01").date(), level="month")
    assert april["aided"].isna().all() and april["aid_amount_10k_yuan"].isna().all()
    # the superseded version in history is the full old row, so a rollback restores it exactly
    hist = current(engine, s.screening_history)
    assert list(zip(hist["screened"], hist["aided"])) == [(300, 3)]
    # replace mode keeps them too (the row stays; only its carried columns change)
    load(engine, file(SCREEN_SHORT, "茶园,2024-03,宫颈癌筛查,330"), mode="replace")
    row = current(engine, s.screening).query("region_code == @CHAYUAN and screened == 330")
    assert list(row["aided"]) == [3] and list(row["aid_amount_10k_yuan"]) == [1.5]


def test_a_file_with_the_column_blank_still_clears_it(engine):
    """Carried but empty is a statement (the value is gone); not carried is silence."""
    load(engine, file(SCREEN_FULL, "茶园,2024-03,宫颈癌筛查,300,3,1.5"))
    out = load(engine, file(SCREEN_FULL, "茶园,2024-03,宫颈癌筛查,300,,"))
    assert out.counts.replaced == 1
    row = current(engine, s.screening)
    assert row["aided"].isna().all() and row["aid_amount_10k_yuan"].isna().all()


def test_roster_replace_keeps_other_organisation_types(engine):
    load(engine, file(ORGS, "茶园,妇女之家,茶园妇女之家", "茶园,家长学校,茶园家长学校",
                      "茶园,妇女之家,茶园二号妇女之家"))
    out = load(engine, file(ORGS, "茶园,妇女之家,茶园妇女之家"), mode="replace")
    assert out.counts.retired == 1
    assert list(out.retiring[["region_name", "kind", "rows"]].itertuples(index=False, name=None)) \
        == [("茶园街道", "womens_home", 1)]
    assert sorted(current(engine, s.org_unit)["name"]) == ["茶园妇女之家", "茶园家长学校"]


def test_cli_dry_run_names_what_retires(engine, tmp_path, capsys, monkeypatch):
    from tests.test_cli_settings import cli_target

    url, schema = cli_target(engine, monkeypatch)
    load(engine, file(TRAIN, *START))
    path = tmp_path / "october.csv"
    path.write_bytes(file(TRAIN, "茶园,2024-10-09,技能培训,妇女群众,线下,31"))
    assert ingest_main(["load", str(path), "--dataset", "training", "--replace", "--dry-run",
                        "--db", url, "--scope", "350111"]) == 0
    out = capsys.readouterr().out
    assert "1 to retire" in out and "retires 1 rows: 茶园街道 (350111001000) 2024-10" in out
    assert "王庄" not in out
    assert len(current(engine, s.training_session)) == 6
