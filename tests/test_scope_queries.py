"""A 晋安区 (350111) caller's every warehouse query holds only 350111… data, on DuckDB and PostgreSQL.

Each query function of lib/warehouse/queries.py and lib/warehouse/indicator_queries.py runs with the
prefix the frame gives that user (lib/warehouse/scope.narrow). Two checks per result: the region
codes it returns all start with 350111, and it does not change when every row *outside* 350111 is
altered (poisoned) — while the same call for the whole city does change, so the SQL sees the poison.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select, update

from lib import clock, demo
from lib.warehouse import indicator_queries as iq
from lib.warehouse import queries as q
from lib.warehouse import rollups
from lib.warehouse import schema as s
from lib.warehouse.reference import indicators_frame, regions_frame
from lib.warehouse.scope import Scope, ScopeError, narrow

SCOPE = "350111"  # 晋安区
CITY = "350100000000"
ORG_TYPES = ["village_federation", "community_federation", "parent_school", "volunteer_team"]
FAR = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def wh(request, tmp_path_factory):
    """A demo warehouse of its own (the test poisons it) and one township of 晋安区."""
    from tests.conftest import BACKENDS, _open

    if request.param not in BACKENDS:
        pytest.skip("HALFSKY_TEST_PG_URL is not set")
    engine, _url, drop = _open(request.param, tmp_path_factory.mktemp(request.param))
    demo.build_demo(engine, seed=7)
    yield engine
    drop()


def _township(engine) -> str:
    r = regions_frame(engine)
    return r[(r["level"] == "township") & r["code"].str.startswith(SCOPE)]["code"].iloc[0]


def _calls(engine, prefix: str, region_code: str) -> dict[str, object]:
    """Every query function with the prefix (and region) the frame would give a caller."""
    out: dict[str, object] = {}
    as_of = clock.today()
    # the frame only ever groups by a level below the view (Filters.child_len)
    levels = [None] + [n for n in (6, 9, 12) if n > len(prefix)]
    for ds in q.MEASURES:
        for child_len in levels:
            for ur in (None, "urban", "rural"):
                out[f"facts/{ds}/{child_len}/{ur}"] = q.facts(
                    engine, ds, prefix, *FAR, child_len=child_len, urban_rural=ur)
        out[f"facts/{ds}/month"] = q.facts(engine, ds, prefix, *FAR, by_month=True,
                                           child_len=levels[-1])
        for col in sorted(q.GROUPABLE[ds]):
            out[f"facts/{ds}/by_{col}"] = q.facts(engine, ds, prefix, *FAR, by=(col,),
                                                  child_len=levels[-1])
    years = list(range(2015, as_of.year + 1))
    for child_len in levels:
        for ur in (None, "rural"):
            out[f"targets/{child_len}/{ur}"] = q.screening_targets(
                engine, prefix, years, child_len=child_len, urban_rural=ur)
        out[f"org_coverage/{child_len}"] = q.org_coverage(engine, prefix, as_of, ORG_TYPES,
                                                         child_len=child_len)
        out[f"org_counts/{child_len}"] = q.org_counts(engine, prefix, as_of, child_len=child_len,
                                                     by_sector=True)
    out["org_coverage_series"] = q.org_coverage_series(engine, prefix, (FAR[0], as_of), ORG_TYPES)
    out["villages_without"] = q.villages_without(engine, prefix, as_of, ORG_TYPES)
    out["data_period"] = q.data_period(engine, Scope(prefix))
    catalog = indicators_frame(engine)
    out["indicator_yearly_values"] = iq.indicator_yearly_values(engine, region_code, catalog)
    out["uploaded_yearly_values"] = iq.uploaded_yearly_values(engine, (region_code,),
                                                              list(catalog["code"]))
    sources = set(catalog["computed_from"].dropna())
    with engine.connect() as conn:
        for src, frame in iq.computed_values(conn, prefix, sources).items():
            out[f"computed/{src}"] = frame
    return out


def _codes(frame: pd.DataFrame) -> list[str]:
    """Every region code a result carries (child prefixes padded, codes and region_code columns)."""
    codes: list[str] = []
    if not isinstance(frame, pd.DataFrame):
        return codes  # (first, last) months: no regions
    for col in ("child", "code", "region_code"):
        if col in frame.columns:
            codes += [str(c) for c in frame[col] if str(c)]
    return codes


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame):
        a = a.sort_values(list(a.columns), ignore_index=True)
        b = b.sort_values(list(b.columns), ignore_index=True)
        try:
            pd.testing.assert_frame_equal(a, b, check_dtype=False)
            return True
        except AssertionError:
            return False
    return a == b


def _poison(engine) -> None:
    """Alter every fact outside 晋安区 (and add facts recorded at city level): huge numbers, all
    organisations alive and active, indicator values +1000, urban/rural classes flipped."""
    today = clock.today()
    outside = lambda t: ~t.c.region_code.startswith(SCOPE)  # noqa: E731
    with engine.begin() as conn:
        batch = conn.execute(select(s.upload_batch.c.batch_id).limit(1)).scalar_one()
        sc = s.screening
        conn.execute(update(sc).where(outside(sc)).values(
            screened=sc.c.screened * 10 + 7, abnormal=sc.c.abnormal * 10 + 7,
            diagnosed=sc.c.diagnosed * 10 + 7, treated=sc.c.treated * 10 + 7,
            aided=sc.c.aided * 10 + 7))
        tr = s.training_session
        conn.execute(update(tr).where(outside(tr)).values(participants=tr.c.participants * 10 + 7,
                                                          hours=tr.c.hours * 10 + 7))
        jf = s.job_fair
        conn.execute(update(jf).where(outside(jf)).values(
            positions=jf.c.positions * 10 + 7, women_attending=jf.c.women_attending * 10 + 7,
            intents=jf.c.intents * 10 + 7, employers=jf.c.employers * 10 + 7))
        tg = s.screening_target
        conn.execute(update(tg).where(outside(tg)).values(
            eligible_women=tg.c.eligible_women * 10 + 7, quota=tg.c.quota * 10 + 7))
        ou = s.org_unit
        conn.execute(update(ou).where(outside(ou)).values(
            established_on=dt.date(2015, 1, 1), dissolved_on=None, last_activity_on=today,
            exec_members=ou.c.exec_members * 10 + 7))
        iv = s.indicator_value
        conn.execute(update(iv).where(outside(iv)).values(value=iv.c.value + 1000))
        r = s.region
        conn.execute(update(r).where(~r.c.code.startswith(SCOPE), r.c.level == "village")
                     .values(urban_rural_code="111"))
        # facts recorded above the district: the city itself
        conn.execute(insert(s.job_fair).values(
            fair_id="poison-city", region_code=CITY, held_on=today, fair_type="comprehensive",
            employers=10**6, positions=10**7, women_attending=10**6, intents=10**5, hires=10**4,
            batch_id=batch))
        conn.execute(insert(s.training_session).values(
            session_id="poison-city", region_code=CITY, held_on=today, topic="policy",
            audience="exec_member", mode="offline", participants=10**7, hours=10**4,
            batch_id=batch))
        rollups.rebuild(conn)  # written behind the loader's back: sum the poison up as a load would


def test_every_query_holds_only_the_scope_and_ignores_the_rest(wh):
    township = _township(wh)
    # the prefixes the frame gives a 晋安区 user for the views it can select
    views = [(narrow(SCOPE, CITY), "350111000000"),          # default view (the city) → 350111
             (narrow(SCOPE, "350111000000"), "350111000000"),
             (narrow(SCOPE, township), township)]
    assert [p for p, _ in views] == [SCOPE, SCOPE, township[:9]]
    before = {p: _calls(wh, p, code) for p, code in views[1:]}
    city_before = _calls(wh, "3501", CITY)
    for prefix, results in before.items():
        for name, result in results.items():
            assert all(c.startswith(prefix) for c in _codes(result)), (prefix, name)
    assert any(len(_codes(r)) for r in before[SCOPE].values())  # codes were checked at all

    _poison(wh)
    after = {p: _calls(wh, p, code) for p, code in views[1:]}
    for prefix in before:
        changed = [n for n in before[prefix] if not _same(before[prefix][n], after[prefix][n])]
        assert not changed, f"{prefix}: rows outside the scope leak into {changed}"
    # the poison is visible to the same calls over the whole city: the checks above can fail
    city_after = _calls(wh, "3501", CITY)
    unseen = [n for n in city_before if _same(city_before[n], city_after[n])
              and not (isinstance(city_before[n], pd.DataFrame) and city_before[n].empty)]
    # Only rural-only results can miss the poison (it turns every village outside the scope urban).
    assert all("rural" in n for n in unseen), unseen


@pytest.mark.parametrize("code", ["350102000000", "350102001000", "350100000001", "350000000000"])
def test_other_regions_are_refused_not_widened(code):
    if code == "350000000000":  # the province is a parent of the scope: narrowed to the scope
        assert narrow(SCOPE, code) == SCOPE
        return
    with pytest.raises((ScopeError, ValueError)):
        narrow(SCOPE, code)


@pytest.mark.parametrize("bad", ["%", "35%", "3501_1", "350111' OR '1'='1", "3501%"])
def test_indicator_queries_refuse_a_wildcard_prefix(wh, bad):
    """LIKE wildcards in a prefix would match other districts: refused, not run."""
    catalog = indicators_frame(wh)
    with pytest.raises(ValueError):
        iq.indicator_yearly_values(wh, bad, catalog)
    with wh.connect() as conn, pytest.raises(ValueError):
        iq.computed_values(conn, bad, set(catalog["computed_from"].dropna()))


@pytest.mark.parametrize("bad", ["%", "3501%", "3501_1"])
def test_fact_queries_treat_wildcards_as_text(wh, bad):
    """queries.py escapes its prefix: a wildcard matches no code at all."""
    assert q.facts(wh, "screening", bad, *FAR).empty
    assert q.org_counts(wh, bad, clock.today()).empty
    assert q.villages_without(wh, bad, clock.today(), ORG_TYPES).empty


# Functions that return no facts of a region (reference data and warehouse metadata): not narrowed.
UNSCOPED = {"has_demo_rows", "regions_table",  # queries.py
            "in_prefix",                                                  # the filter itself
            "scope_prefix", "city_region_code", "top_region_code"}        # indicator_queries.py
# What the queries are built from: SQL expressions and the rollup rule (no rows of their own), and
# village coverage, which org_coverage and computed_values run for every view exercised above.
PARTS = {"child_prefix", "merged_type", "townships_of_area", "village_area", "rollup_policy",
         "village_coverage"}
EXERCISED = {"freshness", "data_period", "facts", "screening_targets", "org_coverage",
             "org_coverage_series", "org_counts",
             "villages_without", "indicator_yearly_values", "uploaded_yearly_values",
             "computed_values"}


def test_every_query_function_is_covered_here():
    """A new query function fails this test until it is exercised above (or argued unscoped)."""
    import inspect

    public = {name for mod in (q, iq) for name, fn in inspect.getmembers(mod, inspect.isfunction)
              if fn.__module__ == mod.__name__ and not name.startswith("_")}
    assert public == UNSCOPED | PARTS | EXERCISED, public ^ (UNSCOPED | PARTS | EXERCISED)
