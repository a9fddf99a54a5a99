"""The aggregate queries the pages read: few, wide, and all narrowed by a region-code prefix.

Each returns a small frame. Callers pass the prefix they may see (lib/warehouse/scope.narrow), so
access control lives here, in SQL, not in the pages.
"""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import (
    BigInteger, Boolean, Connection, Date, Double, Engine, String, Text, and_, case, cast, column,
    func, literal_column, or_, select, true, union_all, values,
)

from lib.warehouse import schema as s
from lib.warehouse.scope import LEVEL_LENGTH, Scope

# Numeric measures summed per dataset, and the date column each dataset is filtered on.
MEASURES = {
    "training": (s.training_session, "held_on",
                 ["participants", "hours"]),
    "job_fair": (s.job_fair, "held_on",
                 ["employers", "positions", "women_attending", "intents", "hires"]),
    "screening": (s.screening, "month",
                  ["screened", "abnormal", "diagnosed", "treated", "aided", "aid_amount_10k_yuan"]),
}
GROUPABLE = {"training": {"topic", "audience", "mode"}, "job_fair": {"fair_type"},
             "screening": {"kind"}}


def child_prefix(col, child_len: int | None):
    """The child region's prefix; the length is inlined (an int from code) because DuckDB takes no
    bound parameters in GROUP BY. Without a child level every row falls in one group, '' ."""
    n = int(child_len) if child_len else 0
    return func.substr(col, literal_column("1"), literal_column(str(n))) if n else None


def in_prefix(col, prefix: str):
    """Codes starting with a digit ``prefix``, as the range prefix <= code < next prefix (350111 →
    350112): unlike LIKE … ESCAPE it lets DuckDB skip row groups by their min/max and PostgreSQL use
    a btree index; digits-only bounds order the same under any collation (docs/performance.md)."""
    if not prefix:
        return true()
    if not prefix.isascii() or not prefix.isdigit():
        return col.startswith(prefix, autoescape=True)
    head = prefix.rstrip("9")
    if not head:
        return col >= prefix  # 99…: every larger digit string starts with it
    return and_(col >= prefix, col < head[:-1] + str(int(head[-1]) + 1))


def _keys(*exprs):
    return [e for e in exprs if e is not None]


def _with_child(frame: pd.DataFrame) -> pd.DataFrame:
    if "child" not in frame.columns:
        frame.insert(0, "child", "")
    return frame


def _urban_rural_filter(region_col, urban_rural: str | None):
    """Facts of urban or rural townships: a township's class is the majority class of its villages.

Facts recorded above township level (e.g. district job fairs) have no class and drop out.
"""
    if not urban_rural:
        return None
    return region_col.in_(townships_of_area(urban_rural))


def facts(engine: Engine, dataset: str, prefix: str, date_from: dt.date, date_to: dt.date, *,
          child_len: int | None = None, by_month: bool = False, by: tuple[str, ...] = (),
          urban_rural: str | None = None, rollup: bool | None = None) -> pd.DataFrame:
    """Summed measures (+ row count ``n``) of one dataset, grouped by child region / month / columns.

    ``rollup``: None reads the rollups where ``rollup_policy`` says they pay, True wherever they
    can answer (tests), False never; the answer is the same (tests/test_rollups.py).
    """
    table, date_col, measures = MEASURES[dataset]
    bad = set(by) - GROUPABLE[dataset]
    if bad:
        raise ValueError(f"cannot group {dataset} by {sorted(bad)}")
    if urban_rural and urban_rural not in ("urban", "rural"):
        raise ValueError(f"unknown area {urban_rural!r}")
    level = _rollup_level(prefix, child_len)
    if level is not None and rollup is not False:
        with engine.connect() as conn:
            if rollup_policy(conn, prefix, rollup):
                stmt, cols = _facts_from_rollup(dataset, prefix, date_from, date_to, level,
                                                child_len, by_month, by, urban_rural)
                rows = conn.execute(stmt).mappings().all()
                return _facts_frame(rows, cols, measures, bool(child_len or by_month or by),
                                    by_month)
    date_c = table.c[date_col]
    child = child_prefix(table.c.region_code, child_len)
    keys = [child.label("child")] if child is not None else []
    if by_month:
        keys.append(cast(func.date_trunc("month", date_c), Date).label("month")
                    if dataset != "screening" else date_c.label("month"))
    keys += [table.c[b].label(b) for b in by]
    cols = keys + [func.count().label("n")] + [
        func.coalesce(func.sum(table.c[m]), 0).label(m) for m in measures]
    where = [in_prefix(table.c.region_code, prefix),
             date_c >= date_from, date_c <= date_to]
    ur = _urban_rural_filter(table.c.region_code, urban_rural)
    if ur is not None:
        where.append(ur)
    stmt = select(*cols).where(and_(*where))
    if keys:
        stmt = stmt.group_by(*keys)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return _facts_frame(rows, [c.name for c in cols], measures, bool(keys), by_month)


def _facts_frame(rows, cols: list[str], measures: list[str], keyed: bool,
                 by_month: bool) -> pd.DataFrame:
    frame = _with_child(pd.DataFrame(rows, columns=cols))
    if not keyed and not frame.empty and frame["n"].iloc[0] == 0:
        frame = frame.iloc[0:0]
    if by_month and not frame.empty:
        frame["month"] = pd.to_datetime(frame["month"])
    for m in measures + ["n"]:
        frame[m] = pd.to_numeric(frame[m], errors="coerce").fillna(0)
    return frame


# Region-prefix lengths the rollups are kept at (country … township); village children (12) and
# prefixes between levels are answered from the base tables.
ROLLUP_LEVELS: tuple[int, ...] = tuple(sorted(
    {n for n in LEVEL_LENGTH.values() if n < LEVEL_LENGTH["village"]}))


def _rollup_level(prefix: str, child_len: int | None) -> int | None:
    """The rollup level answering a query at ``prefix`` grouped by ``child_len`` (None: none)."""
    if child_len:
        return int(child_len) if (child_len in ROLLUP_LEVELS and len(prefix) <= child_len) else None
    return next((n for n in ROLLUP_LEVELS if n >= len(prefix)), None)


def rollup_policy(conn: Connection, prefix: str, rollup: bool | None, *,
                   duckdb_base_below: int | None = LEVEL_LENGTH["city"]) -> bool:
    """Read the rollups? Where they pay: on PostgreSQL always (it scans rows slowly), on DuckDB for
    the city and coarser views (a district's or township's rows are few and zone maps skip the
    rest) — or every view, ``duckdb_base_below=None``, where the base rows are not clustered by
    region (the roster). Never while they are stale (a write bypassed them): the base tables are
    the truth."""
    if rollup is None and conn.dialect.name != "postgresql" and duckdb_base_below is not None \
            and len(prefix) > duckdb_base_below:
        return False
    state = conn.execute(select(s.rollup_state.c.version == s.data_state.c.version)
                         .join_from(s.rollup_state, s.data_state,
                                    s.data_state.c.id == s.rollup_state.c.id)
                         .where(s.rollup_state.c.id == 1)).scalar_one_or_none()
    if rollup and not state:
        raise RuntimeError("rollups are stale: run lib.warehouse.rollups.rebuild first")
    return bool(state)


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _sum_as(col, template):
    """SUM typed as the base query's: integer sums as BIGINT (PostgreSQL sums BIGINT to NUMERIC)."""
    return cast(func.sum(col), Double if isinstance(template.type, Double) else BigInteger)


def _facts_from_rollup(dataset: str, prefix: str, date_from: dt.date, date_to: dt.date, level: int,
                       child_len: int | None, by_month: bool, by: tuple[str, ...],
                       urban_rural: str | None):
    """facts()'s statement over the rollup: whole periods from it; for training and job fairs the
    partial months at either end of the range (a period ending today) from the base table, summed
    together. Screening months are rolled up as stored, so any range is whole."""
    table, date_col, measures = MEASURES[dataset]
    r = s.ROLLUP_BY_DATASET[dataset]
    monthly = dataset != "screening"
    where = [r.c.level == level, in_prefix(r.c.region, prefix)]
    if monthly:  # whole months [lo, end) from the rollup
        lo = date_from if date_from.day == 1 else _next_month(date_from)
        end = _next_month(date_to) if _next_month(date_to) == date_to + dt.timedelta(days=1) \
            else date_to.replace(day=1)
        where += [r.c.period >= lo, r.c.period < end]
    else:
        where += [r.c.period >= date_from, r.c.period <= date_to]
    if urban_rural:
        where.append(r.c.area == urban_rural)
    head = ([r.c.region.label("child")] if child_len else []) + (
        [r.c.period.label("month")] if by_month else []) + [r.c[b].label(b) for b in by]
    parts = [select(*head, r.c.n.label("n"), *[r.c[m].label(m) for m in measures]).where(*where)]
    if monthly and (lo > date_from or end <= date_to):
        date_c = table.c[date_col]
        child = child_prefix(table.c.region_code, child_len)
        b_head = ([child.label("child")] if child is not None else []) + (
            [cast(func.date_trunc("month", date_c), Date).label("month")] if by_month else []) + [
            table.c[b].label(b) for b in by]
        b_where = [in_prefix(table.c.region_code, prefix), date_c >= date_from, date_c <= date_to,
                   or_(date_c < lo, date_c >= end)]
        ur = _urban_rural_filter(table.c.region_code, urban_rural)
        if ur is not None:
            b_where.append(ur)
        parts.append(select(*b_head, literal_column("1").label("n"),
                            *[table.c[m].label(m) for m in measures]).where(*b_where))
    u = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("u")
    keys = [u.c[h.name] for h in head]
    cols = keys + [cast(func.coalesce(func.sum(u.c.n), 0), BigInteger).label("n")] + [
        func.coalesce(_sum_as(u.c[m], table.c[m]), 0).label(m) for m in measures]
    stmt = select(*cols)
    if keys:
        stmt = stmt.group_by(*keys)
    return stmt, [c.name for c in cols]


def screening_targets(engine: Engine, prefix: str, years: list[int], *,
                      child_len: int | None = None, urban_rural: str | None = None,
                      rollup: bool | None = None) -> pd.DataFrame:
    """Eligible women and quotas per year, kind (and child region); ``rollup`` as in facts()."""
    if urban_rural and urban_rural not in ("urban", "rural"):
        raise ValueError(f"unknown area {urban_rural!r}")
    t = s.screening_target
    child = child_prefix(t.c.region_code, child_len)
    keys = ([child.label("child")] if child is not None else []) + [t.c.year, t.c.kind]
    where = [in_prefix(t.c.region_code, prefix), t.c.year.in_(years)]
    ur = _urban_rural_filter(t.c.region_code, urban_rural)
    if ur is not None:
        where.append(ur)
    stmt = (select(*keys, func.sum(t.c.eligible_women).label("eligible_women"),
                   func.sum(t.c.quota).label("quota")).where(and_(*where)).group_by(*keys))
    level = _rollup_level(prefix, child_len)
    with engine.connect() as conn:
        if level is not None and rollup is not False and rollup_policy(conn, prefix, rollup):
            r = s.rollup_screening_target
            keys = ([r.c.region.label("child")] if child_len else []) + [
                r.c.period.label("year"), r.c.kind]
            where = [r.c.level == level, in_prefix(r.c.region, prefix), r.c.period.in_(years)]
            if urban_rural:
                where.append(r.c.area == urban_rural)
            stmt = (select(*keys, _sum_as(r.c.eligible_women, t.c.eligible_women)
                           .label("eligible_women"), _sum_as(r.c.quota, t.c.quota).label("quota"))
                    .where(*where).group_by(*keys))
        rows = conn.execute(stmt).mappings().all()
    frame = _with_child(pd.DataFrame(rows, columns=[k.name for k in keys]
                                     + ["eligible_women", "quota"]))
    for c in ("eligible_women", "quota"):
        frame[c] = pd.to_numeric(frame[c]).fillna(0)
    return frame


EFFECTIVE_DAYS = 180  # an organisation is effective when active within this many days


def org_coverage(engine: Engine, prefix: str, as_of: dt.date, org_types: list[str], *,
                 child_len: int | None = None, active_days: int = EFFECTIVE_DAYS) -> pd.DataFrame:
    """Per child region, org type and urban/rural class: villages total, with the org, with it active.

    Village-level organisations carry the village's code; a village counts once per type however
    many units it has. The one village-coverage computation (``village_coverage``) at one date.
    """
    with engine.connect() as conn:
        out = village_coverage(conn, prefix, (as_of,), org_types, child_len=child_len,
                               active_days=active_days)
    return out.drop(columns="as_of")


def org_coverage_series(engine: Engine, prefix: str, as_of: tuple[dt.date, ...],
                        org_types: list[str]) -> pd.DataFrame:
    """org_coverage's frame (no child split) for several dates at once, with an ``as_of`` column.

    The coverage trend asks for one date per year; one statement joining the organisations to a
    small table of dates answers them all instead of a query per year (16 round trips → 1).
    """
    if not as_of:
        raise ValueError("org_coverage_series needs at least one date")
    with engine.connect() as conn:
        out = village_coverage(conn, prefix, tuple(as_of), org_types)
    return out[["child", "as_of", "area", "org_type", "villages", "with_org"]]


def village_area(code_col):
    """The one urban/rural rule for a village (城乡分类代码): 1xx is urban, anything else rural — a
    village without a code counts as rural, as the gap list and the demo read it. Every query that
    splits villages (coverage here, targets' indicators, township classes) uses this expression."""
    return case((func.substr(code_col, 1, 1) == "1", "urban"), else_="rural")


def townships_of_area(area: str, prefix: str = ""):
    """SELECT of the township codes of ``area``: a township is urban when more than half of its
    villages are (``village_area``), else rural. Facts above township level have no class."""
    if area not in ("urban", "rural"):
        raise ValueError(f"unknown area {area!r}")
    v = s.region.alias("v")
    urban = func.sum(case((village_area(v.c.urban_rural_code) == "urban", 1), else_=0))
    total = func.count()
    where = [v.c.level == "village"] + ([in_prefix(v.c.code, prefix)] if prefix else [])
    return (select(v.c.parent_code.label("code")).where(*where).group_by(v.c.parent_code)
            .having((urban * 2 > total) if area == "urban" else (urban * 2 <= total)))


# Types that stand for one organisation of a village (村妇联 / 社区妇联): a village holding both counts
# once, under the first listed, so summing the pair's rows (lib.metrics.compute.coverage) is exact.
ONE_PER_VILLAGE = (("village_federation", "community_federation"),)


def village_coverage(conn: Connection, prefix: str, as_of: tuple[dt.date, ...],
                     org_types: list[str], *, child_len: int | None = None,
                     active_days: int = EFFECTIVE_DAYS, rollup: bool | None = None) -> pd.DataFrame:
    """Village coverage, computed once for the dashboard (``org_coverage``) and the targets page's
    indicators (``indicator_queries``), so the two cannot disagree.

    Per date, child region, urban/rural class (``village_area``) and org type: ``villages`` in the
    prefix, ``with_org`` (villages with an organisation of the type alive at the date: established
    on or before it, not dissolved by then) and ``effective`` (of those, active within
    ``active_days`` before the date). A village counts once per type however many units it has,
    and once per ``ONE_PER_VILLAGE`` group (under the group's first type it has), so a village
    with both federations is not counted twice. One statement for all dates (a VALUES table).

    ``rollup`` as in ``facts``: the rollup of coverage's changes (coverage_rollup) answers the
    country to district levels with the same figures (tests/test_coverage_rollup.py), on DuckDB
    too at the district view.
    """
    v = s.region
    o = s.org_unit
    dates = sorted(set(as_of))
    if not dates:
        raise ValueError("village_coverage needs at least one date")
    types = list(dict.fromkeys(org_types))
    if rollup is not False and active_days == EFFECTIVE_DAYS:
        plan = _coverage_plan(prefix, child_len, types)
        # a district's organisations lie anywhere in the roster (loads interleave districts):
        # DuckDB scans all of it (~40 ms a call at national scale), the rollup reads ~20 ms
        if plan is not None and rollup_policy(conn, prefix, rollup, duckdb_base_below=None):
            return _coverage_from_rollup(conn, prefix, dates, org_types, child_len, plan)
    if rollup:
        raise ValueError("the coverage rollup cannot answer this question")
    area = village_area(v.c.urban_rural_code)
    child = child_prefix(v.c.code, child_len)
    head = [child.label("child")] if child is not None else []
    villages = (select(*head, area.label("area"), func.count().label("villages"))
                .where(v.c.level == "village", in_prefix(v.c.code, prefix))
                .group_by(*_keys(child, area)))
    d = values(column("as_of", Date), column("active_from", Date), name="d").data(
        [(x, x - dt.timedelta(days=active_days)) for x in dates])
    alive = and_(o.c.established_on <= d.c.as_of,
                 or_(o.c.dissolved_on.is_(None), o.c.dissolved_on > d.c.as_of))
    recent = o.c.last_activity_on >= d.c.active_from
    # one row per date and village: has it an organisation of type i (a_i), an active one (r_i)?
    flags = []
    for i, typ in enumerate(types):
        flags.append(func.max(case((o.c.org_type == typ, 1), else_=0)).label(f"a{i}"))
        flags.append(func.max(case((and_(o.c.org_type == typ, recent), 1), else_=0)).label(f"r{i}"))
    per_village = (select(d.c.as_of, v.c.code, v.c.urban_rural_code, *flags)
                   .select_from(o.join(v, v.c.code == o.c.region_code).join(d, alive))
                   .where(v.c.level == "village", in_prefix(o.c.region_code, prefix),
                          o.c.org_type.in_(types))
                   .group_by(d.c.as_of, v.c.code, v.c.urban_rural_code)
                   .subquery("pv"))
    pv_child = child_prefix(per_village.c.code, child_len)
    pv_head = [pv_child.label("child")] if pv_child is not None else []
    pv_area = village_area(per_village.c.urban_rural_code)
    counts = []
    for i, typ in enumerate(types):
        before = _earlier_in_group(typ, types)
        for kind, col in (("with_org", "a"), ("effective", "r")):
            own = per_village.c[f"{col}{i}"] == 1
            first = and_(own, *[per_village.c[f"{col}{j}"] == 0 for j in before])
            counts.append(func.sum(case((first, 1), else_=0)).label(f"{kind}{i}"))
    covered = (select(per_village.c.as_of, *pv_head, pv_area.label("area"), *counts)
               .group_by(*_keys(per_village.c.as_of, pv_child, pv_area)))
    names = [h.name for h in head]
    base = _with_child(pd.DataFrame(conn.execute(villages).mappings().all(),
                                    columns=names + ["area", "villages"]))
    wide = _with_child(pd.DataFrame(conn.execute(covered).mappings().all(),
                                    columns=["as_of"] + names + ["area"] + [c.name for c in counts]))
    return _coverage_grid(dates, org_types, base, _long(wide, types))


def _long(wide: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    """Columns with_org{i} / effective{i} per type → one row per type (row-major, no concat: a
    frame per type cost ~8 ms a call, and the coverage page makes ten)."""
    k = len(types)
    out = wide.loc[wide.index.repeat(k), ["as_of", "child", "area"]].reset_index(drop=True)
    out["org_type"] = np.tile(np.asarray(types, dtype=object), len(wide))
    for kind in ("with_org", "effective"):
        out[kind] = wide[[f"{kind}{i}" for i in range(k)]].to_numpy().reshape(-1)
    return out


def _coverage_grid(dates: list[dt.date], org_types: list[str], base: pd.DataFrame,
                   cov: pd.DataFrame) -> pd.DataFrame:
    """Every (date, child, class with villages, type) with its counts, zeros where none is covered."""
    cov = cov.assign(as_of=pd.to_datetime(cov["as_of"]).dt.date)
    grid = (pd.DataFrame({"as_of": dates}).merge(base, how="cross")
            .merge(pd.DataFrame({"org_type": list(org_types)}), how="cross"))
    out = grid.merge(cov, on=["as_of", "child", "area", "org_type"], how="left")
    for c in ("villages", "with_org", "effective"):
        out[c] = pd.to_numeric(out[c]).fillna(0).astype(int)
    return out[["child", "as_of", "area", "org_type", "villages", "with_org", "effective"]]


COVERAGE_LEVELS = (0, 2, 4, 6)  # the levels coverage_rollup holds (its LEVELS)


def merged_type(types) -> str:
    """The rolled-up pseudo-type of a ONE_PER_VILLAGE group's first types taken together ('a+b'):
    villages with any of them. One name for coverage_rollup (writes) and the plan below (reads)."""
    return "+".join(types)


def _coverage_plan(prefix: str, child_len: int | None,
                   types: list[str]) -> dict[str, list[tuple[int, str]]] | None:
    """How each type's counts come out of the rolled-up ones, or None where they cannot: per type,
    signed rolled-up types to add. A type counted after the earlier types of its ONE_PER_VILLAGE
    group is (its group's first types up to it, merged) − (those before it, merged); that needs
    every earlier type of the group asked for too (the usual pair), else the roster answers."""
    level = int(child_len) if child_len else len(prefix)
    if level not in COVERAGE_LEVELS or len(prefix) > level:
        return None
    plan: dict[str, list[tuple[int, str]]] = {}
    for typ in types:
        group = next((g for g in ONE_PER_VILLAGE if typ in g), None)
        if group is None or not _earlier_in_group(typ, types):
            plan[typ] = [(1, typ)]
            continue
        k = group.index(typ)
        if [types[j] for j in _earlier_in_group(typ, types)] != list(group[:k]):
            return None
        plan[typ] = [(1, merged_type(group[:k + 1])), (-1, merged_type(group[:k]))]
    return plan


def _coverage_from_rollup(conn: Connection, prefix: str, dates: list[dt.date],
                          org_types: list[str], child_len: int | None,
                          plan: dict[str, list[tuple[int, str]]]) -> pd.DataFrame:
    """``village_coverage`` read from the rolled-up changes: the count on a date is the sum of the
    changes up to it; each asked type's count is its plan's signed sum, added up in the statement.

    One pass over the changes: each falls in the first asked date on or after its day (a CASE),
    the buckets are summed in SQL and cumulated here. Whole months come from the monthly changes,
    a month holding an asked date other than its last day from the daily ones. Joining the daily
    changes with the dates instead (on_day <= as_of) made PostgreSQL sum ~1 M joined rows for
    twelve year ends at the country (~140 ms a call; docs/performance.md)."""
    level = int(child_len) if child_len else len(prefix)
    vt = s.rollup_villages
    # dates inlined, as child_prefix's lengths: the bucket is grouped by, and DuckDB binds no parameter
    # in GROUP BY
    day = [_date_sql(x) for x in dates]
    # months holding an asked date other than their last day are read by day, the rest by month
    by_day = sorted({x.replace(day=1) for x in dates if (x + dt.timedelta(days=1)).day != 1})
    needed = sorted({name for parts in plan.values() for _, name in parts})

    def part(table, when):
        bucket = case(*[(when <= x, x) for x in day])
        split = [and_(when >= _date_sql(m), when < _date_sql(_next_month(m))) for m in by_day]
        where = [table.c.level == level, in_prefix(table.c.region, prefix),
                 table.c.org_type.in_(needed), when <= day[-1]]
        if table is s.rollup_village_cov:
            where.append(or_(*split))
        elif split:
            where.append(~or_(*split))
        return select(bucket.label("as_of"), table.c.region, table.c.area, table.c.org_type,
                      table.c.d_with, table.c.d_eff).where(*where)

    monthly = part(s.rollup_village_cov_month, s.rollup_village_cov_month.c.month)
    r = (union_all(monthly, part(s.rollup_village_cov, s.rollup_village_cov.c.on_day))
         if by_day else monthly).subquery("ch")
    child = [r.c.region.label("child")] if child_len else []
    types = list(plan)
    sums = []
    for i, typ in enumerate(types):
        for kind, change in (("with_org", r.c.d_with), ("effective", r.c.d_eff)):
            signed = [(r.c.org_type == name, change if sign > 0 else -change)
                      for sign, name in plan[typ]]
            sums.append(func.sum(case(*signed, else_=0)).label(f"{kind}{i}"))
    stmt = (select(r.c.as_of, *child, r.c.area, *sums)
            .group_by(r.c.as_of, *child, r.c.area))
    vchild = [vt.c.region.label("child")] if child_len else []
    villages = (select(*vchild, vt.c.area, func.sum(vt.c.villages).label("villages"))
                .where(vt.c.level == level, in_prefix(vt.c.region, prefix))
                .group_by(*vchild, vt.c.area))
    head = ["child"] * bool(child_len)
    base = _with_child(pd.DataFrame(conn.execute(villages).mappings().all(),
                                    columns=head + ["area", "villages"]))
    changes = _with_child(pd.DataFrame(conn.execute(stmt).mappings().all(),
                                       columns=["as_of", *head, "area"] + [c.name for c in sums]))
    return _grid_from_changes(dates, org_types, types, base, changes)


def _date_sql(x: dt.date):
    """A date as SQL text (from code, never from a user): see ``child_prefix``."""
    return cast(literal_column(f"'{dt.date.isoformat(x)}'"), Date)


def _grid_from_changes(dates: list[dt.date], org_types: list[str], types: list[str],
                       base: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """``_coverage_grid`` of the running totals of ``changes`` (per bucket date, child and class:
    with_org{i} / effective{i} of ``types[i]``), in arrays: the changes are added into a (date,
    child × class, type) cube and summed along the dates. The same frame as cumulating, melting
    and merging in pandas, which cost ~25 ms a call at the country, ten calls a coverage page."""
    nd, nt = len(dates), len(types)
    base = base.reset_index(drop=True)
    keys = pd.MultiIndex.from_arrays([base["child"].astype(object), base["area"].astype(object)])
    k = len(base)
    cube = np.zeros((2, nd, k, nt), dtype=np.int64)
    if len(changes) and k:
        at = pd.Index(dates, dtype=object).get_indexer(pd.to_datetime(changes["as_of"]).dt.date)
        row = keys.get_indexer(pd.MultiIndex.from_arrays(
            [changes["child"].astype(object), changes["area"].astype(object)]))
        ok = (at >= 0) & (row >= 0)  # a class with no villages has no coverage to show
        for j, kind in enumerate(("with_org", "effective")):
            counts = changes[[f"{kind}{i}" for i in range(nt)]].apply(pd.to_numeric).fillna(0)
            np.add.at(cube[j], (at[ok], row[ok]), counts.to_numpy(dtype=np.int64)[ok])
        cube = cube.cumsum(axis=1)
    asked = [types.index(t) for t in org_types]
    n = len(org_types)
    d_of = np.repeat(np.arange(nd), k * n)
    k_of = np.tile(np.repeat(np.arange(k), n), nd)
    t_of = np.tile(np.asarray(asked, dtype=int), nd * k)
    villages = pd.to_numeric(base["villages"]).fillna(0).astype(int).to_numpy()
    return pd.DataFrame({
        "child": base["child"].take(k_of).reset_index(drop=True),
        "as_of": pd.Series(np.asarray(dates, dtype=object)[d_of], dtype=object),
        "area": base["area"].take(k_of).reset_index(drop=True),
        "org_type": pd.Series(np.asarray(org_types, dtype=object)[np.tile(np.arange(n), nd * k)]),
        "villages": villages[k_of],
        "with_org": cube[0][d_of, k_of, t_of],
        "effective": cube[1][d_of, k_of, t_of]})


def _earlier_in_group(typ: str, types: list[str]) -> list[int]:
    """Indexes in ``types`` of the types listed before ``typ`` in its ONE_PER_VILLAGE group."""
    for group in ONE_PER_VILLAGE:
        if typ in group:
            earlier = group[:group.index(typ)]
            return [types.index(t) for t in earlier if t in types]
    return []


def org_counts(engine: Engine, prefix: str, as_of: dt.date, *, child_len: int | None = None,
               by_sector: bool = False) -> pd.DataFrame:
    """Active organisations per child region and type (and sector), at any level."""
    o = s.org_unit
    child = child_prefix(o.c.region_code, child_len)
    keys = ([child.label("child")] if child is not None else []) + [o.c.org_type]
    if by_sector:
        keys.append(o.c.sector)
    stmt = (select(*keys, func.count().label("orgs"),
                   func.coalesce(func.sum(o.c.exec_members), 0).label("exec_members"))
            .where(in_prefix(o.c.region_code, prefix), o.c.established_on <= as_of,
                   or_(o.c.dissolved_on.is_(None), o.c.dissolved_on > as_of))
            .group_by(*keys))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    cols = [k.name for k in keys] + ["orgs", "exec_members"]
    frame = _with_child(pd.DataFrame(rows, columns=cols))
    frame["orgs"] = pd.to_numeric(frame["orgs"]).fillna(0).astype(int)
    frame["exec_members"] = pd.to_numeric(frame["exec_members"]).fillna(0).astype(int)
    return frame


def freshness(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The last successful load per dataset (demo included, flagged) among the batches that hold
    rows inside ``scope``: a district user's footer never tells when another district uploaded."""
    b = s.upload_batch
    stmt = (select(b.c.dataset, func.max(b.c.uploaded_at).label("last_upload"),
                   func.max(case((b.c.is_demo.is_(True), 1), else_=0)).label("is_demo"))
            .where(b.c.status != "rolled_back").group_by(b.c.dataset))
    if not scope.is_everything:
        inside = [select(table.c.batch_id).where(
                      table.c.batch_id == b.c.batch_id,
                      in_prefix(table.c.region_code, scope.prefix)).exists()
                  for table in s.FACT_TABLES.values()]
        stmt = stmt.where(or_(*inside))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame(rows, columns=["dataset", "last_upload", "is_demo"])


def has_demo_rows(engine: Engine) -> bool:
    b = s.upload_batch
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(b).where(
            b.c.is_demo.is_(True), b.c.status != "rolled_back")).scalar_one())


def data_period(engine: Engine, scope: Scope) -> tuple[dt.date | None, dt.date | None]:
    """First and last month with screening or training facts inside ``scope``: the default period
    bounds (a district's sidebar never starts at a month only another district has data for)."""
    sc, tr = s.screening, s.training_session
    with engine.connect() as conn:
        lo1, hi1 = conn.execute(select(func.min(sc.c.month), func.max(sc.c.month))
                                .where(in_prefix(sc.c.region_code, scope.prefix))).one()
        lo2, hi2 = conn.execute(select(func.min(tr.c.held_on), func.max(tr.c.held_on))
                                .where(in_prefix(tr.c.region_code, scope.prefix))).one()
    los = [d for d in (lo1, lo2) if d is not None]
    his = [d for d in (hi1, hi2) if d is not None]
    return (min(los) if los else None, max(his) if his else None)


def villages_without(engine: Engine, prefix: str, as_of: dt.date, org_types: list[str]) -> pd.DataFrame:
    """The gap list: villages/communities in the prefix with no active organisation of the types."""
    v, o, t = s.region, s.org_unit, s.region.alias("t")
    alive = and_(o.c.established_on <= as_of,
                 or_(o.c.dissolved_on.is_(None), o.c.dissolved_on > as_of))
    # NOT EXISTS, not NOT IN: PostgreSQL plans it as a hash anti-join (~170 ms at the country
    # instead of ~390 ms; docs/performance.md)
    has = select(o.c.region_code).where(o.c.region_code == v.c.code, o.c.org_type.in_(org_types),
                                        alive, in_prefix(o.c.region_code, prefix))
    stmt = (select(v.c.code, v.c.name, t.c.name.label("township"), v.c.urban_rural_code)
            .select_from(v.join(t, t.c.code == v.c.parent_code))
            .where(v.c.level == "village", in_prefix(v.c.code, prefix), ~has.exists())
            .order_by(v.c.code))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return pd.DataFrame(rows, columns=["code", "name", "township", "urban_rural_code"])


def _regions_by_copy(conn, stmt, names: list[str]) -> pd.DataFrame:
    """The region table through PostgreSQL's COPY … TO STDOUT as CSV: psycopg converting 240,000
    rows × 9 values one by one took ~3 s, the CSV parse takes a fraction of that. NULL and empty
    text read alike (no region field is meaningfully empty)."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    buf = io.BytesIO()
    with conn.connection.driver_connection.cursor() as cur:
        with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buf.write(block)
    types = {c.name: (pa.string() if isinstance(c.type, (String, Text)) else
                      pa.bool_() if isinstance(c.type, Boolean) else pa.float64())
             for c in s.region.columns}
    frame = pacsv.read_csv(io.BytesIO(buf.getvalue()), convert_options=pacsv.ConvertOptions(
        column_types=types, strings_can_be_null=True, null_values=[""], true_values=["t"],
        false_values=["f"])).to_pandas()
    aliases = frame["aliases"].astype(object)
    frame["aliases"] = pd.Series(aliases.where(aliases.notna(), None).tolist(), index=frame.index)
    return frame[names]


def regions_table(engine: Engine, *, levels: tuple[str, ...] | None = None,
                  within: str = "") -> pd.DataFrame:
    """Region rows (every one by default; of ``levels`` only, inside the prefix ``within``), the
    same frame as reference.regions_frame, for the pages' cache: on DuckDB read as one Arrow table
    (~0.2 s for 240,000 regions at national scale instead of ~2 s row by row); on PostgreSQL by
    COPY; elsewhere plain tuples. Pages read the regions above the villages (~43,000 of 243,000
    at national scale) and a township's villages when they show them (lib/ui/data.py)."""
    stmt = select(s.region).where(in_prefix(s.region.c.code, within)).order_by(s.region.c.code)
    if levels is not None:
        stmt = stmt.where(s.region.c.level.in_(list(levels)))
    names = [c.name for c in s.region.columns]
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return _regions_by_copy(conn, stmt, names)
        if conn.dialect.name != "duckdb":
            return pd.DataFrame([tuple(r) for r in conn.execute(stmt)], columns=names)
        rel = conn.connection.driver_connection.sql(str(stmt.compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
        frame = rel.to_arrow_table().to_pandas()
    for c in ("seat_lon", "seat_lat"):
        frame[c] = frame[c].astype("float64")
    # As built from rows: strings where any alias exists, else an object column of None.
    aliases = frame["aliases"].astype(object)
    frame["aliases"] = pd.Series(aliases.where(aliases.notna(), None).tolist(), index=frame.index)
    return frame[names]
