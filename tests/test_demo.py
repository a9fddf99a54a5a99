import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from lib import demo, regions
from lib.demo.__main__ import main as demo_main
from lib.warehouse import schema as s
from lib.warehouse.demo_store import clear_demo, demo_batch_ids
from lib.warehouse.engine import data_version

REGIONS = regions.read_division_files(regions.DEFAULT_TOWNSHIPS, regions.DEFAULT_VILLAGES)
TODAY = dt.date(2026, 11, 23)


def test_frames_are_seeded():
    a = demo.build_frames(REGIONS, seed=3, today=TODAY)
    b = demo.build_frames(REGIONS, seed=3, today=TODAY)
    c = demo.build_frames(REGIONS, seed=4, today=TODAY)
    pd.testing.assert_frame_equal(a["screening"], b["screening"])
    assert not a["screening"]["screened"].equals(c["screening"]["screened"])


def test_shapes_of_the_demo():
    f = demo.build_frames(REGIONS, seed=7, today=TODAY)
    scr = f["screening"]
    assert scr["month"].min() == dt.date(2019, 1, 1) and scr["month"].max() == dt.date(2026, 11, 1)
    by_month = scr.assign(m=pd.to_datetime(scr["month"]).dt.month).groupby("m")["screened"].sum()
    assert by_month[[3, 4, 10]].min() > by_month[[1, 2]].max()  # spring/autumn campaigns
    fairs = f["job_fair"]
    spring = fairs[fairs["fair_type"] == "spring_breeze"]
    assert set(pd.to_datetime(spring["held_on"]).dt.month) == {2, 3}
    assert (scr["treated"] <= scr["diagnosed"]).all() and (scr["abnormal"] <= scr["screened"]).all()
    assert (fairs["intents"] <= fairs["women_attending"]).all()
    orgs = f["org_unit"]
    assert orgs["org_id"].is_unique and f["training"]["session_id"].is_unique
    assert (orgs["last_activity_on"] >= orgs["established_on"]).all()
    # coverage rises toward the targets
    ps = orgs[orgs["org_type"] == "parent_school"]
    early = (pd.to_datetime(ps["established_on"]) <= "2019-12-31").sum()
    assert len(ps) > early * 1.2
    # indicators without computed_from get yearly values; computed ones do not
    cat = regions.read_indicator_catalog()
    uploaded = set(cat[cat["computed_from"].isna()]["code"])
    assert set(f["indicator_value"]["indicator_code"]) == uploaded


def test_no_personal_columns():
    f = demo.build_frames(REGIONS, seed=7, today=TODAY)
    for frame in f.values():
        assert not {"id_number", "phone", "person_name", "姓名"} & set(frame.columns)


def test_demo_in_warehouse_and_clear(demo_engine, engine):
    with demo_engine.connect() as conn:
        for table in s.FACT_TABLES.values():
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() > 0
    demo.build_demo(engine, seed=1)
    assert len(demo_batch_ids(engine)) == 1
    v = data_version(engine)
    assert clear_demo(engine) > 50_000
    assert data_version(engine) == v + 1
    with engine.connect() as conn:
        for table in s.FACT_TABLES.values():
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
        # the city's 3,222 divisions and its province above them stay: reference data
        assert conn.execute(select(func.count()).select_from(s.region)).scalar_one() == 3223
    assert demo_batch_ids(engine) == []


def test_cli_builds_and_clears(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'x.duckdb'}"
    assert demo_main(["--db", url, "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "screening=" in out and "peak RSS" in out
    assert demo_main(["--db", url]) == 0
    assert "already present" in capsys.readouterr().out
    assert demo_main(["--db", url, "--clear"]) == 0
    assert "removed demo data" in capsys.readouterr().out
