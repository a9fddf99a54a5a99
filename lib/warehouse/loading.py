"""Loading checked frames: one batch per file, upsert by key, superseded rows kept in *_history.

Everything happens in one write_transaction (which bumps data_version first, so concurrent loads are
serialised on PostgreSQL and conflict cleanly on DuckDB, where the load is retried). The diff against the
current rows decides: new keys are added, changed rows replaced (the old version moves to history with
superseded_by = this batch), identical rows left alone; ``replace`` mode also retires the current rows of
the dataset that the file no longer has, but only in the (region, period, kind) groups the file itself
holds (RETIRE_GROUPS): a file with 茶园 2024-10 and 王庄 2024-03 retires nothing of 茶园's March or 王庄's
October (it used to retire every region × period combination). Nothing to do → no batch.

Columns the file does not carry (an optional 救助人数 left out of the extract) are never blanked: a row
the file updates keeps the warehouse's value in every column outside ``carried``.

Scope: id-keyed facts are keyed by (id_scope, id), id_scope being the district of the row's
region_code, computed here for every row, so two districts' ledgers numbered 001, 002… never meet. A
file may only add rows inside the uploader's scope, and may never supersede or retire a current row
outside it (a township analyst and a sibling township's row share one district namespace): such a file
is refused as a whole, inside the load transaction, with the file's row numbers.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, and_, bindparam, delete, exists, literal, select

from lib.warehouse import planner_stats, rollups
from lib.warehouse import schema as s
from lib.warehouse.batches import audit, next_batch_id, now, refresh_statuses
from lib.warehouse.bulk import bulk_insert, id_scope_column
from lib.warehouse.engine import write_transaction
from lib.warehouse.keys import CHUNK, MAX_STATEMENTS, key_conditions, staged, statements
from lib.warehouse.scope import Scope

# What one replace-mode file speaks for: the current rows sharing region_code, the period (column,
# grain) and the kind column of one of the file's rows. Training and job-fair ledgers are complete
# per region and month whatever their topics; an organisation roster is complete per region and type.
RETIRE_GROUPS: dict[str, tuple[tuple[str, str] | None, str | None]] = {
    "training": (("held_on", "month"), None), "job_fair": (("held_on", "month"), None),
    "org_unit": (None, "org_type"), "screening": (("month", "month"), "kind"),
    "screening_target": (("year", "year"), "kind"),
    "indicator_value": (("year", "year"), "indicator_code")}
# how the refusal names an id column (the ledgers' own header, and English)
ID_LABELS = {"session_id": ("培训编号", "Session id"), "fair_id": ("招聘会编号", "Job fair id"),
             "org_id": ("组织编号", "Organisation id")}


class LoadRefused(RuntimeError):
    """Rows outside the uploader's scope (or another reason); nothing was written.

    ``rows`` are the file's row numbers (the index of the frames ``load_batch`` was given, which for
    an upload is the file's own numbering, as the upload page shows it). ``problems`` optionally says
    per row what is wrong: dicts with row (None for a row the file does not have), column (canonical
    column name), value, zh and en.
    """

    def __init__(self, zh: str, en: str, rows: list | None = None,
                 problems: list[dict] | None = None):
        self.zh, self.en, self.rows = zh, en, rows or []
        self.problems = problems or []
        super().__init__(en)


class LoadConflict(RuntimeError):
    """Another load kept the warehouse busy; nothing of this one was written."""


@dataclass
class Counts:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    retired: int = 0

    @property
    def changes(self) -> int:
        return self.added + self.replaced + self.retired


RETIRING_COLUMNS = ["dataset", "region_code", "region_name", "period", "kind", "rows"]


@dataclass
class LoadResult:
    status: str  # loaded / unchanged / dry_run
    batch_id: int | None
    counts: Counts
    by_dataset: dict[str, Counts] = field(default_factory=dict)
    # the rows a replace-mode load retires, by dataset, region, period (YYYY-MM or year) and kind
    retiring: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RETIRING_COLUMNS))


class _NothingToDo(Exception):
    pass


def load_batch(engine: Engine, frames: Mapping[str, pd.DataFrame], *, mode: str = "upsert",
               scope: Scope, user: str | None = None, filename: str | None = None,
               sha256: str | None = None, rows_read: int | None = None, is_demo: bool = False,
               dry_run: bool = False, dataset_label: str | None = None,
               carried: Mapping[str, Iterable[str]] | None = None,
               warnings: tuple[int, dict] | None = None,
               fail_after_rows: int | None = None) -> LoadResult:
    """Load frames (dataset → canonical frame) as one batch, all or nothing.

    ``carried`` names, per dataset, the columns the file actually had (None: every column): a column
    outside it keeps the warehouse's value on every row the file updates, instead of being blanked.
    ``warnings`` (count, detail) is what the uploader confirmed the file despite: kept with the batch
    (upload_warning) and its user, in the same transaction.
    ``fail_after_rows`` exists for tests: raise after that many rows were written, inside the transaction.
    """
    if mode not in ("upsert", "replace"):
        raise ValueError(f"mode must be upsert or replace, not {mode!r}")
    if not isinstance(scope, Scope):
        raise TypeError(f"load_batch needs a Scope, not {scope!r}")
    for dataset, frame in frames.items():
        _check_scope(frame, scope)
    scope = scope.prefix  # the planning below compares plain prefixes ("" only for everything)
    carry = {d: None if carried is None or d not in carried else set(carried[d]) for d in frames}
    if dry_run:
        with engine.connect() as conn:
            plans = {d: _plan(conn, d, f, mode, scope, carry[d]) for d, f in frames.items()}
        return LoadResult("dry_run", None, _total(plans), {d: p.counts for d, p in plans.items()},
                          _retiring(_names_via(engine), plans))
    label = dataset_label or "+".join(frames)
    for attempt in range(4):
        try:
            with write_transaction(engine) as conn:
                result = _write(conn, frames, mode, scope, user, filename, sha256, rows_read,
                                is_demo, label, fail_after_rows, carry, warnings)
            break
        except _NothingToDo as done:
            return done.args[0]
        except Exception as exc:
            if not _is_conflict(exc):
                raise
            if attempt == 3:
                raise LoadConflict("the warehouse is busy with another load; nothing was written, "
                                   "try again in a moment / 另一批数据正在写入，本次未写入任何数据，"
                                   "请稍后重试") from exc
            time.sleep(0.2 * (attempt + 1))
    else:
        raise AssertionError("unreachable")
    if result.counts.changes >= planner_stats.MIN_CHANGES:  # committed: never retried from here
        planner_stats.refresh_quietly(engine, planner_stats.tables_written(frames))
    return result


def _is_conflict(exc: BaseException) -> bool:
    text = str(exc)
    return any(k in text for k in ("Conflict", "conflict", "could not serialize", "deadlock",
                                   "TransactionContext"))


def _check_scope(frame: pd.DataFrame, scope: Scope) -> None:
    if scope.is_everything or frame.empty:
        return
    outside = frame[~frame["region_code"].astype(str).str.startswith(scope.prefix)]
    if len(outside):
        rows = [int(r) for r in outside.index[:50]]
        raise LoadRefused(
            f"文件中有 {len(outside)} 行不在您的权限范围（{scope.prefix}）内，未写入任何数据。",
            f"{len(outside)} rows are outside your scope ({scope.prefix}); nothing was written.",
            rows)


@dataclass
class _Plan:
    counts: Counts
    insert: pd.DataFrame  # new and changed rows, as they will be stored
    supersede: pd.DataFrame  # current rows that move to history (changed and retired)
    retired: pd.DataFrame = field(default_factory=pd.DataFrame)  # the retired part of supersede


def _common_prefix(plans: dict[str, _Plan]) -> str:
    """The longest region-code prefix every row a batch writes or supersedes shares: the batch is
    of a caller's scope exactly when this starts with the scope (upload_batch.region_prefix)."""
    lo = hi = None
    for p in plans.values():
        for part in (p.insert, p.supersede):
            codes = part["region_code"].dropna().astype(str) if len(part) else ()
            if len(codes):
                lo = min(codes.min(), lo) if lo is not None else codes.min()
                hi = max(codes.max(), hi) if hi is not None else codes.max()
    return os.path.commonprefix([lo, hi]) if lo is not None else ""


def _total(plans: dict[str, _Plan]) -> Counts:
    out = Counts()
    for p in plans.values():
        for f in ("added", "replaced", "unchanged", "retired"):
            setattr(out, f, getattr(out, f) + getattr(p.counts, f))
    return out


def _write(conn: Connection, frames, mode, scope, user, filename, sha256, rows_read, is_demo, label,
           fail_after_rows, carry, warnings=None) -> LoadResult:
    # planned inside the write transaction (data_state already bumped): the rows checked against the
    # scope are the rows this load supersedes, not a snapshot another load could change meanwhile
    plans = {d: _plan(conn, d, f, mode, scope, carry.get(d)) for d, f in frames.items()}
    total = _total(plans)
    by = {d: p.counts for d, p in plans.items()}
    if total.changes == 0:
        raise _NothingToDo(LoadResult("unchanged", None, total, by))
    retiring = _retiring(lambda codes: _region_names(conn, codes), plans)
    batch_id = next_batch_id(conn)
    conn.execute(s.upload_batch.insert().values(
        batch_id=batch_id, dataset=label, filename=filename, sha256=sha256, uploaded_by=user,
        uploaded_at=now(), rows_read=rows_read if rows_read is not None else
        sum(len(f) for f in frames.values()), rows_loaded=total.added + total.replaced,
        rows_rejected=0, status="loaded", is_demo=is_demo, mode=mode,
        region_prefix=_common_prefix(plans)))
    owners: set[int] = set()
    written = 0
    for dataset, plan in plans.items():
        table, hist = s.FACT_TABLES[dataset], s.HISTORY_TABLES[dataset]
        if len(plan.supersede):
            old = plan.supersede.assign(superseded_by=batch_id, superseded_at=now())
            bulk_insert(conn, hist, _storable(conn, old))
            _delete_keys(conn, table, plan.supersede[s.key_columns(table)])
            owners |= {int(b) for b in plan.supersede["batch_id"].unique()}
        rows = _storable(conn, plan.insert.assign(batch_id=batch_id))
        if fail_after_rows is not None and len(rows):
            bulk_insert(conn, table, rows.iloc[:fail_after_rows])
            raise RuntimeError(f"injected failure after {fail_after_rows} rows")
        written += bulk_insert(conn, table, rows)
        # the rollup keys of the rows written and of the rows superseded or retired
        rollups.refresh(conn, dataset, [plan.insert, plan.supersede])
    refresh_statuses(conn, owners)
    if warnings:
        conn.execute(s.upload_warning.insert().values(
            batch_id=batch_id, warnings=int(warnings[0]),
            detail=json.dumps(warnings[1], ensure_ascii=False, default=str), confirmed_by=user,
            confirmed_at=now()))
    audit(conn, user, "load", {"batch_id": batch_id, "dataset": label, "filename": filename,
                               "mode": mode, "added": total.added, "replaced": total.replaced,
                               "unchanged": total.unchanged, "retired": total.retired,
                               "warnings": int(warnings[0]) if warnings else 0})
    return LoadResult("loaded", batch_id, total, by, retiring)


def _names_via(engine: Engine):
    """A region-name lookup for ``_retiring`` that opens a connection only when rows retire."""
    def names(codes: list[str]) -> dict[str, str]:
        with engine.connect() as conn:
            return _region_names(conn, codes)
    return names


def _retiring(names, plans: dict[str, _Plan]) -> pd.DataFrame:
    """The rows a load retires, counted by dataset, region, period and kind, for the dry run."""
    parts = []
    for dataset, plan in plans.items():
        if plan.retired.empty:
            continue
        period, kind = RETIRE_GROUPS[dataset]
        r = plan.retired
        parts.append(pd.DataFrame({
            "dataset": dataset, "region_code": r["region_code"].astype(str).to_numpy(),
            "period": _period_label(r[period[0]], period[1]).to_numpy() if period else "",
            "kind": r[kind].astype(str).to_numpy() if kind else ""}))
    if not parts:
        return pd.DataFrame(columns=RETIRING_COLUMNS)
    rows = pd.concat(parts, ignore_index=True)
    out = (rows.groupby(["dataset", "region_code", "period", "kind"], sort=True).size()
           .rename("rows").reset_index())
    known = names(sorted(set(out["region_code"])))
    out.insert(2, "region_name", out["region_code"].map(lambda c: known.get(c, c)))
    return out[RETIRING_COLUMNS]


def _period_label(col: pd.Series, grain: str) -> pd.Series:
    if grain == "year":
        return col.map(lambda v: "" if pd.isna(v) else str(int(v)))
    return col.map(lambda d: "" if pd.isna(d) else f"{d.year:04d}-{d.month:02d}")


def _plan(conn: Connection, dataset: str, frame: pd.DataFrame, mode: str, scope: str = "",
          carried: set[str] | None = None) -> _Plan:
    """What loading ``frame`` would do; refused (LoadRefused) if it would supersede or retire a
    current row outside ``scope``. Columns outside ``carried`` keep their current values."""
    table = s.FACT_TABLES[dataset]
    key = s.key_columns(table)
    cols = [c.name for c in table.columns if c.name != "batch_id"]
    values = [c for c in cols if c not in key]
    file_rows = pd.Series(frame.index, dtype=object)  # the file's row numbers, by position
    frame = frame[[c for c in cols if c != s.ID_SCOPE]].reset_index(drop=True)
    if s.ID_SCOPE in table.c:  # always computed here: a caller's id_scope is never trusted
        frame[s.ID_SCOPE] = id_scope_column(frame["region_code"]).to_numpy()
    frame[key] = frame[key].astype(object)
    existing = _fetch(conn, table, frame, key)
    if scope and len(existing):
        _refuse_foreign(conn, dataset, existing, frame, file_rows, key, scope, retired=False)
    if existing.empty:  # a first load: every row is new, nothing to merge or compare
        insert, old = frame, existing
        added, replaced, unchanged = len(frame), 0, 0
    else:
        absent = [] if carried is None else [c for c in values
                                             if c not in carried and c != "region_code"]
        if absent:
            frame = _keep_absent(frame, existing, key, absent)
        insert, old, (added, replaced, unchanged) = _diff(frame, existing, key, values)
    retired = existing.iloc[0:0]
    if mode == "replace":
        retired = _retire(conn, dataset, table, frame, key, _canon_frame(frame[key]))
        if scope and len(retired):
            _refuse_foreign(conn, dataset, retired, frame, file_rows, key, scope, retired=True)
    supersede = pd.concat([old, retired], ignore_index=True) if len(retired) else old
    return _Plan(Counts(added, replaced, unchanged, len(retired)), insert, supersede, retired)


def _keep_absent(frame: pd.DataFrame, existing: pd.DataFrame, key: list[str], absent: list[str]
                 ) -> pd.DataFrame:
    """``frame`` with the current values of the columns the file lacks, on rows already stored
    (new rows keep NULL there): an extract without 救助金额 corrects 筛查人数, not 救助金额."""
    cur = existing[key + absent].rename(columns={c: f"{c}__cur" for c in absent})
    merged = frame[key].merge(cur, on=key, how="left", sort=False)
    out = frame.copy()
    for c in absent:
        filled = merged[f"{c}__cur"].to_numpy()
        out[c] = pd.Series(filled, index=frame.index, dtype=object).where(
            pd.notna(filled), out[c].astype(object))
    return out


def _refuse_foreign(conn: Connection, dataset: str, current: pd.DataFrame, frame: pd.DataFrame,
                    file_rows: pd.Series, key: list[str], scope: str, *, retired: bool) -> None:
    """Refuse the load if any of ``current`` (rows the file would supersede, or retire) lies outside
    ``scope``, naming the file rows that carry their keys (a retired row has none)."""
    foreign = current[~current["region_code"].astype(str).str.startswith(scope)]
    if foreign.empty:
        return
    names = _region_names(conn, sorted(set(foreign["region_code"].astype(str))))
    id_col = s.ID_COLUMNS.get(dataset)
    label_zh, label_en = ID_LABELS.get(id_col, ("记录", "Record"))
    problems: list[dict] = []
    if retired:
        for r in foreign.itertuples(index=False):
            code = str(r.region_code)
            value = getattr(r, id_col) if id_col else code
            problems.append({
                "row": None, "column": id_col or "region_code", "value": value,
                "zh": f"按替换方式上传会删除{names.get(code, code)}（{code}）的记录 {value}，"
                      f"该记录不在您的权限范围（{scope}）内，不能删除。",
                "en": f"Replace mode would retire record {value} of {code}, outside your scope "
                      f"({scope}); it cannot be removed."})
    else:
        at = frame[key].astype(object).assign(file_row=file_rows.to_numpy()).merge(
            foreign[[*key, "region_code"]].astype(object), on=key)
        for r in at.sort_values("file_row", kind="stable").itertuples(index=False):
            code = str(r.region_code)
            value = getattr(r, id_col) if id_col else code
            problems.append({
                "row": _py(r.file_row), "column": id_col or "region_code", "value": value,
                "zh": f"{label_zh} {value} 已是{names.get(code, code)}（{code}）的记录，不在您的权限"
                      f"范围（{scope}）内，不能覆盖。",
                "en": f"{label_en} {value} already belongs to a record of {code}, outside your "
                      f"scope ({scope}); it cannot be overwritten."})
    rows = [p["row"] for p in problems if p["row"] is not None]
    verb_zh, verb_en = ("删除", "retire") if retired else ("覆盖", "overwrite")
    raise LoadRefused(
        f"文件会{verb_zh} {len(foreign)} 条不在您的权限范围（{scope}）内的已有记录，未写入任何数据。",
        f"The file would {verb_en} {len(foreign)} existing records outside your scope ({scope}); "
        f"nothing was written.", rows[:50], problems[:50])


def _region_names(conn: Connection, codes: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for i in range(0, len(codes), 1000):
        q = select(s.region.c.code, s.region.c.name).where(s.region.c.code.in_(codes[i:i + 1000]))
        names.update({c: n for c, n in conn.execute(q)})
    return names


def _diff(frame: pd.DataFrame, existing: pd.DataFrame, key: list[str], values: list[str]
          ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, int, int]]:
    """(rows to insert, current rows they supersede, (added, replaced, unchanged)) of a file
    against the current rows with its keys."""
    merged = frame.merge(existing, on=key, how="left", suffixes=("", "__old"), indicator=True)
    found = merged["_merge"] == "both"
    same = pd.Series(False, index=merged.index)
    if found.any():
        both = merged[found]
        eq = pd.Series(True, index=both.index)
        for c in values:
            eq &= _canon(both[c]) == _canon(both[f"{c}__old"])
        same[both.index] = eq
    changed = found & ~same
    insert = merged.loc[~found | changed, list(frame.columns)]
    changed_keys = merged.loc[changed, key]
    old = existing.merge(changed_keys.astype(object), on=key) if changed.any() else existing.iloc[0:0]
    return insert, old, (int((~found).sum()), int(changed.sum()), int((found & same).sum()))


def _fetch(conn: Connection, table, frame: pd.DataFrame, key: list[str],
           all_in_regions: bool = False) -> pd.DataFrame:
    """Current rows (with batch_id) whose key is in the frame.

    Id keys are looked up by key, wherever the current row's region is (that row may lie outside
    the uploader's scope, which is what the caller must see); region keys via the file's regions.
    """
    names = [c.name for c in table.columns]
    parts: list[pd.DataFrame] = []
    if not all_in_regions and (len(key) == 1 or s.ID_SCOPE in key):
        keys = frame[key].drop_duplicates()
        if len(keys) > CHUNK:
            return _fetch_joined(conn, table, keys)
        for where in key_conditions(table, keys):
            parts.append(_rows_frame(conn.execute(select(table).where(where)), names))
    else:
        regions = sorted(set(frame["region_code"]))
        for i in range(0, len(regions), 1000):
            rows = conn.execute(select(table).where(
                table.c.region_code.in_(regions[i:i + 1000])))
            parts.append(_rows_frame(rows, names))
    got = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=names, dtype=object)
    if not all_in_regions and len(key) > 1 and s.ID_SCOPE not in key and len(got):
        got = got.merge(frame[key].astype(object).drop_duplicates(), on=key)
    return got


def _fetch_joined(conn: Connection, table, keys: pd.DataFrame) -> pd.DataFrame:
    """Many keys: stage them in a temporary table (bulk-loaded) and join, instead of 200 IN lists."""
    with staged(conn, table, keys) as (tmp, on):
        rows = conn.execute(select(table).join(tmp, on))
        return _rows_frame(rows, [c.name for c in table.columns])


def _rows_frame(rows: Iterable, names: list[str], chunk: int = 100_000) -> pd.DataFrame:
    """Fetched rows as an object frame, taken as plain tuples while they stream in: pandas probes
    each SQLAlchemy Row for attributes, and every failed probe raises inside SQLAlchemy (~20 s for a
    million rows). Built ``chunk`` rows at a time, each chunk's repeated values made one object
    (``_shared_values``): a re-upload fetches every stored row, and a million rows of fresh Python
    objects (the driver makes one per cell) cost ~500 MB more than the same values shared."""
    it = iter(rows)
    parts = []
    while batch := [tuple(r) for r in itertools.islice(it, chunk)]:
        parts.append(_shared_values(pd.DataFrame(batch, columns=names, dtype=object)))
        del batch
    if not parts:
        return pd.DataFrame(columns=names, dtype=object)
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _shared_values(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column whose values repeat (region codes, dates, kinds, counts) pointing
    at one object per distinct value; same dtype (object), same values, NULLs stay None."""
    out = {}
    for name in frame.columns:
        col = frame[name]
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        if len(uniques) * 2 > len(col):  # mostly distinct (ids): nothing to share
            out[name] = col
            continue
        values = np.empty(len(uniques) + 1, dtype=object)
        values[:-1] = np.asarray(uniques, dtype=object)
        values[-1] = None  # code -1: a NULL
        out[name] = pd.Series(values[codes], index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index)


def _retire(conn, dataset, table, frame, key, file_keys) -> pd.DataFrame:
    """Current rows of the file's own (region, period, kind) groups whose key the file no longer
    carries: only the combinations present in the file, never their cross product."""
    pool = _fetch(conn, table, frame, key, all_in_regions=True)
    if pool.empty:
        return pool
    groups = set(_groups(dataset, frame))
    pool = pool[_groups(dataset, pool).isin(groups).to_numpy()]
    if pool.empty:
        return pool
    have = set(file_keys.apply(tuple, axis=1))
    keep = _canon_frame(pool[key]).apply(tuple, axis=1).isin(have)
    return pool[~keep.to_numpy()]


def _groups(dataset: str, frame: pd.DataFrame) -> pd.Series:
    """The replace group of every row: (region_code, period, kind), canonical strings."""
    period, kind = RETIRE_GROUPS[dataset]
    parts = {"region": frame["region_code"].astype(str).reset_index(drop=True)}
    if period:
        parts["period"] = _period_label(frame[period[0]], period[1]).reset_index(drop=True)
    if kind:
        parts["kind"] = _canon(frame[kind]).reset_index(drop=True)
    return pd.DataFrame(parts).apply(tuple, axis=1)


def _delete_keys(conn: Connection, table, keys: pd.DataFrame) -> None:
    cols = list(keys.columns)
    if len(cols) == 1 or s.ID_SCOPE in cols:
        keys = keys.astype(object)
        if s.ID_SCOPE in cols and statements(keys) > MAX_STATEMENTS:
            # one join-driven DELETE, not one fact-table scan per district and chunk
            with staged(conn, table, keys.drop_duplicates()) as (tmp, on):
                conn.execute(delete(table).where(exists(select(literal(1)).select_from(tmp)
                                                        .where(on))))
            return
        for where in key_conditions(table, keys):
            conn.execute(delete(table).where(where))
        return
    stmt = delete(table).where(and_(*[table.c[c] == bindparam(f"k_{c}") for c in cols]))
    conn.execute(stmt, [{f"k_{c}": _py(v) for c, v in zip(cols, r)}
                        for r in keys.itertuples(index=False, name=None)])


def _storable(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """PostgreSQL's COPY wants None for missing values; DuckDB reads pandas' nullable types itself."""
    if conn.dialect.name == "duckdb":
        return frame
    return frame.astype(object).where(frame.notna(), None)


def _py(v):
    return v.item() if hasattr(v, "item") else v


def _canon_one(v) -> str:
    """One value as compared between a file and the warehouse (types differ by driver)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float) and math.isnan(v):
        return ""
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)) or hasattr(v, "item"):
        f = float(v)
        return repr(round(f, 6)) if not f.is_integer() else str(int(f))
    return str(v)


def _canon(col: pd.Series) -> pd.Series:
    """``_canon_one`` of every cell, computed once per distinct value (missing cells: '')."""
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
    canon = np.array([_canon_one(v) for v in uniques] + [""], dtype=object)
    return pd.Series(canon[codes], index=col.index, dtype=object)


def _canon_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: _canon(frame[c]) for c in frame.columns}, index=frame.index)


def eligible_frame(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Eligible women per township, kind and year inside ``scope``: the denominator of the
    screening cycle check."""
    t = s.screening_target
    q = select(t.c.region_code, t.c.year, t.c.kind, t.c.eligible_women).where(
        scope.where(t.c.region_code))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    return pd.DataFrame(rows, columns=["region_code", "year", "kind", "eligible_women"])
