"""Village coverage rolled up: the country view's coverage without a pass over every org.

Coverage at a date counts villages with an organisation alive then (queries.village_coverage);
at country scale that range join of a million organisations with the dates asked for took 1.6–1.9 s
(every page's written reading asks for it at each year end). A count of villages at a date is a
state, not a sum, so it is stored as its changes: per village and type, the days on which the
village starts and stops having an organisation alive (resp. effective) — the union of its
organisations' intervals, merged — become +1 / −1 on those days, summed per region prefix, class
and type (schema.rollup_village_cov). The count at any date is then the sum of the changes up to
it: exact for every date, not only month or year ends.

Intervals, as queries.village_coverage reads the roster: an organisation is alive on E when
established_on ≤ E < dissolved_on (no established_on: never; no dissolved_on: still), effective
when also last_activity_on ≥ E − EFFECTIVE_DAYS, i.e. E < last_activity_on + EFFECTIVE_DAYS + 1.
A ONE_PER_VILLAGE group counts a village under the first type it has, so for each group the
intervals of its first k types together are rolled up too ('a+b'): villages counted under b but
not a are (a+b) − a.

Kept exact as the fact rollups are (lib/warehouse/rollups.py calls ``refresh`` / ``rebuild`` in
the write transaction and stamps ``rollup_state``): a roster write re-aggregates the districts its
rows lie in, a change of regions rebuilds everything.
"""
from __future__ import annotations


from sqlalchemy import (BigInteger, Connection, Date, Integer, String, case, cast, delete, func,
                        insert, literal_column, or_, select, union_all)

from lib.warehouse import schema as s
from lib.warehouse.queries import (COVERAGE_LEVELS, EFFECTIVE_DAYS, ONE_PER_VILLAGE, child_prefix,
                                   village_area, merged_type)

# Region levels held (country, province, city, district): a township's organisations are few and
# read from the roster faster than a refresh of a finer level would cost every load.
LEVELS: tuple[int, ...] = COVERAGE_LEVELS
FINEST = max(LEVELS)
TABLES = [s.rollup_village_cov, s.rollup_village_cov_month, s.rollup_villages]
MAX_IN = 2000  # more touched districts than this: re-aggregate every district (one scan)
_NEVER = "9999-12-31"  # the end of an interval that has not ended


def group_types() -> dict[str, tuple[str, ...]]:
    """The pseudo-types rolled up for ONE_PER_VILLAGE: 'a+b' → (a, b), for each group's first k ≥ 2."""
    return {merged_type(g[:k]): tuple(g[:k])
            for g in ONE_PER_VILLAGE for k in range(2, len(g) + 1)}


def _int(n: int):
    return literal_column(str(int(n)), Integer)


def _intervals(districts: list[str] | None):
    """Per organisation on a village (and again under each group pseudo-type it belongs to):
    village code, class, type, start, end of alive, end of effective."""
    o, v = s.org_unit, s.region
    never = cast(literal_column(f"'{_NEVER}'"), Date)
    end = func.coalesce(o.c.dissolved_on, never)
    eff_end = case((o.c.last_activity_on.is_(None), o.c.established_on),
                   else_=func.least(end, o.c.last_activity_on + _int(EFFECTIVE_DAYS + 1)))
    where = [v.c.level == "village", o.c.established_on.is_not(None)]
    if districts is not None:
        where.append(func.substr(o.c.region_code, _int(1), _int(FINEST)).in_(districts))

    def part(typ, *extra):
        return (select(o.c.region_code.label("code"),
                       village_area(v.c.urban_rural_code).label("area"),
                       cast(typ, String).label("org_type"), o.c.established_on.label("s"),
                       end.label("e"), eff_end.label("ee"))
                .select_from(o.join(v, v.c.code == o.c.region_code)).where(*where, *extra))

    parts = [part(o.c.org_type)] + [part(literal_column(f"'{name}'"), o.c.org_type.in_(members))
                                    for name, members in group_types().items()]
    return union_all(*parts).subquery("iv")


def _islands(iv, end: str):
    """Merge each village's and type's intervals [s, end) into disjoint ones (gaps and islands):
    an interval starts a new island when it starts after every earlier one has ended."""
    part, order = [iv.c.code, iv.c.org_type], [iv.c.s, iv.c[end]]
    w = (select(iv.c.code, iv.c.area, iv.c.org_type, iv.c.s, iv.c[end].label("e"),
                func.max(iv.c[end]).over(partition_by=part, order_by=order, rows=(None, -1))
                .label("prev"))
         .where(iv.c.s < iv.c[end]).subquery())
    g = select(w, func.sum(case((or_(w.c.prev.is_(None), w.c.s > w.c.prev), 1), else_=0))
               .over(partition_by=[w.c.code, w.c.org_type], order_by=[w.c.s, w.c.e],
                     rows=(None, 0)).label("g")).subquery()
    return (select(g.c.code, g.c.area, g.c.org_type, func.min(g.c.s).label("s"),
                   func.max(g.c.e).label("e"))
            .group_by(g.c.code, g.c.area, g.c.org_type, g.c.g).subquery())


def _from_roster(districts: list[str] | None):
    """INSERT … SELECT of the finest level's changes, straight from the roster."""
    iv = _intervals(districts)
    never = cast(literal_column(f"'{_NEVER}'"), Date)
    one, zero, minus = _int(1), _int(0), _int(-1)
    events = []
    for isl, up, down in ((_islands(iv, "e"), (one, zero), (minus, zero)),
                          (_islands(iv, "ee"), (zero, one), (zero, minus))):
        head = [isl.c.code, isl.c.area, isl.c.org_type]
        events.append(select(*head, isl.c.s.label("day"), up[0].label("dw"), up[1].label("de")))
        events.append(select(*head, isl.c.e.label("day"), down[0].label("dw"),
                             down[1].label("de")).where(isl.c.e < never))
    ev = union_all(*events).subquery("ev")
    region = child_prefix(ev.c.code, FINEST)
    dw, de = func.sum(ev.c.dw), func.sum(ev.c.de)
    stmt = (select(_int(FINEST), region, ev.c.day, ev.c.area, ev.c.org_type, cast(dw, BigInteger),
                   cast(de, BigInteger))
            .group_by(region, ev.c.day, ev.c.area, ev.c.org_type)
            .having(or_(dw != 0, de != 0)))
    return insert(s.rollup_village_cov).from_select(_names(s.rollup_village_cov), stmt)


def _from_finer(level: int, prefixes: list[str] | None):
    src = s.rollup_village_cov.alias("src")
    region = child_prefix(src.c.region, level)
    keys = [k for k in (region, src.c.on_day, src.c.area, src.c.org_type) if k is not None]
    dw, de = func.sum(src.c.d_with), func.sum(src.c.d_eff)
    where = [src.c.level == FINEST]
    if prefixes is not None and level:
        where.append(region.in_(prefixes))
    stmt = (select(_int(level), region if region is not None else literal_column("''"),
                   src.c.on_day, src.c.area, src.c.org_type, cast(dw, BigInteger),
                   cast(de, BigInteger))
            .where(*where).group_by(*keys).having(or_(dw != 0, de != 0)))
    return insert(s.rollup_village_cov).from_select(_names(s.rollup_village_cov), stmt)


def _months(level: int, prefixes: list[str] | None):
    """INSERT … SELECT of a level's changes by calendar month, from its changes by day."""
    src = s.rollup_village_cov.alias("src")
    month = cast(func.date_trunc(literal_column("'month'"), src.c.on_day), Date)
    dw, de = func.sum(src.c.d_with), func.sum(src.c.d_eff)
    where = [src.c.level == level]
    if prefixes is not None and level:
        where.append(src.c.region.in_(prefixes))
    stmt = (select(_int(level), src.c.region, month, src.c.area, src.c.org_type,
                   cast(dw, BigInteger), cast(de, BigInteger))
            .where(*where).group_by(src.c.region, month, src.c.area, src.c.org_type)
            .having(or_(dw != 0, de != 0)))
    return insert(s.rollup_village_cov_month).from_select(_names(s.rollup_village_cov_month), stmt)


def rebuild_months(conn: Connection) -> None:
    """The monthly changes of every level again from the daily ones (revision 0006)."""
    conn.execute(delete(s.rollup_village_cov_month))
    for level in LEVELS:
        conn.execute(_months(level, None))


def _names(table) -> list[str]:
    return [c.name for c in table.columns]


def _recompute(conn: Connection, districts: list[str] | None) -> None:
    """Delete and re-aggregate the changes of ``districts`` (None: all) at every level, the finest
    from the roster and each coarser one from the finest (summing changes is exact), by day and
    then by month."""
    if districts is not None and len(districts) > MAX_IN:
        districts = None
    for level in sorted(LEVELS, reverse=True):
        prefixes = None if districts is None else sorted({d[:level] for d in districts})
        for r in (s.rollup_village_cov, s.rollup_village_cov_month):
            where = [r.c.level == level]
            if prefixes is not None and level:
                where.append(r.c.region.in_(prefixes))
            conn.execute(delete(r).where(*where))
        conn.execute(_from_roster(districts) if level == FINEST else _from_finer(level, prefixes))
        conn.execute(_months(level, prefixes))


def _villages(conn: Connection) -> None:
    v, t = s.region, s.rollup_villages
    conn.execute(delete(t))
    for level in LEVELS:
        region = child_prefix(v.c.code, level)
        area = village_area(v.c.urban_rural_code)
        keys = [k for k in (region, area) if k is not None]
        conn.execute(insert(t).from_select(_names(t), select(
            _int(level), region if region is not None else literal_column("''"), area,
            cast(func.count(), BigInteger)).where(v.c.level == "village").group_by(*keys)))


def rebuild(conn: Connection) -> None:
    """Everything from the roster and the regions, in the caller's transaction."""
    _villages(conn)
    _recompute(conn, None)


def refresh(conn: Connection, codes: list[str]) -> None:
    """Re-aggregate the districts of the roster rows ``codes`` (region codes of rows a write added
    or removed), in the caller's transaction. Only organisations on villages count, so a code
    above the village level re-aggregates a district (or a non-district prefix) with no change."""
    districts = sorted({str(c)[:FINEST] for c in codes if c is not None and str(c)})
    if districts:
        _recompute(conn, districts)
