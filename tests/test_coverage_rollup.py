"""Village coverage's rollup (lib/warehouse/coverage_rollup.py) answers as the roster does, on DuckDB
and PostgreSQL, at any date, and stays exact through roster loads, replace-mode retirements,
rollbacks, the demo, new regions and the upgrade from revision 0004.

Each question is asked both ways (``rollup=False`` reads the roster, ``rollup=True`` the rolled-up
changes) and the frames must be equal: dates at year and month ends and inside months, before any
organisation and long after; type lists with both federations (counted once per village), one of
them alone, in either order, and types nobody has. The random rosters put several organisations of
a type on one village with overlapping, touching and separate lifetimes, some never established,
some dissolved before they started, some never active, and organisations above the village level.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, text

from lib.metrics.compute import FEDERATION_TYPES
from lib.warehouse import coverage_rollup, migrations, rollups
from lib.warehouse import queries as q
from lib.warehouse import schema as s
from lib.warehouse.batches import rollback_batch
from lib.warehouse.demo_store import clear_demo, write_demo_batch
from lib.warehouse.engine import write_transaction
from lib.warehouse.loading import load_batch
from lib.warehouse.reference import regions_frame, replace_regions
from lib.warehouse.scope import Scope

D = dt.date
DATES = (D(2010, 1, 1), D(2019, 12, 31), D(2022, 2, 28), D(2023, 6, 30), D(2024, 3, 17),
         D(2025, 12, 31), D(2026, 12, 4), D(2030, 1, 1))
EVERY = ["community_federation", "parent_school", "sister_station", "village_federation",
         "womens_home", "womens_micro_home"]
TYPE_LISTS = [list(FEDERATION_TYPES), EVERY, ["community_federation"],
              ["community_federation", "village_federation"], ["womens_home", "parent_school"],
              ["no_such_type"]]
VIEWS = [("", None), ("", 2), ("", 4), ("", 6), ("35", None), ("35", 4), ("3501", None),
         ("3501", 6), ("350111", None)]
KEY = ["child", "as_of", "area", "org_type"]


def _both(engine, prefix: str, child: int | None, types: list[str], dates=DATES) -> pd.DataFrame:
    with engine.connect() as conn:
        base = q.village_coverage(conn, prefix, dates, types, child_len=child, rollup=False)
        rolled = q.village_coverage(conn, prefix, dates, types, child_len=child, rollup=True)
    base = base.sort_values(KEY, ignore_index=True)
    rolled = rolled.sort_values(KEY, ignore_index=True)
    pd.testing.assert_frame_equal(base, rolled, check_dtype=False,
                                  obj=str((prefix, child, types)))
    return base


def _compare_all(engine, views=VIEWS) -> int:
    """Every view × type list both ways; returns the villages counted (so a test sees real answers)."""
    seen = 0
    for prefix, child in views:
        for types in TYPE_LISTS:
            seen += int(_both(engine, prefix, child, types)["with_org"].sum())
    return seen


def _rows(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {t.name: sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)))
                for t in coverage_rollup.TABLES}


def _incremental_equals_rebuild(engine) -> None:
    with engine.connect() as conn:
        assert rollups.is_current(conn)
    before = _rows(engine)
    with write_transaction(engine) as conn:
        rollups.rebuild(conn)
    assert _rows(engine) == before


# --- the Fuzhou demo ----------------------------------------------------------------------------

def test_demo_coverage_rollup_answers_like_the_roster(demo_engine):
    assert _compare_all(demo_engine) > 1000


def test_pages_read_the_coverage_rollup_where_it_pays(demo_engine, monkeypatch):
    """The dashboard's queries at the city and a district read the rollup (on DuckDB too: the
    roster is not ordered by region); a district by township (a level it does not hold) reads
    the roster; a type list the rollup cannot split (a federation without the one listed
    before it in its group) and another activity window read the roster too."""
    calls = []
    real = q._coverage_from_rollup
    monkeypatch.setattr(q, "_coverage_from_rollup",
                        lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    q.org_coverage(demo_engine, "3501", D(2025, 12, 31), list(FEDERATION_TYPES), child_len=6)
    q.org_coverage_series(demo_engine, "3501", (D(2024, 12, 31), D(2025, 12, 31)), EVERY)
    assert calls == ["3501", "3501"]
    q.org_coverage(demo_engine, "350111", D(2025, 12, 31), EVERY)
    assert calls == ["3501", "3501", "350111"]
    q.org_coverage(demo_engine, "350111", D(2025, 12, 31), EVERY, child_len=9)
    q.org_coverage(demo_engine, "3501", D(2025, 12, 31), EVERY, active_days=90)
    assert calls == ["3501", "3501", "350111"]
    with demo_engine.connect() as conn, pytest.raises(ValueError, match="cannot answer"):
        q.village_coverage(conn, "3501", DATES, EVERY, child_len=9, rollup=True)


def test_the_day_an_organisation_starts_stops_and_goes_quiet(engine):
    """Both ways count the same at the edges: established on the day counts, dissolved on the day
    does not, last active exactly EFFECTIVE_DAYS before is still effective (a day more is not);
    touching lifetimes count once; a village with both federations counts once, under the first."""
    v = _villages(engine)[:6]
    e = D(2024, 3, 17)
    before = lambda n: e - dt.timedelta(days=n)  # noqa: E731
    org = lambda i, code, typ, est, end=None, last=None: dict(  # noqa: E731
        org_id=f"o{i}", region_code=code, org_type=typ, name=None, sector=None,
        exec_members=None, established_on=est, dissolved_on=end, last_activity_on=last)
    roster = pd.DataFrame([
        org(1, v[0], "village_federation", e, last=before(q.EFFECTIVE_DAYS)),
        org(2, v[1], "village_federation", before(10), e, last=e),
        org(3, v[2], "village_federation", e + dt.timedelta(days=1), last=e),
        org(4, v[3], "community_federation", before(100), last=before(q.EFFECTIVE_DAYS + 1)),
        org(5, v[4], "village_federation", before(300), before(1), last=before(2)),
        org(6, v[4], "community_federation", before(300), last=before(3)),
        org(7, v[5], "community_federation", before(50), before(20), last=before(30)),
        org(8, v[5], "community_federation", before(20), last=before(5)),
    ]).astype({"exec_members": "Int64"})
    load_batch(engine, {"org_unit": roster}, user="t", dataset_label="org_unit", scope=Scope.everything())
    got = _both(engine, "", None, list(FEDERATION_TYPES), dates=(before(1), e, e + dt.timedelta(1)))
    on_e = got[got["as_of"] == e].groupby("org_type")[["with_org", "effective"]].sum()
    # v0 vf (effective at the edge); v3, v4 (vf gone the day before), v5 (two touching) cf
    assert on_e.loc["village_federation"].tolist() == [1, 1]
    assert on_e.loc["community_federation"].tolist() == [3, 2]  # v3 went quiet a day too long ago
    day_before = got[got["as_of"] == before(1)].groupby("org_type")["with_org"].sum()
    assert day_before.to_dict() == {"village_federation": 1, "community_federation": 3}  # v1; v3–v5


# --- random rosters through loads, rollbacks, the demo and new regions ----------------------------

def _villages(engine) -> list[str]:
    r = regions_frame(engine)
    v = r[r["level"] == "village"]
    return sorted(v[v["code"].str[:6].isin(["350111", "350102", "350121"])]["code"])


def _roster(codes: list[str], rng, n: int, tag: str) -> pd.DataFrame:
    """Organisations on a few villages (so lifetimes of one type overlap), with awkward dates; the
    last tenth each start the day the one before ends, on its village and type (touching)."""
    start = pd.to_datetime("2018-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D")
    life = pd.to_timedelta(rng.integers(-30, 2500, n), unit="D")  # some end before they start
    last = start + pd.to_timedelta(rng.integers(-100, 3000, n), unit="D")
    frame = pd.DataFrame({
        "org_id": [f"{tag}{i}" for i in range(n)], "region_code": rng.choice(codes, n),
        "org_type": rng.choice(["village_federation", "community_federation", "womens_home",
                                "parent_school"], n, p=[0.35, 0.3, 0.2, 0.15]),
        "name": [f"组织{i}" for i in range(n)], "sector": None, "exec_members": pd.array([None] * n, "Int64"),
        "established_on": pd.Series(start.date, dtype=object),
        "dissolved_on": pd.Series((start + life).date, dtype=object),
        "last_activity_on": pd.Series(last.date, dtype=object)})
    frame.loc[rng.random(n) < 0.45, "dissolved_on"] = None        # still alive
    frame.loc[rng.random(n) < 0.2, "last_activity_on"] = None     # never active
    for i in range(n - n // 10, n):
        before = frame.iloc[i - 1]
        if before["dissolved_on"] is not None:
            frame.loc[frame.index[i], ["region_code", "org_type", "established_on"]] = [
                before["region_code"], before["org_type"], before["dissolved_on"]]
    frame.loc[rng.random(n) < 0.05, "established_on"] = None      # never established
    return frame


def test_roster_loads_and_rollbacks_keep_coverage_exact(engine):
    rng = np.random.default_rng(15)
    villages = _villages(engine)
    codes = list(rng.choice(villages, 25, replace=False)) + ["350111000000", "350102001000"]
    first = load_batch(engine, {"org_unit": _roster(codes, rng, 220, "a")}, user="t",
                       dataset_label="org_unit", scope=Scope.everything())
    _incremental_equals_rebuild(engine)
    assert _compare_all(engine) > 100
    # an upsert moving some organisations to other villages and dates, and adding others
    again = _roster(codes + list(rng.choice(villages, 5)), rng, 160, "a")
    second = load_batch(engine, {"org_unit": again}, user="t", dataset_label="org_unit", scope=Scope.everything())
    assert second.counts.replaced > 0
    _incremental_equals_rebuild(engine)
    _compare_all(engine, VIEWS[::2])
    part = _roster(codes[:8], rng, 40, "b")  # replace mode retires what these villages no longer list
    third = load_batch(engine, {"org_unit": part}, mode="replace", user="t",
                       dataset_label="org_unit", scope=Scope.everything())
    assert third.counts.retired > 0
    _incremental_equals_rebuild(engine)
    _compare_all(engine, VIEWS[::2])
    for batch in (third.batch_id, second.batch_id):
        rollback_batch(engine, batch, role="admin", scope=Scope.everything())
        _incremental_equals_rebuild(engine)
        _compare_all(engine, VIEWS[1::3])
    rollback_batch(engine, first.batch_id, role="admin", scope=Scope.everything())
    _incremental_equals_rebuild(engine)
    with engine.connect() as conn:  # no organisation left: no change of coverage left either
        assert conn.execute(select(s.rollup_village_cov)).first() is None


def test_demo_and_new_regions_keep_coverage_exact(engine):
    rng = np.random.default_rng(4)
    codes = list(rng.choice(_villages(engine), 20, replace=False))
    load_batch(engine, {"org_unit": _roster(codes, rng, 80, "r")}, user="t",
               dataset_label="org_unit", scope=Scope.everything())
    write_demo_batch(engine, {"org_unit": _roster(codes, rng, 80, "d")}, seed=1)
    _incremental_equals_rebuild(engine)
    _compare_all(engine, VIEWS[::3])
    clear_demo(engine)
    _incremental_equals_rebuild(engine)
    _compare_all(engine, VIEWS[::3])
    # villages change class: the denominators and every class split follow (a rebuild)
    regions = regions_frame(engine)
    villages = regions["level"] == "village"
    regions.loc[villages, "urban_rural_code"] = np.where(
        regions.loc[villages, "urban_rural_code"].fillna("220").str[0] == "1", "220", "111")
    replace_regions(engine, regions[~regions["level"].isin(["country", "province"])])
    _incremental_equals_rebuild(engine)
    assert _compare_all(engine, VIEWS[::3]) > 0


# --- the upgrade from the previous release ----------------------------------------------------------

def test_a_warehouse_at_0004_upgrades_with_its_roster_rolled_up(engine):
    """A warehouse the previous release (revision 0004) wrote, with a roster: the start on this
    release (0005) creates the coverage rollup from it, and the rollup answers as the roster."""
    rng = np.random.default_rng(9)
    load_batch(engine, {"org_unit": _roster(list(rng.choice(_villages(engine), 20)), rng, 90, "m")},
               user="t", dataset_label="org_unit", scope=Scope.everything())
    with engine.begin() as conn:  # back to what 0004 left: no coverage tables, version 0004
        for table in coverage_rollup.TABLES:
            table.drop(conn)
        migrations.stamp(conn, "0004")
    from lib.warehouse.engine import ensure_schema
    done = ensure_schema(engine)
    assert any("0005" in str(step) for step in done) and any("0006" in str(step) for step in done), done
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == migrations.head()
        assert rollups.is_current(conn)
    _incremental_equals_rebuild(engine)
    assert _compare_all(engine, VIEWS[::2]) > 0


def test_a_warehouse_at_0005_upgrades_with_its_changes_by_month(engine):
    """A warehouse revision 0005 wrote (changes by day only): the start on this release (0006)
    adds the monthly changes from the daily ones, and coverage answers as the roster."""
    rng = np.random.default_rng(11)
    load_batch(engine, {"org_unit": _roster(list(rng.choice(_villages(engine), 20)), rng, 90, "m")},
               user="t", dataset_label="org_unit", scope=Scope.everything())
    with engine.begin() as conn:  # back to what 0005 left: no monthly table, version 0005
        s.rollup_village_cov_month.drop(conn)
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP INDEX ix_rollup_village_cov_day"))
        migrations.stamp(conn, "0005")
    from lib.warehouse.engine import ensure_schema
    done = ensure_schema(engine)
    assert any("0006" in str(step) for step in done), done
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.rollup_village_cov_month)
                            ).scalar_one() > 0
        assert rollups.is_current(conn)
    _incremental_equals_rebuild(engine)
    assert _compare_all(engine, VIEWS[::2]) > 0
