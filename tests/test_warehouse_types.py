"""Decimal columns are 8-byte doubles on both backends, and older warehouses are widened in place.

Until revision 0003 the schema said ``Float``, which DuckDB stores as a 4-byte REAL, so an aid amount of
12345.678 (万元) came back as 12345.677734375. Revision 0003 (``migrations.steps.widen_floats``)
alters every column declared ``Double`` that a warehouse still holds as a 4-byte float.
"""
from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import pytest
from sqlalchemy import REAL, Double, MetaData, create_engine, insert, select, text
from sqlalchemy.pool import NullPool

from lib.warehouse import migrations
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import ensure_schema, revision_of, schema_version_of, write_transaction
from lib.warehouse.migrations import steps
from tests.conftest import BACKENDS, PG_URL

AMOUNT = 12345.678  # not representable in 4 bytes: a REAL reads back 12345.677734375
DOUBLE_COLUMNS = [(t.name, c.name) for t in s.metadata.sorted_tables for c in t.columns
                  if isinstance(c.type, Double)]


def _types(conn) -> dict[tuple[str, str], str]:
    return {(t, c): d.lower() for t, c, d in conn.execute(text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema()"))}


def test_every_decimal_column_is_declared_double():
    names = set(DOUBLE_COLUMNS)
    for col in [("screening", "aid_amount_10k_yuan"), ("screening_history", "aid_amount_10k_yuan"),
                ("indicator_value", "value"), ("indicator", "target_value"),
                ("training_session", "hours"), ("region", "seat_lon")]:
        assert col in names, col
    assert not [c for t in s.metadata.sorted_tables for c in t.columns
                if type(c.type).__name__ in ("Float", "REAL")]


def test_decimals_round_trip_exactly(engine):
    with engine.connect() as conn:
        stored = _types(conn)
    assert {stored[c] for c in DOUBLE_COLUMNS} <= {"double", "double precision"}
    with write_transaction(engine) as conn:
        bulk_insert(conn, s.screening, pd.DataFrame({
            "region_code": ["350111001000"], "month": [dt.date(2026, 3, 1)], "kind": ["cervical"],
            "screened": [10], "aid_amount_10k_yuan": [AMOUNT], "batch_id": [1]}))
        bulk_insert(conn, s.indicator_value, pd.DataFrame({
            "indicator_code": ["H01"], "region_code": ["350100000000"], "year": [2025],
            "value": [AMOUNT], "batch_id": [1]}))
    with engine.connect() as conn:
        aid = conn.execute(select(s.screening.c.aid_amount_10k_yuan)).scalar_one()
        value = conn.execute(select(s.indicator_value.c.value)).scalar_one()
    assert aid == AMOUNT and value == AMOUNT, (aid, value)


@pytest.fixture(params=BACKENDS)
def raw_engine(request, tmp_path):
    """An engine on an empty database whose schema is not yet ensured."""
    if request.param == "duckdb":
        eng = create_engine(f"duckdb:///{tmp_path / 'old.duckdb'}", poolclass=NullPool)
        yield eng
        eng.dispose()
        return
    schema = f"old_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _old_metadata() -> MetaData:
    """The last pre-Alembic schema (frozen in migrations.schema_v2) with every Double column a
    4-byte REAL, as older releases wrote it on DuckDB."""
    from lib.warehouse.migrations import schema_v2

    old = MetaData()
    for table in schema_v2.metadata.sorted_tables:
        copy = table.to_metadata(old)
        for col in copy.columns:
            if isinstance(col.type, Double):
                col.type = REAL()
    return old


def test_old_warehouse_with_real_columns_is_widened(raw_engine):
    eng = raw_engine
    _old_metadata().create_all(eng)
    at = dt.datetime(2025, 1, 1)
    with eng.begin() as conn:
        old = {(t.name, c.name) for t in _old_metadata().sorted_tables for c in t.columns
               if isinstance(c.type, REAL)}
        assert {"float", "real"} >= {_types(conn)[c] for c in old}  # really old
        conn.execute(insert(s.schema_version).values(version=s.SCHEMA_VERSION, applied_at=at))
        conn.execute(insert(s.data_state).values(id=1, version=5, changed_at=at))
        conn.execute(insert(s.screening).values(region_code="350111001000",
                                                month=dt.date(2025, 3, 1), kind="cervical",
                                                screened=10, aid_amount_10k_yuan=1.5, batch_id=1))
        assert conn.execute(select(s.screening.c.aid_amount_10k_yuan)).scalar_one() == 1.5
    ensure_schema(eng)  # what every start does
    with eng.connect() as conn:
        stored = _types(conn)
        assert {stored[c] for c in DOUBLE_COLUMNS} <= {"double", "double precision"}, stored
        assert conn.execute(select(s.screening.c.aid_amount_10k_yuan)).scalar_one() == 1.5  # kept
        if eng.dialect.name == "duckdb":  # indexes dropped for the ALTER are back
            indexes = {r[0] for r in conn.execute(text(
                "SELECT index_name FROM duckdb_indexes() WHERE table_name = 'screening'"))}
            assert "ix_screening_batch" in indexes, indexes
    assert schema_version_of(eng) == s.SCHEMA_VERSION  # the pre-Alembic record is left as it was
    assert revision_of(eng) == migrations.head()
    with eng.begin() as conn:
        conn.execute(s.screening.update().values(aid_amount_10k_yuan=AMOUNT))
        assert steps.widen_floats(conn) == []  # idempotent: nothing left to widen
    with eng.connect() as conn:
        assert conn.execute(select(s.screening.c.aid_amount_10k_yuan)).scalar_one() == AMOUNT


# --- one village-coverage computation ------------------------------------------------
# The dashboard (queries.org_coverage summed by lib.metrics.compute.coverage) and the targets page
# (indicator_queries, e.g. O01/O02/F01/F02) read the same computation, so they give the same figure.

from lib.metrics.compute import FEDERATION_TYPES, coverage  # noqa: E402
from lib.warehouse import queries as q  # noqa: E402
from lib.warehouse.indicator_queries import indicator_yearly_values  # noqa: E402
from lib.warehouse.reference import indicators_frame, regions_frame  # noqa: E402

# indicator code → (org types, urban/rural class, effective) as the dashboard asks for it
DASHBOARD_ASKS = {"O01": (FEDERATION_TYPES, None, False), "O02": (FEDERATION_TYPES, None, True),
                  "F01": (("parent_school",), "urban", False),
                  "F02": (("parent_school",), "rural", False),
                  "H07": (("counselling_room",), None, False)}


def _both(engine, region: str, year: int) -> list[tuple[str, float, float]]:
    """(indicator, dashboard %, targets page %) at the year's end in ``region``."""
    from lib.warehouse.scope import prefix_of

    catalog = indicators_frame(engine)
    catalog = catalog[catalog["code"].isin(list(DASHBOARD_ASKS))]
    targets = indicator_yearly_values(engine, region, catalog)
    out = []
    for code, (types, area, effective) in DASHBOARD_ASKS.items():
        cov = q.org_coverage(engine, prefix_of(region), dt.date(year, 12, 31), list(types))
        dash = 100.0 * coverage(cov, types, area=area, effective=effective)
        row = targets[(targets["indicator_code"] == code) & (targets["year"] == year)]
        out.append((code, dash, float(row["value"].iloc[0]) if len(row) else float("nan")))
    return out


@pytest.mark.parametrize("region", ["350100000000", "350111000000", "350121000000"])
def test_dashboard_and_targets_give_the_same_coverage_on_the_demo(demo_engine, region):
    figures = _both(demo_engine, region, 2025)
    assert all(d == pytest.approx(t, abs=1e-9) for _c, d, t in figures), figures
    assert sum(0 < d < 100 for _c, d, _t in figures) >= 3, figures  # real figures, not all 0/100


def test_same_coverage_with_both_federations_and_an_unclassed_village(engine):
    """The cases where the two used to part: a village holding both federations (the dashboard
    counted it twice), a village without an urban/rural code (rural on the dashboard, left out by
    the targets page) and an activity exactly 180 days before the year end (> versus >=)."""
    r = regions_frame(engine)
    town = "350111202000"
    villages = sorted(r.loc[(r.level == "village") & (r.parent_code == town), "code"])
    v1, v2, v3 = villages[:3]
    with write_transaction(engine) as conn:
        conn.execute(s.region.update().where(s.region.c.code == v3).values(urban_rural_code=None))
        bulk_insert(conn, s.org_unit, pd.DataFrame([
            dict(org_id="a", region_code=v1, org_type="village_federation",
                 established_on=dt.date(2020, 1, 1), last_activity_on=dt.date(2025, 7, 4)),
            dict(org_id="b", region_code=v1, org_type="community_federation",
                 established_on=dt.date(2020, 1, 1), last_activity_on=dt.date(2025, 1, 1)),
            dict(org_id="c", region_code=v2, org_type="community_federation",
                 established_on=dt.date(2020, 1, 1), last_activity_on=dt.date(2025, 1, 1)),
            dict(org_id="d", region_code=v3, org_type="parent_school",
                 established_on=dt.date(2020, 1, 1), last_activity_on=dt.date(2025, 12, 1)),
        ]).assign(batch_id=1, exec_members=pd.Series([None] * 4, dtype="Int64")))
    figures = dict((c, (d, t)) for c, d, t in _both(engine, town, 2025))
    n = len(villages)
    assert figures["O01"] == (pytest.approx(200 / n), pytest.approx(200 / n))  # v1 once, v2
    assert figures["O02"] == (pytest.approx(100 / n), pytest.approx(100 / n))  # v1: 2025-07-04 =
    # 2025-12-31 − 180 days counts as active on both pages
    assert figures["F02"] == (pytest.approx(100 / n), pytest.approx(100 / n))  # v3 is rural
