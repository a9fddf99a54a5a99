"""Reporting completeness 报送情况: which townships (or districts) reported each month, on time or late.

A region has *reported* a dataset for a month when a batch that was not rolled back loaded rows of that
region and month (current rows or rows a later batch superseded: the report happened either way);
``uploaded_at`` is that first batch's time. Against the deadline rule — the ``deadline_day`` of the
month after, the 10th unless an admin set another day (table report_rule) — it is reported (on or
before the deadline day), late (after it) or missing (no batch yet).

``completeness`` lists every reporting unit and month (the reminder list and the CLI);
``completeness_counts`` counts them per region of a coarser level, in SQL, so the page's grid has one
row per child of the view whatever the number of townships below it. Both are read through
lib/ui/data.query, narrowed to the user's scope in SQL. ``report_status``, ``ranking`` and
``reminders`` are pure, tested without a database.
``python -m lib.completeness --month YYYY-MM [--region CODE] [--dataset D] [--json]`` prints one
line (with ``--json``, one JSON object) per region and dataset.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import pandas as pd
from sqlalchemy import Engine, case, extract, func, literal, literal_column, select, union_all

from lib import cli
from lib.warehouse import rollups
from lib.warehouse import schema as s
from lib.warehouse.batches import audit
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.engine import write_transaction
from lib.warehouse.indicator_queries import top_region_code
from lib.warehouse.queries import in_prefix
from lib.warehouse.scope import COUNTRY_CODE, LEVEL_LENGTH, Scope, level_of, pad, prefix_of

STATUSES = ("reported", "late", "missing")
DEFAULT_DEADLINE_DAY = 10
ANY_DATASET = "*"
# Datasets reported month by month, with the column that dates a row.
MONTHLY: dict[str, str] = {"screening": "month", "training": "held_on", "job_fair": "held_on"}
LEVELS = ("township", "district")
COLUMNS = ["region_code", "region_name", "dataset", "month", "status", "uploaded_at", "deadline"]
COUNT_COLUMNS = ["region_code", "region_name", "dataset", "month", "units", "reported", "late",
                 "missing", "deadline", "uploaded_at"]


class RuleRefused(ValueError):
    """A deadline rule that cannot be stored (a day that not every month has, an unknown dataset,
    a caller whose scope does not hold the whole warehouse); ``code`` is an i18n key."""

    def __init__(self, message: str, code: str = "cp_rule_bad"):
        super().__init__(message)
        self.code = code


# --- the rule (pure) -----------------------------------------------------------------------------

def deadline_for(month: dt.date, day: int = DEFAULT_DEADLINE_DAY) -> dt.date:
    """The last day a report on ``month`` is on time: the ``day``-th of the month after."""
    year, m = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    return dt.date(year, m, day)


def report_status(uploaded_at: dt.datetime | None, month: dt.date,
                  day: int = DEFAULT_DEADLINE_DAY) -> str:
    """reported / late / missing: on time means uploaded on or before the deadline day (any hour)."""
    if uploaded_at is None or pd.isna(uploaded_at):
        return "missing"
    when = pd.Timestamp(uploaded_at).date()
    return "reported" if when <= deadline_for(month, day) else "late"


def month_starts(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The first days of every month from ``date_from``'s to ``date_to``'s, in order."""
    out, cur = [], dt.date(date_from.year, date_from.month, 1)
    while cur <= date_to:
        out.append(cur)
        cur = deadline_for(cur, 1)
    return out


def as_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """A per-unit frame (COLUMNS) as COUNT_COLUMNS: each unit and month is a group of one."""
    if "units" in frame.columns:
        return frame
    out = frame.assign(units=1, **{k: (frame["status"] == k).astype(int) for k in STATUSES})
    return out.reindex(columns=COUNT_COLUMNS)


def ranking(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Timeliness per region over the months already due (deadline before ``today``): on-time rate
    (reported ÷ due unit-months), late and missing counts, best first; ties by fewer missing, then
    code. ``frame`` holds one unit per row (COLUMNS) or counts per region (COUNT_COLUMNS)."""
    cols = ["rank", "region_code", "region_name", "due", "reported", "late", "missing",
            "on_time_rate"]
    frame = as_counts(frame)
    due = frame[pd.to_datetime(frame["deadline"]).dt.date < today] if len(frame) else frame
    if due.empty:
        return pd.DataFrame(columns=cols)
    counts = due.groupby(["region_code", "region_name"], as_index=False)[list(STATUSES)].sum()
    counts["due"] = counts[list(STATUSES)].sum(axis=1)
    counts["on_time_rate"] = counts["reported"] / counts["due"]
    counts = counts.sort_values(["on_time_rate", "missing", "late", "region_code"],
                                ascending=[False, True, True, True], kind="stable")
    counts["rank"] = counts["on_time_rate"].rank(method="min", ascending=False).astype(int)
    return counts[cols].reset_index(drop=True)


def reminders(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """The reminder list: every region and month still missing, most overdue first, with the
    deadline and days overdue (0 while the deadline is still ahead). ``frame`` holds one unit per
    row (COLUMNS, or COUNT_COLUMNS of units)."""
    cols = ["region_code", "region_name", "dataset", "month", "deadline", "days_overdue"]
    frame = as_counts(frame)
    miss = frame[frame["missing"] > 0] if len(frame) else frame
    if miss.empty:
        return pd.DataFrame(columns=cols)
    out = miss.assign(days_overdue=[max(0, (today - pd.Timestamp(d).date()).days)
                                    for d in miss["deadline"]])
    return out.sort_values(["days_overdue", "region_code", "month"],
                           ascending=[False, True, True])[cols].reset_index(drop=True)


# --- the rule (stored) ---------------------------------------------------------------------------

def deadline_days(engine: Engine) -> dict[str, int]:
    """{dataset: deadline day} as stored, with '*' (every dataset) defaulting to the 10th."""
    r = s.report_rule
    with engine.connect() as conn:
        rows = dict(conn.execute(select(r.c.dataset, r.c.deadline_day)).all())
    rows.setdefault(ANY_DATASET, DEFAULT_DEADLINE_DAY)
    return {k: int(v) for k, v in rows.items()}


def deadline_day(rules: dict[str, int], dataset: str) -> int:
    return rules.get(dataset, rules.get(ANY_DATASET, DEFAULT_DEADLINE_DAY))


def _ancestor_codes(scope_prefix: str) -> list[str]:
    """The 12-digit codes of the regions above a scope (its city, province, the country)."""
    return [pad(scope_prefix[:n]) for n in sorted(set(LEVEL_LENGTH.values()))
            if n < len(scope_prefix)] + [COUNTRY_CODE]


def may_set_rule(engine: Engine, scope: Scope) -> bool:
    """Whether an admin of ``scope`` holds the whole warehouse, and so may set the deadline rule:
    it is one rule for every region, so a district admin changing it would move every other
    district's deadline. The whole warehouse may; otherwise only when no region outside the scope
    is stored but the scope's own ancestors (the city admin of a one-city warehouse)."""
    if not isinstance(scope, Scope):
        raise TypeError(f"not a Scope: {scope!r}")
    if scope.is_everything:
        return True
    r = s.region
    outside = (select(func.count()).select_from(r)
               .where(scope.where_outside(r.c.code),
                      r.c.code.not_in(_ancestor_codes(scope.prefix))))
    with engine.connect() as conn:
        return int(conn.execute(outside).scalar_one()) == 0


def set_deadline_day(engine: Engine, day: int, *, user: str | None, scope: Scope,
                     dataset: str = ANY_DATASET) -> None:
    """Store the deadline day (1–28, a day every month has) for one dataset or all ('*'); audited.
    Refused unless ``scope`` (the caller's; ``Scope.everything()`` for the console) holds the whole
    warehouse (``may_set_rule``). Written in a write transaction, so the data version moves and
    cached grids are recomputed."""
    if not may_set_rule(engine, scope):
        raise RuleRefused(f"scope {scope.prefix} does not hold the whole warehouse",
                          "cp_rule_refused")
    if dataset != ANY_DATASET and dataset not in MONTHLY:
        raise RuleRefused(f"not a monthly dataset: {dataset}")
    if not isinstance(day, int) or isinstance(day, bool) or not 1 <= day <= 28:
        raise RuleRefused(f"the deadline day must be 1–28, not {day!r}")

    r = s.report_rule
    now = dt.datetime.now().replace(microsecond=0)
    with write_transaction(engine) as conn:
        conn.execute(r.delete().where(r.c.dataset == dataset))
        conn.execute(r.insert().values(dataset=dataset, deadline_day=day, updated_by=user,
                                       updated_at=now))
        audit(conn, user, "report_rule", {"dataset": dataset, "deadline_day": day})
        rollups.mark_current(conn)  # a deadline rule is not a fact: the rollups stay exact


# --- the query -----------------------------------------------------------------------------------

def _months(dataset: str, level: str, date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """The months a grid covers, after refusing a dataset not reported monthly or an unknown
    level (a caller's mistake, never the reader's: ValueError)."""
    if dataset not in MONTHLY:
        raise ValueError(f"not a monthly dataset: {dataset}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level}")
    return month_starts(date_from, date_to)


def completeness(engine: Engine, prefix: str, dataset: str, date_from: dt.date, date_to: dt.date,
                 level: str = "township") -> pd.DataFrame:
    """One row per region of ``level`` inside ``prefix`` and month from ``date_from`` to ``date_to``:
    COLUMNS, with the status under the stored deadline rule. ``prefix`` is the caller's narrowed
    region prefix: only regions and rows inside it are read, in SQL."""
    months = _months(dataset, level, date_from, date_to)
    if not months:
        return pd.DataFrame(columns=COLUMNS)
    n = LEVEL_LENGTH[level]
    day = deadline_day(deadline_days(engine), dataset)
    reg = s.region
    with engine.connect() as conn:
        units = conn.execute(select(reg.c.code, reg.c.name).where(
            reg.c.level == level, in_prefix(reg.c.code, prefix)).order_by(reg.c.code)).all()
        if not units and len(prefix) >= n:  # a scope below the level: its own region only
            units = conn.execute(select(reg.c.code, reg.c.name).where(
                reg.c.code == prefix[:n].ljust(12, "0"))).all()
        first = _first_reports(conn, dataset, prefix, months[0], deadline_for(months[-1], 1), n)
    grid = pd.DataFrame([(c, nm, m) for c, nm in units for m in months],
                        columns=["region_code", "region_name", "month_start"])
    if grid.empty:
        return pd.DataFrame(columns=COLUMNS)
    grid["unit"] = grid["region_code"].str[:n]
    got = grid.merge(first, on=["unit", "month_start"], how="left")
    got["dataset"] = dataset
    got["deadline"] = [deadline_for(m, day) for m in got["month_start"]]
    got["status"] = [report_status(u if pd.notna(u) else None, m, day)
                     for u, m in zip(got["uploaded_at"], got["month_start"])]
    got["uploaded_at"] = got["uploaded_at"].astype(object).where(got["uploaded_at"].notna(), None)
    got["month"] = [f"{m:%Y-%m}" for m in got["month_start"]]
    return got[COLUMNS]


# Datasets whose date column already holds the first day of the month: grouped on it as stored,
# with no per-row date arithmetic (10,000,000 screening rows at the country).
MONTH_START_COLUMNS = {"screening"}


def _month_key(dataset: str, col):
    """The expression a row's month is grouped by: the column itself when it holds month starts,
    else year × 100 + month."""
    if dataset in MONTH_START_COLUMNS:
        return col
    return extract("year", col) * 100 + extract("month", col)


def _key_of(dataset: str, month: dt.date):
    """``_month_key``'s value for ``month`` (a bound parameter)."""
    return month if dataset in MONTH_START_COLUMNS else month.year * 100 + month.month


def _month_from_key(key) -> dt.date:
    if isinstance(key, (dt.date, dt.datetime)) or hasattr(key, "year"):
        return dt.date(key.year, key.month, 1)
    k = int(key)
    return dt.date(k // 100, k % 100, 1)


def _first_query(dataset: str, prefix: str, lo: dt.date, hi: dt.date, n: int):
    """(unit, ym, first_at): the first live batch with rows of each unit and month (``ym`` as
    ``_month_key`` gives it), over the current rows and the rows later batches superseded. Rows are
    joined to their (few) batches and grouped once, without a DISTINCT pass over the facts."""
    col_name = MONTHLY[dataset]
    parts = []
    for table in (s.FACT_TABLES[dataset], s.HISTORY_TABLES[dataset]):
        col = table.c[col_name]
        parts.append(select(table.c.region_code.label("region_code"),
                            _month_key(dataset, col).label("ym"), table.c.batch_id.label("batch_id"))
                     .where(in_prefix(table.c.region_code, prefix), col >= lo, col < hi))
    rows = union_all(*parts).subquery()
    b = s.upload_batch
    unit = func.substr(rows.c.region_code, literal_column("1"), literal_column(str(n)))
    return (select(unit.label("unit"), rows.c.ym.label("ym"),
                   func.min(b.c.uploaded_at).label("first_at"))
            .join(b, b.c.batch_id == rows.c.batch_id).where(b.c.status != "rolled_back")
            .group_by(unit, rows.c.ym))


def _first_reports(conn, dataset: str, prefix: str, lo: dt.date, hi: dt.date, n: int
                   ) -> pd.DataFrame:
    """(unit, month_start, uploaded_at) of ``_first_query``, as a frame."""
    got = conn.execute(_first_query(dataset, prefix, lo, hi, n)).all()
    return pd.DataFrame(
        [(u, _month_from_key(k), pd.Timestamp(at).to_pydatetime()) for u, k, at in got],
        columns=["unit", "month_start", "uploaded_at"])


def completeness_counts(engine: Engine, prefix: str, dataset: str, date_from: dt.date,
                        date_to: dt.date, level: str = "township",
                        group_len: int | None = None) -> pd.DataFrame:
    """COUNT_COLUMNS: per region of code length ``group_len`` inside ``prefix`` (the view's children;
    default: the units themselves) and month, how many units of ``level`` reported on time, late or
    not at all. Counted in SQL: the frame has groups × months rows, however many units lie below
    (the country's 40,000 townships are 31 provinces' rows). ``prefix`` is the caller's narrowed
    region prefix: only regions and rows inside it are read."""
    months = _months(dataset, level, date_from, date_to)
    if not months:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    n = LEVEL_LENGTH[level]
    g = min(n, max(group_len if group_len is not None else n, len(prefix)))
    day = deadline_day(deadline_days(engine), dataset)
    reg = s.region
    group = func.substr(reg.c.code, literal_column("1"), literal_column(str(g)))
    with engine.connect() as conn:
        units = dict(conn.execute(select(group, func.count()).where(
            reg.c.level == level, in_prefix(reg.c.code, prefix)).group_by(group)).all())
        if not units and len(prefix) >= n:  # a scope below the level: its own unit only
            units = {prefix[:n]: 1}
        names = dict(conn.execute(select(reg.c.code, reg.c.name).where(
            reg.c.code.in_([u.ljust(12, "0") for u in units]))).all())
        first = _first_query(dataset, prefix, months[0], deadline_for(months[-1], 1), n).subquery()
        # on time: the first report came before the day after the month's deadline
        limit = case(*[(first.c.ym == _key_of(dataset, m),
                        literal(dt.datetime.combine(deadline_for(m, day) + dt.timedelta(days=1),
                                                    dt.time())))
                       for m in months])
        fgroup = func.substr(first.c.unit, literal_column("1"), literal_column(str(g)))
        got = conn.execute(
            select(fgroup, first.c.ym, func.count(),
                   func.sum(case((first.c.first_at < limit, 1), else_=0)),
                   func.max(first.c.first_at))
            .group_by(fgroup, first.c.ym)).all()
    if not units:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    done = {(c, _month_from_key(ym)): (int(k), int(ok or 0), at) for c, ym, k, ok, at in got}
    rows = []
    for code in sorted(units):
        for m in months:
            k, ok, at = done.get((code, m), (0, 0, None))
            total = max(units[code], k)
            rows.append((code.ljust(12, "0"), names.get(code.ljust(12, "0"), code), dataset,
                         f"{m:%Y-%m}", total, ok, k - ok, total - k, deadline_for(m, day),
                         None if at is None else pd.Timestamp(at).to_pydatetime()))
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)


# --- the command ---------------------------------------------------------------------------------

def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"a month is YYYY-MM, not {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    """``python -m lib.completeness``: exit 0 with one line per region (and dataset), 2 if refused."""
    parser = cli.parser("lib.completeness",
                        "Who has reported each monthly dataset for a month: one line (or JSON "
                        "object) per region and dataset, status reported, late or missing.")
    cli.add_db(parser)
    parser.add_argument("--region", default=None,
                        help="12-digit region code: its townships (default: the country, the only "
                             "province or the city, as the app opens)")
    parser.add_argument("--month", required=True, type=_month, help="YYYY-MM")
    parser.add_argument("--dataset", choices=sorted(MONTHLY), default=None,
                        help="one dataset (default: every monthly dataset)")
    parser.add_argument("--level", choices=LEVELS, default="township",
                        help="the reporting unit: townships (default) or districts")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    args = parser.parse_args(argv)
    engine = open_warehouse(args.db)
    region = args.region or top_region_code(engine) or ""
    try:
        prefix = prefix_of(region) if region else ""
        level_of(region) if region else None
    except ValueError as exc:
        return cli.refuse(str(exc))
    for dataset in [args.dataset] if args.dataset else list(MONTHLY):
        frame = completeness(engine, prefix, dataset, args.month, args.month, args.level)
        for r in frame.itertuples(index=False):
            at = None if r.uploaded_at is None else pd.Timestamp(r.uploaded_at).isoformat()
            record = {"region_code": r.region_code, "region_name": r.region_name,
                      "dataset": r.dataset, "month": r.month, "status": r.status,
                      "uploaded_at": at, "deadline": str(r.deadline)}
            if args.json:
                print(json.dumps(record, ensure_ascii=False))
            else:
                print(f"{r.month}  {r.dataset:10} {r.region_code} {r.status:8} "
                      f"{at or '—':19}  {r.region_name}")
    return cli.OK


if __name__ == "__main__":
    from lib.warehouse.cli import run

    sys.exit(run(main))
