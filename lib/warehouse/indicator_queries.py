"""Yearly values per indicator for one region: uploaded (indicator_value) or computed from the facts.

Indicators with ``computed_from`` are computed per year from the fact tables inside the
region's code prefix; every rate is a sum of numerators over a sum of denominators. A handful of
aggregate queries serve every indicator and year (years are joined as a VALUES table, never looped).

Choices worth knowing:
- Screening coverage in year Y = screened in Y-2..Y (the 36 months to Y's end) ÷ eligible women of Y;
  a year is emitted only when screening rows exist for each of the three years (a cycle cut short by
  missing history would understate coverage) and a target with eligible women > 0 exists for Y.
- The org roster holds current state, so past years are reconstructed: an organisation is active at
  year end E (for the year still running: today, lib.metrics.asof.year_as_of, the day the cards read
  by default; a 31 December still to come would judge activity by a day nobody has seen) when
  established_on ≤ E and (dissolved_on is null or > E); a null established_on counts as unknown,
  i.e. not active. Roster years run from the first establishment (not before ``first_year``) to the
  latest date on the roster (not after the current year).
- Village coverage is the dashboard's own computation (queries.village_coverage, summed as
  lib.metrics.compute.coverage does), so the targets page and the dashboard give the same figure.
  Effective coverage keeps only organisations whose last_activity_on is on or after E − 180 days. The
  roster keeps only the latest activity, so for past years an organisation active later is assumed to
  have been active then too (exact for the latest year, an upper bound for earlier ones).
- Urban/rural is queries.village_area (城乡分类代码 1xx urban, anything else rural); a township is
  rural unless more than half of its villages are urban (queries.townships_of_area), as on the
  dashboard's filters.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import (BigInteger, Connection, Date, Engine, Integer, and_, case, cast, column,
                        distinct, extract, func, literal, or_, select, values)

from lib import clock
from lib.metrics.asof import year_as_of
from lib.metrics.compute import FEDERATION_TYPES, coverage
from lib.warehouse import schema as s
# the shared coverage and urban/rural rules (the warehouse's own building blocks, not page queries)
from lib.warehouse.queries import (EFFECTIVE_DAYS, ROLLUP_LEVELS, in_prefix, rollup_policy,
                                  townships_of_area, village_coverage)
from lib.warehouse.scope import prefix_of, top_region

DEFAULT_FIRST_YEAR = 2015
COLUMNS = ["indicator_code", "region_code", "year", "value"]


def scope_prefix(region_code: str) -> str:
    """The code prefix of a region's territory (a string that is already a prefix passes through)."""
    code = str(region_code)
    if code and not code.isdigit():  # a LIKE wildcard ('%', '_') would match other regions: refuse it
        raise ValueError(f"not a region code or prefix: {region_code!r}")
    if len(code) != 12:
        return code
    return prefix_of(code)


def city_region_code(engine: Engine) -> str | None:
    """The (first) region of level 'city'."""
    with engine.connect() as conn:
        return conn.execute(select(s.region.c.code).where(s.region.c.level == "city")
                            .order_by(s.region.c.code).limit(1)).scalar_one_or_none()


def top_region_code(engine: Engine) -> str | None:
    """The region a command run over the whole warehouse speaks for when given none: the view the
    app opens on for a whole-warehouse user (``lib.warehouse.scope.top_region``): the country with
    two or more provinces, the only province with two or more cities, else the city. None: no city
    at all."""
    with engine.connect() as conn:
        rows = conn.execute(select(s.region.c.code, s.region.c.level).where(
            s.region.c.level.in_(("country", "province", "city")))).all()
    codes = {level: sorted(c for c, lv in rows if lv == level) for level in ("province", "city")}
    top = top_region(codes["province"], codes["city"], "", known={c for c, _ in rows})
    return top or (codes["city"][0] if codes["city"] else None)


def indicator_yearly_values(engine: Engine, region_code: str, indicators: pd.DataFrame,
                            *, first_year: int = DEFAULT_FIRST_YEAR) -> pd.DataFrame:
    """Tidy (indicator_code, region_code, year, value) for the catalog rows in ``indicators``
    (columns code, computed_from) in one region; uploaded values for indicators without
    computed_from, computed ones for the rest."""
    prefix = scope_prefix(region_code)
    sources = [src if isinstance(src, str) and src.strip() else None
               for src in indicators["computed_from"]]
    uploaded = [code for code, src in zip(indicators["code"], sources) if src is None]
    computed = {code: src.strip() for code, src in zip(indicators["code"], sources) if src}
    frames = []
    with engine.connect() as conn:
        if uploaded:
            frames.append(_uploaded(conn, region_code, uploaded))
        if computed:
            by_source = computed_values(conn, prefix, set(computed.values()), first_year=first_year)
            for code, src in computed.items():
                f = by_source.get(src)
                if f is not None and not f.empty:
                    frames.append(f.assign(indicator_code=code, region_code=region_code))
    frames = [f[COLUMNS] for f in frames if not f.empty]
    if not frames:
        return _empty()
    out = pd.concat(frames, ignore_index=True)
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out.sort_values(["indicator_code", "year"], ignore_index=True)


def uploaded_yearly_values(engine: Engine, region_codes: tuple[str, ...],
                           indicator_codes: list[str]) -> pd.DataFrame:
    """Tidy uploaded values of many regions at once: a page's child-region table asks for ~100
    regions, and one query answers them instead of one per region."""
    if not region_codes or not indicator_codes:
        return _empty()
    with engine.connect() as conn:
        out = _uploaded(conn, list(region_codes), indicator_codes)
    if out.empty:
        return _empty()
    out["year"] = out["year"].astype(int)
    out["value"] = out["value"].astype(float)
    return out.sort_values(["region_code", "indicator_code", "year"], ignore_index=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"indicator_code": pd.Series(dtype=object),
                         "region_code": pd.Series(dtype=object),
                         "year": pd.Series(dtype=int), "value": pd.Series(dtype=float)})


def _uploaded(conn: Connection, region_code: str | list[str], codes: list[str]) -> pd.DataFrame:
    iv = s.indicator_value
    where = (iv.c.region_code.in_(region_code) if isinstance(region_code, list)
             else iv.c.region_code == region_code)
    rows = conn.execute(select(iv.c.indicator_code, iv.c.region_code, iv.c.year, iv.c.value)
                        .where(where, iv.c.indicator_code.in_(codes)))
    # Plain tuples: pandas probing SQLAlchemy Row objects for attributes costs ~4 µs per row.
    return pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)


def computed_values(conn: Connection, prefix: str, sources: set[str], *,
                    first_year: int = DEFAULT_FIRST_YEAR) -> dict[str, pd.DataFrame]:
    """{computed_from: frame(year, value)} for the sources this module knows (others are absent)."""
    if prefix and not prefix.isdigit():  # '' is the whole warehouse; wildcards are refused
        raise ValueError(f"not a region-code prefix: {prefix!r}")
    out: dict[str, pd.DataFrame] = {}
    if any(src.startswith("screening.") for src in sources):
        out.update(_screening(conn, prefix))
    roster = [src for src in sources if src.startswith("coverage.") or src == "training.exec_coverage"]
    if roster:
        years = _roster_years(conn, prefix, first_year)
        if years:
            out.update(_org_coverage(conn, prefix, years, roster))
            if "training.exec_coverage" in sources:
                out["training.exec_coverage"] = _exec_training(conn, prefix, years)
    return {k: v for k, v in out.items() if k in sources}


# --- screening ---------------------------------------------------------------------------------

def _rural_townships(prefix: str):
    return townships_of_area("rural", prefix).subquery("rural_township")


def _reads_rollups(conn: Connection, prefix: str, rollup: bool | None) -> bool:
    """Sum the monthly/yearly rollups instead of the base rows? Where the pages would (a prefix
    of a rollup level, queries.rollup_policy); ``rollup`` as in queries.facts."""
    return rollup is not False and len(prefix) in ROLLUP_LEVELS and rollup_policy(conn, prefix,
                                                                                   rollup)


def _screening(conn: Connection, prefix: str, rollup: bool | None = None) -> dict[str, pd.DataFrame]:
    """Screening's indicators per year: from the monthly and yearly rollups where the pages read
    them (a township's class is the rollups' ``area``, the same rule), else the base tables — at
    the country that is ten million rows (~200 ms cold); the answers are the same (a test)."""
    if _reads_rollups(conn, prefix, rollup):
        facts, targets = _screening_rolled_up(conn, prefix)
    else:
        facts, targets = _screening_base(conn, prefix)
    facts = pd.DataFrame(facts, columns=["year", "kind", "rural", "screened", "diagnosed",
                                         "treated"])
    targets = pd.DataFrame(targets, columns=["year", "kind", "rural", "eligible"])
    out = {}
    cerv_f, cerv_t = facts[facts.kind == "cervical"], targets[targets.kind == "cervical"]
    out["screening.cervical.coverage"] = _cycle_coverage(cerv_f, cerv_t)
    out["screening.rural.coverage"] = _cycle_coverage(facts[facts.rural == 1],
                                                      targets[targets.rural == 1])
    t = cerv_f.groupby("year")[["diagnosed", "treated"]].sum(min_count=1).dropna()
    t = t[t["diagnosed"] > 0]
    out["screening.cervical.treatment_rate"] = pd.DataFrame(
        {"year": t.index.astype(int), "value": (100.0 * t["treated"] / t["diagnosed"]).to_numpy()})
    return out


def _screening_base(conn: Connection, prefix: str) -> tuple[list, list]:
    sc, st = s.screening, s.screening_target
    rt = _rural_townships(prefix)
    year = cast(extract("year", sc.c.month), Integer).label("year")
    is_rural_s = case((rt.c.code.is_not(None), 1), else_=0).label("rural")
    facts = conn.execute(
        select(year, sc.c.kind, is_rural_s, func.sum(sc.c.screened).label("screened"),
               func.sum(sc.c.diagnosed).label("diagnosed"), func.sum(sc.c.treated).label("treated"))
        .select_from(sc.outerjoin(rt, rt.c.code == sc.c.region_code))
        .where(in_prefix(sc.c.region_code, prefix))
        .group_by(year, sc.c.kind, is_rural_s)).all()
    is_rural_t = case((rt.c.code.is_not(None), 1), else_=0).label("rural")
    targets = conn.execute(
        select(st.c.year, st.c.kind, is_rural_t, func.sum(st.c.eligible_women).label("eligible"))
        .select_from(st.outerjoin(rt, rt.c.code == st.c.region_code))
        .where(in_prefix(st.c.region_code, prefix))
        .group_by(st.c.year, st.c.kind, is_rural_t)).all()
    return facts, targets


def _screening_rolled_up(conn: Connection, prefix: str) -> tuple[list, list]:
    rs, rt = s.rollup_screening, s.rollup_screening_target
    level = len(prefix)
    year = cast(extract("year", rs.c.period), Integer).label("year")
    rural_s = case((rs.c.area == "rural", 1), else_=0).label("rural")
    facts = conn.execute(
        select(year, rs.c.kind, rural_s, *[cast(func.sum(rs.c[m]), BigInteger).label(m)
                                           for m in ("screened", "diagnosed", "treated")])
        .where(rs.c.level == level, in_prefix(rs.c.region, prefix))
        .group_by(year, rs.c.kind, rural_s)).all()
    rural_t = case((rt.c.area == "rural", 1), else_=0).label("rural")
    targets = conn.execute(
        select(rt.c.period.label("year"), rt.c.kind, rural_t,
               cast(func.sum(rt.c.eligible_women), BigInteger).label("eligible"))
        .where(rt.c.level == level, in_prefix(rt.c.region, prefix))
        .group_by(rt.c.period, rt.c.kind, rural_t)).all()
    return facts, targets


def _cycle_coverage(facts: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Screened over the three years to Y ÷ eligible women of Y, for years with a full cycle."""
    screened = facts.groupby("year")["screened"].sum().astype(float)
    eligible = targets.groupby("year")["eligible"].sum().astype(float)
    rows = []
    for y, elig in eligible.items():
        cycle = [y - 2, y - 1, y]
        if elig > 0 and all(c in screened.index for c in cycle):
            rows.append((int(y), 100.0 * float(screened[cycle].sum()) / float(elig)))
    return pd.DataFrame(rows, columns=["year", "value"])


# --- organisation roster -----------------------------------------------------------------------

def _roster_years(conn: Connection, prefix: str, first_year: int) -> list[int]:
    o = s.org_unit
    row = conn.execute(select(func.min(o.c.established_on), func.max(o.c.established_on),
                              func.max(o.c.dissolved_on), func.max(o.c.last_activity_on))
                       .where(in_prefix(o.c.region_code, prefix))).one()
    if row[0] is None:
        return []
    last = max(d.year for d in row[1:] if d is not None)
    last = min(last, clock.today().year)
    return list(range(max(row[0].year, first_year), last + 1))


def _years_table(years: list[int]):
    """A VALUES table of (year, year_end, active_from): the day the year is read on (its end, or
    today while it runs) and the start of its 180-day activity window."""
    rows = [(y, year_as_of(y), year_as_of(y) - dt.timedelta(days=EFFECTIVE_DAYS)) for y in years]
    return values(column("year", Integer), column("year_end", Date), column("active_from", Date),
                  name="yr").data(rows)


def _active_at(o, yr):
    return and_(o.c.established_on <= yr.c.year_end,
                or_(o.c.dissolved_on.is_(None), o.c.dissolved_on > yr.c.year_end))


def _org_coverage(conn: Connection, prefix: str, years: list[int],
                  sources: list[str]) -> dict[str, pd.DataFrame]:
    o = s.org_unit
    yr = _years_table(years)
    in_scope = in_prefix(o.c.region_code, prefix)
    group = case((o.c.org_type.in_(FEDERATION_TYPES), literal("federation")), else_=o.c.org_type)
    present = {g for (g,) in conn.execute(select(group).where(in_scope).distinct())}

    out: dict[str, pd.DataFrame] = {}
    wanted: list[tuple[str, tuple[str, ...], str | None, bool]] = []  # (source, types, area, eff.)
    for src in sources:
        parts = src.split(".")
        if src == "coverage.mediation_committee.district":
            if "mediation_committee" in present:
                out[src] = _district_coverage(conn, prefix, yr, years, "mediation_committee")
            continue
        if src == "coverage.sister_station.count":
            if "sister_station" in present:
                out[src] = _active_count(conn, prefix, yr, years, "sister_station")
            continue
        if parts[0] != "coverage" or len(parts) < 2 or parts[1] not in present:
            continue
        mods = set(parts[2:])
        if not mods <= {"urban", "rural", "effective"} or {"urban", "rural"} <= mods:
            continue
        cls = "urban" if "urban" in mods else "rural" if "rural" in mods else None
        types = FEDERATION_TYPES if parts[1] == "federation" else (parts[1],)
        wanted.append((src, types, cls, "effective" in mods))
    if not wanted:
        return out
    # the dashboard's computation at each year end, or today for the year still running (one
    # statement for every year and type)
    ends = {year_as_of(y): y for y in years}
    every_type = sorted({t for _, types, _, _ in wanted for t in types})
    cov = village_coverage(conn, prefix, tuple(ends), every_type, active_days=EFFECTIVE_DAYS)
    by_end = {end: frame for end, frame in cov.groupby("as_of", sort=False)}
    for src, types, cls, effective in wanted:
        shares = [coverage(by_end.get(end, cov.iloc[0:0]), types, area=cls, effective=effective) for end in ends]
        if all(pd.isna(x) for x in shares):  # no village of the class in scope: no figure
            continue
        out[src] = pd.DataFrame({"year": list(ends.values()),
                                 "value": [100.0 * x for x in shares]})
    return out


def _district_coverage(conn: Connection, prefix: str, yr, years: list[int],
                       org_type: str) -> pd.DataFrame:
    """Share of districts in scope with an active organisation at the district or below."""
    o, d = s.org_unit, s.region
    district_scope = and_(d.c.level == "district", in_prefix(d.c.code, prefix))
    n_districts = conn.execute(select(func.count()).where(district_scope)).scalar_one()
    if not n_districts:
        return pd.DataFrame(columns=["year", "value"])
    rows = dict(conn.execute(
        select(yr.c.year, func.count(distinct(d.c.code)))
        .select_from(o.join(d, func.substr(o.c.region_code, 1, 6) == func.substr(d.c.code, 1, 6))
                     .join(yr, _active_at(o, yr)))
        .where(district_scope, o.c.org_type == org_type, in_prefix(o.c.region_code, prefix))
        .group_by(yr.c.year)).all())
    return pd.DataFrame({"year": years,
                         "value": [100.0 * rows.get(y, 0) / n_districts for y in years]})


def _active_count(conn: Connection, prefix: str, yr, years: list[int], org_type: str) -> pd.DataFrame:
    o = s.org_unit
    rows = dict(conn.execute(
        select(yr.c.year, func.count()).select_from(o.join(yr, _active_at(o, yr)))
        .where(o.c.org_type == org_type, in_prefix(o.c.region_code, prefix))
        .group_by(yr.c.year)).all())
    return pd.DataFrame({"year": years, "value": [float(rows.get(y, 0)) for y in years]})


def _members_at_year_ends(conn: Connection, prefix: str, years: list[int]) -> dict[int, int]:
    """Exec members of the federations alive at each year end (established by it, not dissolved
    by it), from one pass grouped by (year established, year dissolved): alive on 31 December of
    Y ⇔ established in Y or before and dissolved after Y or never. Joining the roster with the
    year ends instead took ~310 ms at the country on PostgreSQL, this ~140 ms."""
    o = s.org_unit
    est = cast(extract("year", o.c.established_on), Integer)
    gone = cast(extract("year", o.c.dissolved_on), Integer)
    pairs = conn.execute(select(est, gone, func.sum(o.c.exec_members))
                         .where(o.c.org_type.in_(FEDERATION_TYPES), o.c.established_on.is_not(None),
                                in_prefix(o.c.region_code, prefix))
                         .group_by(est, gone)).all()
    return {y: sum(int(m) for a, b, m in pairs if m is not None and a <= y and (b is None or b > y))
            for y in years}


def _exec_training(conn: Connection, prefix: str, years: list[int],
                   rollup: bool | None = None) -> pd.DataFrame:
    """人次 of exec_duty sessions for exec members in the year ÷ exec members of the active village
    and community federations at year end, capped at 100 % (a visits-based estimate); years with
    training rows in scope only. The sessions are summed from the monthly rollup where pages read
    it (two million rows at the country otherwise; the same answer, tests/test_rollups.py)."""
    if _reads_rollups(conn, prefix, rollup):
        t = s.rollup_training
        year = cast(extract("year", t.c.period), Integer).label("year")
        scope = [t.c.level == len(prefix), in_prefix(t.c.region, prefix)]
    else:
        t = s.training_session
        year = cast(extract("year", t.c.held_on), Integer).label("year")
        scope = [in_prefix(t.c.region_code, prefix)]
    exec_part = func.sum(case((and_(t.c.topic == "exec_duty", t.c.audience == "exec_member"),
                               t.c.participants), else_=0))
    trained = dict(conn.execute(select(year, exec_part).where(*scope).group_by(year)).all())
    members = _members_at_year_ends(conn, prefix, years)
    rows = [(int(y), min(100.0, 100.0 * float(trained[y] or 0) / float(members[y])))
            for y in sorted(trained) if members.get(y)]
    return pd.DataFrame(rows, columns=["year", "value"])
