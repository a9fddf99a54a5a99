"""Rollups (lib/warehouse/rollups.py) give the same answers as the base tables, on DuckDB and
PostgreSQL, and stay exact through loads, replace-mode retirements, rollbacks and the demo.

Every query routed to the rollups (queries.facts, queries.screening_targets) is run both ways
(``rollup=True`` / ``rollup=False``) for several prefixes, child levels, periods (whole months,
partial months at either end, one partial month) and urban/rural filters, over the Fuzhou demo and
over random hand-built facts that also lie outside the region table (other cities and provinces,
city- and district-level records). After every write the incrementally refreshed rollup tables must
also equal a full rebuild.
"""
from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from lib.warehouse import indicator_queries as iq
from lib.warehouse import queries as q
from lib.warehouse import rollups
from lib.warehouse import schema as s
from lib.warehouse.batches import rollback_batch
from lib.warehouse.demo_store import clear_demo, write_demo_batch
from lib.warehouse.engine import write_transaction
from lib.warehouse.loading import load_batch
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import Scope

PERIODS = [
    (dt.date(2000, 1, 1), dt.date(2100, 12, 31)),   # everything, whole months
    (dt.date(2024, 3, 1), dt.date(2024, 12, 31)),   # whole months
    (dt.date(2024, 3, 17), dt.date(2025, 2, 9)),    # partial months at both ends
    (dt.date(2024, 5, 2), dt.date(2024, 5, 20)),    # inside one month
    (dt.date(2025, 1, 1), dt.date(2025, 6, 15)),    # a period ending "today"
]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"])
    return frame.sort_values(list(frame.columns), ignore_index=True)


def _same(a: pd.DataFrame, b: pd.DataFrame, exact: bool, what) -> None:
    a, b = _sorted(a), _sorted(b)
    assert list(a.columns) == list(b.columns), what
    keys = [c for c in a.columns if not pd.api.types.is_float_dtype(a[c])
            and not pd.api.types.is_float_dtype(b[c])]
    a, b = a.sort_values(keys, ignore_index=True), b.sort_values(keys, ignore_index=True)
    if exact:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=True, obj=str(what))
    else:  # floating sums added in another order may differ in the last bits
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9, obj=str(what))


def _compare(engine, prefixes, *, exact: bool, periods=PERIODS, full: bool = True) -> int:
    """Run routed queries both ways; returns how many non-empty answers were compared.

    Every (dataset, period, child level) at each prefix, the urban/rural filter taking its three
    values in turn; with ``full`` also by month and by each groupable column."""
    assert _is_current(engine)
    seen = 0
    areas = itertools.cycle((None, "urban", "rural"))
    for prefix in prefixes:
        childs = [None] + [n for n in (2, 4, 6, 9, 12) if n > len(prefix)]
        for ds, (d0, d1), child in itertools.product(q.MEASURES, periods, childs):
            kw = dict(child_len=child, urban_rural=next(areas))
            variants = [kw]
            if full and child == childs[-2]:
                variants += [dict(kw, by_month=True)] + [
                    dict(kw, by=(col,)) for col in sorted(q.GROUPABLE[ds])]
            for v in variants:
                base = q.facts(engine, ds, prefix, d0, d1, rollup=False, **v)
                rolled = q.facts(engine, ds, prefix, d0, d1, rollup=True, **v)
                _same(base, rolled, exact, (ds, prefix, d0, d1, v))
                seen += not base.empty
        for child, ur in itertools.product(childs, (None, "urban", "rural")):
            years = [2023, 2024, 2025, 2026]
            base = q.screening_targets(engine, prefix, years, child_len=child, urban_rural=ur,
                                       rollup=False)
            rolled = q.screening_targets(engine, prefix, years, child_len=child, urban_rural=ur,
                                         rollup=True)
            _same(base, rolled, exact, ("targets", prefix, child, ur))
            seen += not base.empty
        with engine.connect() as conn:  # the targets page's screening indicators, by year
            base = iq._screening(conn, prefix, rollup=False)
            rolled = iq._screening(conn, prefix, rollup=True)
            years = list(range(2022, 2027))
            base["exec_training"] = iq._exec_training(conn, prefix, years, rollup=False)
            rolled["exec_training"] = iq._exec_training(conn, prefix, years, rollup=True)
        assert base.keys() == rolled.keys()
        for name in base:
            _same(base[name], rolled[name], exact, ("indicator", name, prefix))
            seen += not base[name].empty
    return seen


def _is_current(engine) -> bool:
    with engine.connect() as conn:
        return rollups.is_current(conn)


def _rollup_rows(engine) -> dict[str, list]:
    out = {}
    with engine.connect() as conn:
        for t in s.ROLLUP_BY_DATASET.values():
            out[t.name] = sorted(tuple(str(round(v, 6)) if isinstance(v, float) else str(v)
                                       for v in r) for r in conn.execute(select(t)))
    return out


def _assert_incremental_equals_rebuild(engine) -> None:
    """The rollups after incremental refreshes are the rows a full rebuild writes."""
    assert _is_current(engine)
    before = _rollup_rows(engine)
    with write_transaction(engine) as conn:
        rollups.rebuild(conn)
    assert _rollup_rows(engine) == before


# --- the Fuzhou demo ----------------------------------------------------------------------------

def test_demo_rollups_answer_like_the_base_tables(demo_engine):
    regions = regions_frame(demo_engine)
    township = regions[regions["level"] == "township"]["code"].iloc[5][:9]
    prefixes = ["", "3501", "350111", township]
    assert _is_current(demo_engine)  # the demo build refreshed them in its transaction
    seen = _compare(demo_engine, prefixes[:2], exact=False, periods=PERIODS[1:4])
    seen += _compare(demo_engine, prefixes[2:], exact=False, periods=PERIODS[2:3], full=False)
    assert seen > 100  # the comparisons were of real answers, not of empty frames


def test_pages_read_rollups_only_while_current(demo_engine, monkeypatch):
    """The default policy reads the rollups for the city on DuckDB (and everywhere on PostgreSQL),
    and never once a write bypassed them; ``rollup=True`` then refuses instead of answering."""
    calls = []
    real = q._facts_from_rollup
    monkeypatch.setattr(q, "_facts_from_rollup", lambda *a, **k: calls.append(a) or real(*a, **k))
    q.facts(demo_engine, "screening", "3501", *PERIODS[0], child_len=6)
    assert len(calls) == 1
    q.facts(demo_engine, "screening", "350111", *PERIODS[0], child_len=9)
    assert len(calls) == (2 if demo_engine.dialect.name == "postgresql" else 1)
    q.facts(demo_engine, "screening", "350111", *PERIODS[0], child_len=12)  # villages: base
    assert len(calls) == (2 if demo_engine.dialect.name == "postgresql" else 1)


# --- hand-built random facts, loads, rollbacks ---------------------------------------------------

def _codes(engine, rng) -> list[str]:
    """Region codes facts may carry: townships (urban and rural), villages, districts, the city,
    and codes of another city and another province the region table does not have."""
    r = regions_frame(engine)
    towns = list(r[r["level"] == "township"]["code"].sample(12, random_state=int(rng.integers(1e6))))
    villages = list(r[r["level"] == "village"]["code"].sample(4, random_state=1))
    return towns + villages + ["350111000000", "350100000000", "350200000000", "350201001000",
                               "360102003000", "360102003004"]


def _frames(codes, rng, n: int, tag: str) -> dict[str, pd.DataFrame]:
    days = pd.to_datetime("2023-11-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    pick = lambda: rng.choice(codes, n)  # noqa: E731
    training = pd.DataFrame({
        "session_id": [f"{tag}{i}" for i in range(n)], "region_code": pick(),
        "held_on": days.date, "topic": rng.choice(["policy", "health", "skills"], n),
        "audience": rng.choice(["exec_member", "women"], n),
        "mode": rng.choice(["online", "offline"], n),
        "participants": rng.integers(1, 90, n), "hours": rng.integers(1, 40, n) * 0.25})
    job_fair = pd.DataFrame({
        "fair_id": [f"{tag}{i}" for i in range(n)], "region_code": pick(), "held_on": days.date,
        "fair_type": rng.choice(["comprehensive", "special"], n),
        "employers": rng.integers(1, 50, n), "positions": rng.integers(1, 500, n),
        "women_attending": rng.integers(1, 900, n), "intents": rng.integers(0, 90, n),
        "hires": pd.array([None if x < 0.2 else int(x * 30) for x in rng.random(n)], "Int64")})
    months = sorted({(d.year, d.month) for d in days})
    keys = pd.DataFrame([(c, dt.date(y, m, 1), k) for c in codes for (y, m) in months
                         for k in ("cervical", "breast")], columns=["region_code", "month", "kind"])
    keys = keys.sample(min(n, len(keys)), random_state=int(rng.integers(1e6)))
    m = len(keys)
    screening = keys.assign(
        screened=rng.integers(0, 300, m), abnormal=rng.integers(0, 20, m),
        diagnosed=rng.integers(0, 5, m), treated=rng.integers(0, 5, m),
        aided=pd.array([None if x < 0.3 else int(x * 4) for x in rng.random(m)], "Int64"),
        aid_amount_10k_yuan=rng.integers(0, 64, m) * 0.125)
    targets = pd.DataFrame([(c, y, k) for c in codes for y in (2024, 2025)
                            for k in ("cervical", "breast")], columns=["region_code", "year", "kind"])
    t = len(targets)
    targets = targets.assign(eligible_women=rng.integers(100, 5000, t),
                             quota=pd.array([None if x < 0.25 else int(x * 900)
                                             for x in rng.random(t)], "Int64"))
    return {"training": training, "job_fair": job_fair, "screening": screening,
            "screening_target": targets}


PREFIXES = ["", "36", "3501", "350111"]
FEW = [PERIODS[2], PERIODS[3]]  # partial months at the ends (the months between are whole)


def test_random_facts_through_loads_and_rollbacks(engine):
    rng = np.random.default_rng(15)
    codes = _codes(engine, rng)
    assert _is_current(engine)  # a new warehouse: empty rollups are exact
    first = load_batch(engine, _frames(codes, rng, 300, "a"), user="t", dataset_label="facts", scope=Scope.everything())
    _assert_incremental_equals_rebuild(engine)

    # an upsert changing some rows (and moving some to other regions and months) and adding others
    more = _frames(codes, rng, 200, "a")  # same ids a0…a199: replaced where they differ
    second = load_batch(engine, more, user="t", dataset_label="facts", scope=Scope.everything())
    assert second.counts.replaced > 0
    _assert_incremental_equals_rebuild(engine)
    # replace mode: the file speaks for its (region, month) groups and retires the rest there
    part = {k: v.iloc[: len(v) // 3] for k, v in _frames(codes, rng, 150, "b").items()}
    third = load_batch(engine, part, mode="replace", user="t", dataset_label="facts", scope=Scope.everything())
    assert third.counts.retired > 0
    _assert_incremental_equals_rebuild(engine)
    assert _compare(engine, PREFIXES, exact=True, periods=FEW) > 50

    for batch in (third.batch_id, second.batch_id):
        rollback_batch(engine, batch, role="admin", scope=Scope.everything())
        _assert_incremental_equals_rebuild(engine)
    _compare(engine, ["", "3501"], exact=True, periods=PERIODS[2:3], full=False)
    rollback_batch(engine, first.batch_id, role="admin", scope=Scope.everything())
    _assert_incremental_equals_rebuild(engine)
    with engine.connect() as conn:  # nothing left: every rollup row went with its facts
        assert not any(conn.execute(select(t)).first() for t in s.ROLLUP_BY_DATASET.values())


def test_demo_write_and_clear_keep_rollups_exact(engine):
    rng = np.random.default_rng(3)
    codes = _codes(engine, rng)
    real = _frames(codes, rng, 120, "r")  # the demo's screening keys would collide with these
    load_batch(engine, {k: real[k] for k in ("training", "job_fair")}, user="t",
               dataset_label="facts", scope=Scope.everything())
    write_demo_batch(engine, _frames(codes, rng, 120, "d"), seed=1)
    _assert_incremental_equals_rebuild(engine)
    _compare(engine, ["", "3501"], exact=True, periods=PERIODS[2:3], full=False)
    clear_demo(engine)
    _assert_incremental_equals_rebuild(engine)
    _compare(engine, ["", "3501"], exact=True, periods=PERIODS[2:3], full=False)


def test_a_write_bypassing_rollups_sends_pages_to_the_base_tables(engine):
    rng = np.random.default_rng(5)
    codes = _codes(engine, rng)
    load_batch(engine, _frames(codes, rng, 50, "x"), user="t", dataset_label="facts", scope=Scope.everything())
    period = PERIODS[0]
    before = q.facts(engine, "training", "3501", *period)
    with write_transaction(engine) as conn:  # facts written outside the load path
        conn.execute(insert(s.training_session).values(
            id_scope="350111", session_id="stray", region_code="350111000000",
            held_on=dt.date(2024, 6, 3), topic="policy", audience="women", mode="offline",
            participants=1000, hours=1.0, batch_id=1))
    assert not _is_current(engine)
    after = q.facts(engine, "training", "3501", *period)
    assert after["participants"].sum() == before["participants"].sum() + 1000
    with pytest.raises(RuntimeError, match="stale"):
        q.facts(engine, "training", "3501", *period, rollup=True)
    # the next load repairs them (a full rebuild in its transaction)
    load_batch(engine, _frames(codes, rng, 10, "y"), user="t", dataset_label="facts", scope=Scope.everything())
    _assert_incremental_equals_rebuild(engine)
    _compare(engine, ["", "3501"], exact=True, periods=PERIODS[2:3], full=False)


def test_writes_that_change_no_facts_keep_rollups_current(engine):
    from lib.warehouse.progress_store import add_alias, remove_alias
    from lib.warehouse.reference import replace_regions

    rng = np.random.default_rng(8)
    load_batch(engine, _frames(_codes(engine, rng), rng, 40, "z"), user="t", dataset_label="facts",
               scope=Scope.everything())
    add_alias(engine, "高新区", "350111000000", user="t", scope=Scope.everything())
    remove_alias(engine, "高新区", user="t", scope=Scope.everything())
    assert _is_current(engine)
    # new regions change townships' urban/rural classes: rebuilt in the same transaction
    regions = regions_frame(engine)
    villages = regions["level"] == "village"
    regions.loc[villages, "urban_rural_code"] = np.where(
        regions.loc[villages, "urban_rural_code"].fillna("220").str[0] == "1", "220", "111")
    replace_regions(engine, regions[~regions["level"].isin(["country", "province"])])
    assert _is_current(engine)
    _compare(engine, ["", "3501"], exact=True, periods=PERIODS[2:3], full=False)
