"""The national-scale generator (lib/demo/national.py) at a tiny scale: consistent, synthetic frames."""
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib.demo import national as dn
from lib.warehouse import schema as s
from lib.warehouse.bootstrap import has_facts
from lib.warehouse.scope import level_of

TODAY = dt.date(2026, 11, 23)
SCALE = 0.002  # 6 districts, 80 townships, 20,000 screening rows
PERSONAL = {"id_number", "phone", "mobile", "person_name", "姓名", "身份证号", "手机号码"}


@pytest.fixture(scope="module")
def regions():
    return dn.build_regions(SCALE, seed=3)


@pytest.fixture(scope="module")
def frames(regions):
    out: dict[str, pd.DataFrame] = {}
    for name, frame in dn.frames(regions, scale=SCALE, seed=3, today=TODAY):
        out[name] = pd.concat([out[name], frame]) if name in out else frame
    return out


@pytest.mark.parametrize("scale, districts, townships", [(1.0, 2850, 40_000), (0.002, 6, 80),
                                                         (1e-6, 1, 1)])
def test_sizes(scale, districts, townships):
    n = dn.sizes(scale)
    assert (n["districts"], n["townships"]) == (districts, townships)
    assert n["cities"] * dn.DISTRICTS_PER_CITY >= n["districts"]


def test_region_codes_and_parents(regions):
    assert regions["code"].str.fullmatch(r"\d{12}").all() and regions["code"].is_unique
    assert (regions["code"].map(level_of) == regions["level"]).all()
    codes = set(regions["code"])
    # a real city under its real province (one city at this scale: no country row)
    assert regions.loc[regions["level"] == "city", ["code", "name", "parent_code"]].values.tolist() \
        == [["350100000000", "福州市", "350000000000"]]
    assert regions.loc[regions["level"] == "province", "name"].tolist() == ["福建省"]
    assert "country" not in set(regions["level"])
    below = regions[~regions["level"].isin(["province"])]
    assert below["parent_code"].isin(codes).all()
    assert (below["parent_code"].map(level_of) != below["level"]).all()
    counts = regions["level"].value_counts()
    assert counts["district"] == 6 and counts["township"] == 80
    towns = regions[regions["level"] == "township"]
    assert towns[["seat_lon", "seat_lat"]].notna().all().all()  # townships can be drawn as circles
    vil = regions[regions["level"] == "village"]
    assert vil["urban_rural_code"].isin(["111", "220"]).all()


def test_real_provinces_and_cities_round_robin():
    """Two cities already span two provinces (the app opens on the country); 30 are ten provinces'
    three each, every code and name a real one from the province table."""
    from lib.warehouse.divisions import PROVINCES

    two = dn.build_regions(2 * dn.DISTRICTS_PER_CITY / dn.FULL["districts"], seed=3)
    assert set(two.loc[two["level"] == "city", "name"]) == {"福州市", "南昌市"}
    assert two.loc[two["level"] == "country", "code"].tolist() == ["000000000000"]
    assert set(two.loc[two["level"] == "province", "parent_code"]) == {"000000000000"}
    assert len(dn.CITY_ORDER) == 30 and len({c[0] for c in dn.CITY_ORDER}) == 30
    assert {c[0][:2] for c in dn.CITY_ORDER} <= set(PROVINCES)
    assert len({c[0][:2] for c in dn.CITY_ORDER}) == 10


def test_facts_point_at_existing_regions(regions, frames):
    codes = set(regions["code"])
    level = dict(zip(regions["code"], regions["level"]))
    for name, frame in frames.items():
        assert frame["region_code"].astype(str).isin(codes).all(), name
    assert {level[c] for c in frames["screening"]["region_code"].astype(str)} == {"township"}
    assert {level[c] for c in frames["job_fair"]["region_code"].astype(str)} == {"district"}


def test_fact_sizes_and_keys(frames):
    n = dn.sizes(SCALE)
    scr = frames["screening"]
    assert len(scr) == n["townships"] * 2 * len(dn.months_for(n["townships"], n["screening"], TODAY))
    assert not scr.duplicated(["region_code", "month", "kind"]).any()
    assert len(frames["training"]) == n["training"] and frames["training"]["session_id"].is_unique
    assert len(frames["job_fair"]) == n["job_fair"] and frames["job_fair"]["fair_id"].is_unique
    assert len(frames["org_unit"]) == n["org_unit"] and frames["org_unit"]["org_id"].is_unique
    assert (scr["abnormal"] <= scr["screened"]).all() and (scr["treated"] <= scr["diagnosed"]).all()
    fairs = frames["job_fair"]
    assert (fairs["intents"] <= fairs["women_attending"]).all()
    assert (pd.to_datetime(scr["month"]).dt.day == 1).all()
    assert pd.to_datetime(frames["training"]["held_on"]).max() <= pd.Timestamp(TODAY)


def test_no_personal_columns(frames):
    for name, frame in frames.items():
        assert not PERSONAL & set(frame.columns), name
        assert set(frame.columns) <= {c.name for c in s.FACT_TABLES[name].columns}, name


def test_seeded(regions):
    a = dict(dn.frames(regions, scale=SCALE, seed=3, today=TODAY))["training"]
    b = dict(dn.frames(regions, scale=SCALE, seed=3, today=TODAY))["training"]
    pd.testing.assert_frame_equal(a, b)


def test_build_into_warehouse(bare_engine):
    counts = dn.build(bare_engine, seed=5, scale=0.0005, today=TODAY, progress=lambda f, m: None)
    with bare_engine.connect() as conn:
        for dataset, table in s.FACT_TABLES.items():
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == \
                counts[dataset], dataset
        assert conn.execute(select(func.count()).select_from(s.region)).scalar_one() == \
            counts["region"]
        batches = conn.execute(select(s.upload_batch.c.is_demo, s.upload_batch.c.rows_loaded)).all()
    assert batches == [(True, sum(v for k, v in counts.items() if k != "region"))]
    with pytest.raises(RuntimeError):
        dn.build(bare_engine, seed=5, scale=0.0005, today=TODAY, progress=lambda f, m: None)


def test_a_failed_build_takes_its_committed_rows_away(bare_engine, monkeypatch):
    """Each frame is committed as it is made; when a later one fails, the rows already committed
    and the batch go, so the warehouse can be built again."""
    real = dn.bulk_insert

    def failing(conn, table, frame):
        if table is s.screening:
            raise RuntimeError("disk full")
        return real(conn, table, frame)

    monkeypatch.setattr(dn, "bulk_insert", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        dn.build(bare_engine, seed=5, scale=0.0005, today=TODAY, progress=lambda f, m: None)
    assert not has_facts(bare_engine)
    with bare_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.upload_batch)).scalar_one() == 0
    monkeypatch.setattr(dn, "bulk_insert", real)
    counts = dn.build(bare_engine, seed=5, scale=0.0005, today=TODAY, progress=lambda f, m: None)
    assert counts["org_unit"] > 0 and counts["screening"] > 0
