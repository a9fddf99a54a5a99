"""Rollups: the summable facts pre-summed by region level and period.

Country, province and city views (and PostgreSQL pages generally) sum hundreds of thousands of
township-month rows per query; the rollup tables (schema.ROLLUP_BY_DATASET) hold those sums per
region prefix at every level of ``queries.ROLLUP_LEVELS``, period, urban/rural class and grouping
column, so the same question reads a few hundred rows (queries.facts / screening_targets route to
them). Only sums and counts are rolled up; ratios are computed by the pages after summing.

They must always equal the base tables, so every write of facts rewrites them in its own transaction:
``refresh`` re-aggregates only the (region, period) keys a load, rollback or demo write touched —
delete and re-insert those keys at the finest level from the base table, then each coarser level
from the level below it — and ``rebuild`` recomputes everything. ``rollup_state.version`` records
the data version they are exact at; a write that bypasses them (any other write transaction) makes
them stale, pages then read the base tables, and the next refresh rebuilds instead.

The fact tables hold current rows only (superseded and retired rows live in ``*_history``), so
rolling up the current table treats them exactly as the base queries do.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

import pandas as pd
from sqlalchemy import (Connection, Date, Table, case, cast, delete, func, insert,
                        literal_column, select, update)

from lib import cli
from lib.warehouse import coverage_rollup
from lib.warehouse import schema as s
from lib.warehouse.engine import get_engine, resolve_schema, resolve_url, write_transaction
from lib.warehouse.queries import ROLLUP_LEVELS, village_area

# The tables of revision 0004 (the summed facts) and every table rollups write (create_all makes
# them; revision 0005 adds village coverage).
FACT_ROLLUP_TABLES: list[Table] = [*s.ROLLUP_BY_DATASET.values(), s.rollup_state]
ROLLUP_TABLES: list[Table] = [*FACT_ROLLUP_TABLES, *coverage_rollup.TABLES]
# The roster rolls up as village coverage (lib/warehouse/coverage_rollup.py), not as sums.
ROSTER = "org_unit"

# Above this many distinct prefixes (or periods) a refresh re-aggregates the whole level for the
# touched periods (resp. everything) instead of listing them in an IN (…): same result, one scan.
MAX_IN = 2000


@dataclass(frozen=True)
class Spec:
    """How one dataset rolls up: its base table, the period column and grain, dims and sums."""
    dataset: str
    base: Table
    rollup: Table
    period: str      # the base column the period comes from
    monthly: bool    # True: the period is the first of the column's month; False: the value itself

    @property
    def dims(self) -> list[str]:
        names = [c.name for c in self.rollup.columns]
        return names[names.index("area") + 1:names.index("n")]

    @property
    def sums(self) -> list[str]:
        names = [c.name for c in self.rollup.columns]
        return names[names.index("n") + 1:]


SPECS: dict[str, Spec] = {
    "training": Spec("training", s.training_session, s.rollup_training, "held_on", True),
    "job_fair": Spec("job_fair", s.job_fair, s.rollup_job_fair, "held_on", True),
    "screening": Spec("screening", s.screening, s.rollup_screening, "month", False),
    "screening_target": Spec("screening_target", s.screening_target, s.rollup_screening_target,
                             "year", False),
}


def _num(n: int):
    """An integer inlined in SQL: DuckDB takes no bound parameters in GROUP BY (as queries.child_prefix)."""
    return literal_column(str(int(n)))


def _prefix(col, level: int):
    return func.substr(col, _num(1), _num(level)) if level else literal_column("''")


def _base_period(spec: Spec):
    col = spec.base.c[spec.period]
    if spec.monthly:
        return cast(func.date_trunc(literal_column("'month'"), col), Date)
    return col


def _period_values(spec: Spec, values: pd.Series) -> list:
    """The rollup periods of base column values (dates, timestamps or years, as a frame holds them)."""
    vals = values.dropna()
    if spec.period == "year":
        return sorted({int(v) for v in vals})
    stamps = pd.to_datetime(vals)
    if spec.monthly:
        stamps = stamps.dt.to_period("M").dt.start_time
    return sorted({d.date() for d in stamps})


def _classes(level: int, prefixes: list[str] | None):
    """Township code → 'urban' / 'rural' by its villages (queries.townships_of_area's rule)."""
    v = s.region.alias("v")
    urban = func.sum(case((village_area(v.c.urban_rural_code) == "urban", 1), else_=0))
    area = case((urban * 2 > func.count(), literal_column("'urban'")),
                else_=literal_column("'rural'"))
    q = select(v.c.parent_code.label("code"), area.label("area")).where(v.c.level == "village")
    if prefixes is not None and level:
        q = q.where(_prefix(v.c.parent_code, level).in_(prefixes))
    return q.group_by(v.c.parent_code).subquery("cls")


def _from_base(spec: Spec, level: int, periods: list | None, prefixes: list[str] | None):
    """INSERT … SELECT of the finest level, straight from the base table."""
    b, r = spec.base, spec.rollup
    cls = _classes(level, prefixes)
    region = _prefix(b.c.region_code, level)
    period = _base_period(spec)
    area = func.coalesce(cls.c.area, literal_column("''"))
    dims = [b.c[d] for d in spec.dims]
    cols = [_num(level), region, period, area, *dims, func.count(),
            *[func.sum(b.c[m]) for m in spec.sums]]
    where = []
    if periods is not None:
        col = b.c[spec.period]
        if spec.monthly:  # a range the indexes and zone maps serve, then the months themselves
            end = (pd.Timestamp(periods[-1]) + pd.offsets.MonthBegin(1)).date()
            where += [col >= periods[0], col < end]
        where.append(period.in_(periods))
    if prefixes is not None and level:
        where.append(region.in_(prefixes))
    stmt = (select(*cols).select_from(b.outerjoin(cls, cls.c.code == b.c.region_code))
            .where(*where).group_by(*([region] if level else []), period, area, *dims))
    return insert(r).from_select(_names(spec), stmt)


def _from_finer(spec: Spec, level: int, finer: int, periods: list | None,
                prefixes: list[str] | None):
    """INSERT … SELECT of ``level`` from the rollup rows of the next finer level."""
    r = spec.rollup
    src = r.alias("src")
    region = _prefix(src.c.region, level)
    dims = [src.c[d] for d in spec.dims]
    cols = [_num(level), region, src.c.period, src.c.area, *dims, func.sum(src.c.n),
            *[func.sum(src.c[m]) for m in spec.sums]]
    where = [src.c.level == finer]
    if periods is not None:
        where.append(src.c.period.in_(periods))
    if prefixes is not None and level:
        where.append(region.in_(prefixes))
    stmt = (select(*cols).where(*where)
            .group_by(*([region] if level else []), src.c.period, src.c.area, *dims))
    return insert(r).from_select(_names(spec), stmt)


def _names(spec: Spec) -> list[str]:
    return [c.name for c in spec.rollup.columns]


def _recompute(conn: Connection, spec: Spec, periods: list | None, codes: list[str] | None) -> None:
    """Delete and re-aggregate the rollup rows of ``periods`` × the prefixes of ``codes`` at every
    level, finest first (None: all periods / all regions). Re-aggregating a superset of the touched
    keys from the truth below it is exact; the cross product only costs a little extra work."""
    if periods is not None and not periods:
        return
    if periods is not None and len(periods) > MAX_IN:
        periods = None
    r = spec.rollup
    finer = None
    for level in sorted(ROLLUP_LEVELS, reverse=True):
        prefixes = None
        if codes is not None:
            prefixes = sorted({c[:level] for c in codes})
            if len(prefixes) > MAX_IN:
                prefixes = None
        where = [r.c.level == level]
        if periods is not None:
            where.append(r.c.period.in_(periods))
        if prefixes is not None and level:
            where.append(r.c.region.in_(prefixes))
        conn.execute(delete(r).where(*where))
        conn.execute(_from_base(spec, level, periods, prefixes) if finer is None
                     else _from_finer(spec, level, finer, periods, prefixes))
        finer = level


def _versions(conn: Connection) -> tuple[int | None, int]:
    """(the version the rollups are exact at or None, the current data version)."""
    state = conn.execute(select(s.rollup_state.c.version).where(s.rollup_state.c.id == 1)
                         ).scalar_one_or_none()
    cur = conn.execute(select(s.data_state.c.version).where(s.data_state.c.id == 1)
                       ).scalar_one_or_none()  # None: a new warehouse, before ensure_schema's row
    return state, int(cur or 0)


def _stamp(conn: Connection, version: int) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    done = conn.execute(update(s.rollup_state).where(s.rollup_state.c.id == 1)
                        .values(version=version, built_at=now)).rowcount
    if not done:
        conn.execute(insert(s.rollup_state).values(id=1, version=version, built_at=now))


def rebuild(conn: Connection, *, coverage: bool = True) -> None:
    """Recompute every rollup from the base tables, inside the caller's transaction, and mark them
    exact at the current data version (the migrations, and self-repair of stale rollups).
    ``coverage=False`` is for revision 0004 only, which runs before coverage's tables exist."""
    for spec in SPECS.values():
        _recompute(conn, spec, None, None)
    if coverage:
        coverage_rollup.rebuild(conn)
    _stamp(conn, _versions(conn)[1])


def is_current(conn: Connection) -> bool:
    """Whether the rollups equal the base tables now (pages may read them)."""
    state, cur = _versions(conn)
    return state is not None and state == cur


def _ready_for_increment(conn: Connection) -> bool:
    """Exact before this write transaction (which bumped the version once) or already refreshed in
    it: only then are the untouched keys right and a refresh of the touched ones enough."""
    state, cur = _versions(conn)
    return state is not None and state in (cur - 1, cur)


def mark_current(conn: Connection) -> None:
    """For a write transaction that changes neither facts nor regions (progress tables, aliases…):
    rollups exact before it stay exact after it, instead of looking stale."""
    state, cur = _versions(conn)
    if state is not None and state == cur - 1:
        _stamp(conn, cur)


def refresh(conn: Connection, dataset: str, rows: pd.DataFrame | Iterable[pd.DataFrame]) -> None:
    """Re-aggregate the rollup keys of ``rows`` (frames with region_code and the dataset's period
    column: the rows a write added, and the rows it removed) inside the caller's write transaction.

    Datasets without a rollup are ignored. Stale rollups (a write bypassed them) are rebuilt whole.
    """
    spec = SPECS.get(dataset)
    if spec is None and dataset != ROSTER:
        mark_current(conn)
        return
    if not _ready_for_increment(conn):
        rebuild(conn)
        return
    frames = [rows] if isinstance(rows, pd.DataFrame) else list(rows)
    if spec is None:  # the roster: re-aggregate the coverage of the districts it touched
        coverage_rollup.refresh(conn, [c for f in frames if len(f) for c in f["region_code"]])
        _stamp(conn, _versions(conn)[1])
        return
    frames = [f[["region_code", spec.period]] for f in frames if len(f)]
    if frames:
        keys = pd.concat(frames, ignore_index=True).dropna()
        codes = sorted({str(c) for c in keys["region_code"]})
        _recompute(conn, spec, _period_values(spec, keys[spec.period]), codes)
    _stamp(conn, _versions(conn)[1])


def touched(conn: Connection, dataset: str, where) -> pd.DataFrame:
    """The distinct (region_code, period column) of the current rows matching ``where``: read
    before a rollback or demo clear deletes them, for ``refresh``."""
    spec = SPECS.get(dataset)
    table = s.FACT_TABLES[dataset]
    if dataset == ROSTER:  # coverage is re-aggregated by district: the codes are enough
        rows = conn.execute(select(table.c.region_code).where(where).distinct()).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=["region_code"])
    if spec is None:  # no rollup: nothing to refresh
        return pd.DataFrame(columns=["region_code"])
    rows = conn.execute(select(table.c.region_code, table.c[spec.period]).where(where)
                        .distinct()).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["region_code", spec.period])


def main(argv: list[str] | None = None) -> int:
    """``python -m lib.warehouse.rollups [--db URL]``: rebuild every rollup now."""
    ap = cli.parser("lib.warehouse.rollups",
                    "Rebuild every rollup (the pre-summed tables the pages read) from the base "
                    "tables; loads keep them current, so this is for repairs.")
    cli.add_db(ap)
    args = ap.parse_args(argv)
    url = resolve_url(args.db)
    engine = get_engine(url, pg_schema=None if url.startswith("duckdb") else resolve_schema())
    with write_transaction(engine) as conn:
        rebuild(conn)
    print("rollups rebuilt")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    raise SystemExit(run(main))
