"""Cumulative screening progress (进度表) and the region aliases that name functional zones.

A progress table says "by this date, this district has done N of its quota M": a cumulative figure
per region, kind and as-of date. It is stored as such in ``screening_progress`` and never added to
the township-month ``screening`` facts (summing cumulative counts with monthly ones would count the
same women twice). A load is one ``upload_batch`` row (dataset 'progress') with its audit event, in
one write transaction; like every load it is refused as a whole when a row lies outside the
uploader's scope. Loading the same as-of date again replaces that date's rows for the regions and
kinds the file holds.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, and_, delete, select, update

from lib.warehouse import rollups
from lib.warehouse import schema as s
from lib.warehouse.batches import (RollbackRefused, RollbackResult, audit, audit_only,
                                   check_may_roll_back, next_batch_id, now, rollback_batch)
from lib.warehouse.engine import write_transaction
from lib.warehouse.loading import LoadRefused
from lib.warehouse.scope import Scope

DATASET = "progress"
PROGRESS_COLUMNS = ["region_code", "as_of", "kind", "quota", "done", "batch_id"]
_SUFFIXES = ("区", "县", "市", "街道", "镇", "乡")
_NAME_SUFFIX = re.compile(r"(区|县|市|街道|镇|乡)$")
ALIAS_COLUMNS = ["alias", "region_code", "display_name", "added_by", "added_at"]


@dataclass
class ProgressLoad:
    status: str  # loaded / unchanged / dry_run
    batch_id: int | None
    added: int
    replaced: int
    unchanged: int


# aliases -------------------------------------------------------------------------------------------

def aliases_frame(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The admin's region aliases inside ``scope``, by alias."""
    a = s.region_alias
    q = (select(*[a.c[c] for c in ALIAS_COLUMNS]).where(scope.where(a.c.region_code))
         .order_by(a.c.alias))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=ALIAS_COLUMNS)


def add_alias(engine: Engine, alias: str, region_code: str, *, display_name: str | None = None,
              user: str | None = None, scope: Scope) -> None:
    """Name ``region_code`` also ``alias`` (e.g. 经开区): a 12-digit code inside the admin's scope.

    The code need not be a division in the region table: a functional zone has none, and the
    federation files it under a code of its own choosing (often its statistical code). An alias is
    only for names that are not regions: one equal to a region's name or short name (鼓楼区, 鼓楼,
    鼓东) is refused, or an admin could file another district's official figures under their own."""
    alias = "".join(str(alias or "").split())
    code = str(region_code or "").strip()
    if not alias or len(alias) > 64:
        raise ValueError("别名不能为空，且不超过 64 个字符。 / The alias must be 1–64 characters.")
    if not (code.isdigit() and len(code) == 12):
        raise ValueError("区划代码应为 12 位数字。 / The region code must have 12 digits.")
    if not scope.contains(code):
        raise PermissionError(f"区划 {code} 不在您的权限范围（{scope.prefix}）内。 / "
                              f"Region {code} is outside your scope ({scope.prefix}).")
    a = s.region_alias
    with write_transaction(engine) as conn:
        taken = conn.execute(select(s.region.c.name, s.region.c.code).where(
            s.region.c.name.in_(region_names_like(alias))).order_by(s.region.c.code)).first()
        if taken is not None:
            raise ValueError(f"「{alias}」已是区划「{taken.name}」（{taken.code}）的名称，不能用作别名；"
                             "别名只用于没有区划的名称（如功能区）。 / "
                             f"'{alias}' is the name of region {taken.name} ({taken.code}): an "
                             "alias is only for a name that is not a region (a functional zone).")
        old = conn.execute(select(a.c.region_code).where(a.c.alias == alias)).scalar_one_or_none()
        if old is not None and not scope.contains(old):
            raise PermissionError(f"别名「{alias}」属于您权限范围之外的区划。 / "
                                  f"The alias '{alias}' belongs to a region outside your scope.")
        conn.execute(delete(a).where(a.c.alias == alias))
        conn.execute(a.insert().values(alias=alias, region_code=code, display_name=display_name
                                       or None, added_by=user, added_at=now()))
        audit(conn, user, "region_alias", {"alias": alias, "region_code": code,
                                           "display_name": display_name, "was": old})
        rollups.mark_current(conn)  # an alias is not a region row: rollups stay exact


def region_names_like(alias: str) -> list[str]:
    """The region names an alias would stand in for: itself, and itself or its short form with
    each suffix a division name may drop (区/县/市, 街道/镇/乡) — the forms a progress table is
    matched by."""
    short = _NAME_SUFFIX.sub("", alias)
    stems = {alias} | ({short} if len(short) >= 2 else set())
    return sorted({alias} | {stem + suffix for stem in stems for suffix in _SUFFIXES})


def remove_alias(engine: Engine, alias: str, *, user: str | None = None, scope: Scope) -> bool:
    a = s.region_alias
    with write_transaction(engine) as conn:
        q = delete(a).where(a.c.alias == alias, scope.where(a.c.region_code))
        gone = conn.execute(q).rowcount > 0
        if gone:
            audit(conn, user, "region_alias_removed", {"alias": alias})
        rollups.mark_current(conn)
    return gone


# loading -------------------------------------------------------------------------------------------

def load_progress(engine: Engine, rows: pd.DataFrame, as_of: dt.date, *, scope: Scope,
                  user: str | None = None, filename: str | None = None,
                  sha256: str | None = None, rows_read: int | None = None,
                  dry_run: bool = False) -> ProgressLoad:
    """Store parsed progress rows (region_code, kind, quota, done; indexed or with a ``row`` column
    holding the file's row numbers) as of ``as_of``: one batch, all or nothing.

    Refused (LoadRefused with the file's row numbers, and an audit event) when a row lies outside
    ``scope``. Rows identical to the stored ones are left alone; nothing changed → no batch."""
    frame = rows.copy()
    lines = frame["row"].tolist() if "row" in frame.columns else list(frame.index)
    outside = [int(r) for r, c in zip(lines, frame["region_code"].astype(str))
               if not scope.contains(c)]
    if outside:
        if not dry_run:
            audit_only(engine, user, "refusal", {"filename": filename, "dataset": DATASET,
                                                 "out_of_scope_rows": outside[:50]})
        raise LoadRefused(f"文件中有 {len(outside)} 行不在您的权限范围（{scope.prefix}）内，未写入任何数据。",
                          f"{len(outside)} rows are outside your scope ({scope.prefix}); nothing was "
                          "written.", outside)
    new = pd.DataFrame({"region_code": frame["region_code"].astype(str).to_numpy(),
                        "as_of": as_of, "kind": frame["kind"].astype(str).to_numpy(),
                        "quota": [None if pd.isna(q) else int(q) for q in frame["quota"]],
                        "done": [int(d) for d in frame["done"]]})
    if dry_run:
        with engine.connect() as conn:
            added, replaced, unchanged, _ = _plan(conn, new, as_of)
        return ProgressLoad("dry_run", None, added, replaced, unchanged)
    p = s.screening_progress
    for attempt in range(5):
        try:
            with write_transaction(engine) as conn:
                added, replaced, unchanged, changed = _plan(conn, new, as_of)
                if not changed:
                    return ProgressLoad("unchanged", None, added, replaced, unchanged)
                batch_id = next_batch_id(conn)
                codes = sorted(r.region_code for r in changed)
                conn.execute(s.upload_batch.insert().values(
                    batch_id=batch_id, dataset=DATASET, filename=filename, sha256=sha256,
                    uploaded_by=user, uploaded_at=now(), rows_read=rows_read or len(frame),
                    rows_loaded=len(changed), rows_rejected=0, status="loaded", is_demo=False,
                    mode="upsert", region_prefix=os.path.commonprefix([codes[0], codes[-1]])))
                h = s.screening_progress_history
                for r in changed:  # the replaced row moves to history, for an exact rollback
                    where = and_(p.c.region_code == r.region_code, p.c.as_of == as_of,
                                 p.c.kind == r.kind)
                    old = conn.execute(select(p).where(where)).mappings().first()
                    if old is not None:
                        conn.execute(h.insert().values(**dict(old), superseded_by=batch_id,
                                                       superseded_at=now()))
                        conn.execute(delete(p).where(where))
                conn.execute(p.insert(), [{"region_code": r.region_code, "as_of": as_of,
                                           "kind": r.kind, "quota": r.quota, "done": r.done,
                                           "batch_id": batch_id} for r in changed])
                audit(conn, user, "load", {"batch_id": batch_id, "dataset": DATASET,
                                           "filename": filename, "as_of": as_of.isoformat(),
                                           "added": added, "replaced": replaced,
                                           "unchanged": unchanged})
                rollups.mark_current(conn)  # progress rows are not facts: rollups stay exact
            return ProgressLoad("loaded", batch_id, added, replaced, unchanged)
        except Exception as exc:  # a concurrent writer on DuckDB: retry, as the fact loader does
            if attempt == 4 or "onflict" not in str(exc):
                raise
    raise AssertionError("unreachable")


def _plan(conn, new: pd.DataFrame, as_of: dt.date) -> tuple[int, int, int, list]:
    """(added, replaced, unchanged, the rows to write) against the stored rows of ``as_of``."""
    p = s.screening_progress
    current = {(r.region_code, r.kind): (r.quota, r.done) for r in conn.execute(
        select(p.c.region_code, p.c.kind, p.c.quota, p.c.done).where(
            p.c.as_of == as_of, p.c.region_code.in_(new["region_code"].unique().tolist())))}
    added = replaced = unchanged = 0
    changed = []
    for r in new.itertuples(index=False):
        old = current.get((r.region_code, r.kind))
        if old is None:
            added += 1
        elif (old[0], old[1]) == (r.quota, r.done):
            unchanged += 1
            continue
        else:
            replaced += 1
        changed.append(r)
    return added, replaced, unchanged, changed


def rollback_progress(engine: Engine, batch_id: int, *, user: str | None = None, scope: Scope,
                      role: str = "analyst") -> RollbackResult:
    """Undo a progress batch exactly: its rows go, the rows it replaced come back.

    The same rules as every rollback (lib/warehouse/batches.py): the uploader or an admin, a batch
    wholly inside the caller's scope, and not while a later batch replaced this one's rows."""
    p, h, b = s.screening_progress, s.screening_progress_history, s.upload_batch
    with write_transaction(engine) as conn:
        batch = conn.execute(select(b).where(b.c.batch_id == batch_id)).mappings().first()
        if batch is None or batch["dataset"] != DATASET:
            raise RollbackRefused(f"批次 {batch_id} 不是进度表批次。",
                                  f"Batch {batch_id} is not a progress-table batch.")
        check_may_roll_back(batch, user, role, scope)
        if batch["status"] == "rolled_back":
            raise RollbackRefused(f"批次 {batch_id} 已经撤销过。",
                                  f"Batch {batch_id} is already rolled back.")
        later = sorted({int(x) for x in conn.execute(select(h.c.superseded_by).where(
            h.c.batch_id == batch_id)).scalars()})
        if later:
            ids = "、".join(str(x) for x in later)
            raise RollbackRefused(
                f"批次 {batch_id} 的数据已被后来的批次 {ids} 替换，请先撤销批次 {ids}。",
                f"Rows of batch {batch_id} were superseded by later batch(es) {ids}; "
                f"roll back {ids} first.")
        back = conn.execute(select(h).where(h.c.superseded_by == batch_id)).mappings().all()
        if not scope.is_everything:
            foreign = conn.execute(select(p.c.region_code).where(
                p.c.batch_id == batch_id, scope.where_outside(p.c.region_code)).limit(1)).first()
            if foreign is not None or any(not scope.contains(r["region_code"]) for r in back):
                raise RollbackRefused(
                    f"批次 {batch_id} 含有您权限范围（{scope.prefix}）以外的数据，不能撤销。",
                    f"Batch {batch_id} holds rows outside your scope ({scope.prefix}).")
        removed = conn.execute(delete(p).where(p.c.batch_id == batch_id)).rowcount
        cols = [c.name for c in p.columns]
        if back:
            conn.execute(p.insert(), [{c: r[c] for c in cols} for r in back])
            conn.execute(delete(h).where(h.c.superseded_by == batch_id))
        conn.execute(update(b).where(b.c.batch_id == batch_id).values(status="rolled_back"))
        audit(conn, user, "rollback", {"batch_id": batch_id, "dataset": DATASET,
                                       "removed": removed, "restored": len(back)})
        rollups.mark_current(conn)
    return RollbackResult(batch_id, removed, len(back))


def rollback_any(engine: Engine, batch_id: int, *, user: str | None = None, scope: Scope,
                 role: str = "analyst") -> RollbackResult:
    """Roll back a batch of any dataset: progress batches here, fact batches by
    ``lib.warehouse.batches.rollback_batch`` (which knows only the fact tables)."""
    with engine.connect() as conn:
        dataset = conn.execute(select(s.upload_batch.c.dataset).where(
            s.upload_batch.c.batch_id == batch_id)).scalar_one_or_none()
    if dataset == DATASET:
        return rollback_progress(engine, batch_id, user=user, scope=scope, role=role)
    return rollback_batch(engine, batch_id, user=user, scope=scope, role=role)


# reading -------------------------------------------------------------------------------------------

def progress_dates(engine: Engine, scope: Scope) -> list[dt.date]:
    """The as-of dates stored for regions inside ``scope``, newest first."""
    p = s.screening_progress
    q = (select(p.c.as_of).distinct().where(scope.where(p.c.region_code))
         .order_by(p.c.as_of.desc()))
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(q)]


def progress_frame(engine: Engine, scope: Scope, as_of: dt.date | None = None) -> pd.DataFrame:
    """Stored progress inside ``scope`` as of ``as_of`` (default: the newest date), with each row's
    name: the region's, else the alias's display name (functional zones have no region row)."""
    if as_of is None:
        dates = progress_dates(engine, scope)
        if not dates:
            return pd.DataFrame(columns=PROGRESS_COLUMNS + ["name"])
        as_of = dates[0]
    p, r, a = s.screening_progress, s.region, s.region_alias
    q = (select(*[p.c[c] for c in PROGRESS_COLUMNS], r.c.name.label("region_name"))
         .select_from(p.outerjoin(r, r.c.code == p.c.region_code))
         .where(p.c.as_of == as_of, scope.where(p.c.region_code))
         .order_by(p.c.region_code, p.c.kind))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
        zones = dict(conn.execute(select(a.c.region_code, func_min_display(a))
                                  .group_by(a.c.region_code)).all())
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS + ["region_name"])
    frame["name"] = [n if isinstance(n, str) and n else zones.get(c, c)
                     for n, c in zip(frame["region_name"], frame["region_code"])]
    frame["quota"] = frame["quota"].astype("Int64")
    return frame.drop(columns=["region_name"])


def func_min_display(a):
    """The alias's display name (else the alias itself) for a zone's code: the first by name."""
    from sqlalchemy import func
    return func.min(func.coalesce(a.c.display_name, a.c.alias))
