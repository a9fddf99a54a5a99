import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib import clock, settings
from lib.warehouse import engine as eng_mod
from lib.warehouse import queries as q
from lib.warehouse import schema as s
from lib.warehouse.engine import data_version, schema_version_of, write_transaction


def test_url_precedence(monkeypatch, tmp_path):
    monkeypatch.delenv("HALFSKY_DB_URL", raising=False)
    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)
    assert eng_mod.resolve_url("duckdb:///x.duckdb") == "duckdb:///x.duckdb"
    assert eng_mod.resolve_url(None) == eng_mod.DEFAULT_URL
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[connections.warehouse]\nurl = "postgresql+psycopg://u@h/db"\n')
    assert eng_mod.resolve_url(None) == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("HALFSKY_DB_URL", "duckdb:///env.duckdb")
    assert eng_mod.resolve_url(None) == "duckdb:///env.duckdb"


def test_default_url_is_under_data():
    assert eng_mod.DEFAULT_URL.endswith("/data/warehouse.duckdb")


def test_schema_and_reference_data(engine):
    assert schema_version_of(engine) == s.SCHEMA_VERSION
    with engine.connect() as conn:
        n = dict(conn.execute(select(s.region.c.level, func.count()).group_by(s.region.c.level)).all())
        assert n == {"province": 1, "city": 1, "district": 13, "township": 186, "village": 3022}
        assert conn.execute(select(func.count()).select_from(s.indicator)).scalar_one() == 31


def test_data_version_bumps_on_write_and_not_on_failure(engine):
    v0 = data_version(engine)
    with write_transaction(engine):
        pass
    assert data_version(engine) == v0 + 1
    with pytest.raises(RuntimeError):
        with write_transaction(engine):
            raise RuntimeError("boom")
    assert data_version(engine) == v0 + 1


def test_locked_duckdb_file_says_so(tmp_path):
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(path)!r}); con.execute('create table x(i int)')
        print('ready', flush=True); time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(eng_mod.WarehouseLocked) as err:
            eng_mod.get_engine(f"duckdb:///{path}")
        assert "PostgreSQL" in str(err.value) and "另一个进程" in str(err.value)
    finally:
        holder.kill()


def test_queries_are_scoped_by_prefix(demo_engine):
    y = clock.today().year - 1
    d_from, d_to = dt.date(y, 1, 1), dt.date(y, 12, 31)
    city = q.facts(demo_engine, "screening", "3501", d_from, d_to, child_len=6)
    jinan = q.facts(demo_engine, "screening", "350111", d_from, d_to, child_len=9)
    assert set(city["child"]) > {"350111"}
    assert all(c.startswith("350111") for c in jinan["child"])
    assert jinan["screened"].sum() == city.loc[city["child"] == "350111", "screened"].sum()
    whole = q.facts(demo_engine, "screening", "3501", d_from, d_to)
    assert whole["screened"].sum() == city["screened"].sum()


def test_monthly_and_grouped(demo_engine):
    y = clock.today().year - 1
    fairs = q.facts(demo_engine, "job_fair", "3501", dt.date(y, 1, 1), dt.date(y, 12, 31),
                    by_month=True, by=("fair_type",))
    spring = fairs[fairs["fair_type"] == "spring_breeze"]
    assert set(spring["month"].dt.month) <= {2, 3}
    with pytest.raises(ValueError):
        q.facts(demo_engine, "job_fair", "3501", dt.date(y, 1, 1), dt.date(y, 12, 31),
                by=("region_code; drop table x",))


def test_org_coverage_counts_villages_once(demo_engine):
    cov = q.org_coverage(demo_engine, "3501", clock.today(),
                         ["village_federation", "community_federation"], child_len=6)
    base = cov.drop_duplicates(["child", "area"])
    assert base["villages"].sum() == 3022
    assert (cov["with_org"] <= cov["villages"]).all()
    assert (cov["effective"] <= cov["with_org"]).all()


def test_org_coverage_series_matches_one_query_per_date(demo_engine):
    types = ["village_federation", "community_federation", "womens_home"]
    dates = (dt.date(2020, 12, 31), dt.date(2023, 12, 31), clock.today())
    series = q.org_coverage_series(demo_engine, "350102", dates, types)
    assert sorted(series["as_of"].unique()) == sorted(dates)
    keys = ["area", "org_type"]
    for d in dates:
        one = q.org_coverage(demo_engine, "350102", d, types).drop(columns="effective")
        part = series[series["as_of"] == d].drop(columns="as_of")
        pd.testing.assert_frame_equal(part.sort_values(keys, ignore_index=True),
                                      one.sort_values(keys, ignore_index=True))
    early, late = (series[series["as_of"] == d]["with_org"].sum() for d in (dates[0], dates[-1]))
    assert 0 < early < late  # organisations were founded over the years
    with pytest.raises(ValueError):
        q.org_coverage_series(demo_engine, "350102", (), types)


def test_urban_rural_split_partitions_townships(demo_engine):
    y = clock.today().year - 1
    args = ("screening", "3501", dt.date(y, 1, 1), dt.date(y, 12, 31))
    total = q.facts(demo_engine, *args)["screened"].sum()
    urban = q.facts(demo_engine, *args, urban_rural="urban")["screened"].sum()
    rural = q.facts(demo_engine, *args, urban_rural="rural")["screened"].sum()
    assert urban > 0 and rural > 0 and urban + rural == total


def test_regions_frame_is_every_region_row_by_row(demo_engine):
    """The Arrow read gives what a plain row-by-row read gives (types included)."""
    from lib.warehouse.reference import REGION_COLUMNS, regions_frame

    with demo_engine.connect() as conn:
        rows = conn.execute(select(s.region).order_by(s.region.c.code)).all()
    plain = pd.DataFrame([tuple(r) for r in rows], columns=REGION_COLUMNS)
    fast = regions_frame(demo_engine)
    assert list(fast.columns) == REGION_COLUMNS and len(fast) == len(plain) > 3000
    for col in REGION_COLUMNS:
        assert fast[col].tolist() == plain[col].tolist() or col in ("seat_lon", "seat_lat"), col
    pd.testing.assert_series_equal(fast["seat_lon"].astype(float), plain["seat_lon"].astype(float))
