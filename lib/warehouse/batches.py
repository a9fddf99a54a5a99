"""Upload batches after the fact: listing, statuses, audit events, and exact rollback.

Rolling back batch B deletes B's current rows and moves back the rows B superseded. It is refused while
a later batch has superseded B's rows (roll that one back first), or took a key B had retired, because
then the state before B is no longer the state to restore.

Who may roll back: the batch's own uploader, or an admin; and either only when every row the
batch wrote or superseded lies inside their scope. The batch list shows a caller only the batches of
their scope, decided in SQL, so other districts' file names and uploaders never leave the database.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, and_, delete, exists, func, not_, or_, select, update

from lib.warehouse import audit as audit_log
from lib.warehouse import rollups
from lib.warehouse import schema as s
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import write_transaction
from lib.warehouse.keys import key_conditions
from lib.warehouse.scope import Scope

BATCH_COLUMNS = ["batch_id", "dataset", "filename", "sha256", "uploaded_by", "uploaded_at", "mode",
                 "status", "is_demo", "rows_read", "rows_loaded", "rows_rejected"]


class RollbackRefused(RuntimeError):
    """The batch cannot be rolled back now; the message says why and what to do first."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en
        super().__init__(en)


@dataclass
class RollbackResult:
    batch_id: int
    removed: int  # the batch's rows taken out of the current tables
    restored: int  # rows it had superseded, put back


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def next_batch_id(conn: Connection) -> int:
    """The next upload_batch.batch_id, inside the caller's ``write_transaction``.

    Race-free because every write transaction first bumps the single data_state row: on PostgreSQL
    that row lock makes a concurrent load wait until this one commits (and READ COMMITTED then lets
    its max() see this batch); on DuckDB the second writer of that row fails with a write-write
    conflict and the load is retried. The primary key stops a duplicate id in any case.
    tests/test_scoped_keys.py runs two loads at once on both backends.
    """
    return int(conn.execute(select(func.coalesce(func.max(s.upload_batch.c.batch_id), 0) + 1))
               .scalar_one())


def audit(conn: Connection, user: str | None, action: str, detail: dict) -> None:
    """One audit_event row inside the caller's transaction."""
    conn.execute(s.audit_event.insert().values(
        id=s.AUDIT_EVENT_ID_SEQ.next_value(), at=now(), username=user, action=action,
        detail=json.dumps(detail, ensure_ascii=False, default=str),
        actor_kind=audit_log.actor_kind(user)))


def audit_only(engine: Engine, user: str | None, action: str, detail: dict) -> None:
    """An audit event outside any load (a refusal, a no-op); retried if a concurrent writer races it."""
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                audit(conn, user, action, detail)
            return
        except Exception:  # id race or DuckDB write-write conflict: the next attempt sees the winner
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))


def list_batches(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Every batch of ``scope``, newest first; the filter runs in SQL (see ``in_scope``)."""
    b, w = s.upload_batch, s.upload_warning
    q = (select(*[b.c[c] for c in BATCH_COLUMNS],
                func.coalesce(w.c.warnings, 0).label("warnings"))
         .select_from(b.outerjoin(w, w.c.batch_id == b.c.batch_id))
         .order_by(b.c.batch_id.desc()))
    if not scope.is_everything:
        q = q.where(in_scope(scope))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=[*BATCH_COLUMNS, "warnings"])


def batch_warnings(engine: Engine, batch_id: int, scope: Scope) -> dict | None:
    """What batch ``batch_id`` was warned about and who confirmed it (None: no warnings, or a
    batch outside ``scope``): {warnings, confirmed_by, confirmed_at, counts, first}."""
    b, w = s.upload_batch, s.upload_warning
    q = select(w.c.warnings, w.c.confirmed_by, w.c.confirmed_at, w.c.detail).join(
        b, b.c.batch_id == w.c.batch_id).where(w.c.batch_id == batch_id)
    if not scope.is_everything:
        q = q.where(in_scope(scope))
    with engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None:
        return None
    return {"warnings": int(row[0]), "confirmed_by": row[1], "confirmed_at": row[2],
            **json.loads(row[3])}


def in_scope(scope: Scope):
    """SQL condition: the upload_batch row is of ``scope`` (every row it wrote or superseded inside).

    Batches loaded since schema 2 carry that as region_prefix. Older batches and the demo (NULL) are
    judged by their rows: at least one inside the scope and none outside, so a batch with no rows left
    (rolled back before schema 2) is shown to no scoped caller rather than to every one.
    """
    b = s.upload_batch
    inside, outside = [], []
    for table in s.FACT_TABLES.values():
        owns = table.c.batch_id == b.c.batch_id
        inside.append(exists().where(owns, scope.where(table.c.region_code)))
        outside.append(exists().where(owns, scope.where_outside(table.c.region_code)))
    for hist in s.HISTORY_TABLES.values():
        touched = or_(hist.c.batch_id == b.c.batch_id, hist.c.superseded_by == b.c.batch_id)
        outside.append(exists().where(touched, scope.where_outside(hist.c.region_code)))
    known = and_(b.c.region_prefix.is_not(None), scope.where(b.c.region_prefix))
    legacy = and_(b.c.region_prefix.is_(None), or_(*inside), not_(or_(*outside)))
    return or_(known, legacy)


def refresh_statuses(conn: Connection, batch_ids: set[int]) -> None:
    """A loaded batch with no current rows left is 'replaced'; a replaced one with rows is 'loaded'."""
    for bid in sorted(batch_ids):
        live = sum(conn.execute(select(func.count()).select_from(t).where(t.c.batch_id == bid))
                   .scalar_one() for t in s.FACT_TABLES.values())
        status = conn.execute(select(s.upload_batch.c.status)
                              .where(s.upload_batch.c.batch_id == bid)).scalar_one_or_none()
        if status == "loaded" and live == 0:
            new = "replaced"
        elif status == "replaced" and live > 0:
            new = "loaded"
        else:
            continue
        conn.execute(update(s.upload_batch).where(s.upload_batch.c.batch_id == bid)
                     .values(status=new))


def rollback_batch(engine: Engine, batch_id: int, *, user: str | None = None,
                   scope: Scope, role: str = "analyst") -> RollbackResult:
    """Restore exactly the state before ``batch_id``, in one transaction.

    ``user``, ``role`` and ``scope`` are the caller's account: an analyst may roll back only a batch
    they uploaded, an admin any batch; both only when the batch lies wholly inside ``scope``. The
    default role is the least privileged; the CLI without accounts passes "admin" (the operator).
    """
    with write_transaction(engine) as conn:
        batch = conn.execute(select(s.upload_batch).where(s.upload_batch.c.batch_id == batch_id)
                             ).mappings().first()
        if batch is None:
            raise RollbackRefused(f"批次 {batch_id} 不存在。", f"Batch {batch_id} does not exist.")
        check_may_roll_back(batch, user, role, scope)
        if batch["status"] == "rolled_back":
            raise RollbackRefused(f"批次 {batch_id} 已经撤销过。",
                                  f"Batch {batch_id} is already rolled back.")
        later = _later_batches(conn, batch_id)
        if later:
            ids = "、".join(str(b) for b in later)
            raise RollbackRefused(
                f"批次 {batch_id} 的数据已被后来的批次 {ids} 替换，请先撤销批次 {ids}。",
                f"Rows of batch {batch_id} were superseded by later batch(es) {ids}; "
                f"roll back {ids} first.")
        removed = restored = 0
        owners: set[int] = set()
        for dataset, table in s.FACT_TABLES.items():
            hist = s.HISTORY_TABLES[dataset]
            key = s.key_columns(table)
            if not scope.is_everything:
                _check_scope(conn, table, hist, batch_id, scope)
            back = pd.DataFrame(conn.execute(select(hist).where(hist.c.superseded_by == batch_id))
                                .mappings().all(), columns=[c.name for c in hist.columns])
            if len(back):
                taken = _taken_keys(conn, table, back[key], batch_id)
                if taken:
                    ids = "、".join(str(b) for b in sorted(taken))
                    raise RollbackRefused(
                        f"批次 {batch_id} 删除的数据已由后来的批次 {ids} 重新写入，请先撤销批次 {ids}。",
                        f"Rows batch {batch_id} retired were written again by later batch(es) "
                        f"{ids}; roll back {ids} first.")
            gone = rollups.touched(conn, dataset, table.c.batch_id == batch_id)
            removed += conn.execute(delete(table).where(table.c.batch_id == batch_id)).rowcount
            if len(back):
                restored += bulk_insert(conn, table, back.drop(columns=["superseded_by",
                                                                         "superseded_at"]))
                conn.execute(delete(hist).where(hist.c.superseded_by == batch_id))
                owners |= set(int(b) for b in back["batch_id"].unique())
            rollups.refresh(conn, dataset, [gone, back])  # the rows taken out and put back
        conn.execute(update(s.upload_batch).where(s.upload_batch.c.batch_id == batch_id)
                     .values(status="rolled_back"))
        refresh_statuses(conn, owners)
        audit(conn, user, "rollback", {"batch_id": batch_id, "removed": removed,
                                       "restored": restored})
    return RollbackResult(batch_id, removed, restored)


def _later_batches(conn: Connection, batch_id: int) -> list[int]:
    """Batches that superseded rows of ``batch_id`` (and are not rolled back, or the rows would be back)."""
    out: set[int] = set()
    for hist in s.HISTORY_TABLES.values():
        q = select(hist.c.superseded_by).where(hist.c.batch_id == batch_id).distinct()
        out |= {int(r[0]) for r in conn.execute(q)}
    return sorted(out)


def _taken_keys(conn: Connection, table, keys: pd.DataFrame, batch_id: int) -> set[int]:
    """Batches (other than ``batch_id``) holding the current row of any of these keys."""
    cols = list(keys.columns)
    found: set[int] = set()
    if len(cols) == 1 or s.ID_SCOPE in cols:
        for where in key_conditions(table, keys.astype(object)):
            q = select(table.c.batch_id).where(where, table.c.batch_id != batch_id).distinct()
            found |= {int(r[0]) for r in conn.execute(q)}
        return found
    regions = sorted(set(keys["region_code"]))
    for i in range(0, len(regions), 1000):
        q = select(*[table.c[c] for c in cols], table.c.batch_id).where(
            table.c.region_code.in_(regions[i:i + 1000]), table.c.batch_id != batch_id)
        cur = pd.DataFrame(conn.execute(q).all(), columns=[*cols, "batch_id"])
        if len(cur):
            hit = cur.merge(keys.astype(object), on=cols)
            found |= {int(b) for b in hit["batch_id"]}
    return found


def check_may_roll_back(batch, user: str | None, role: str, scope: Scope) -> None:
    """Only the uploader (an analyst or admin) or an admin; and the batch must be of the scope as
    recorded at load time (its rows are checked table by table afterwards)."""
    bid = batch["batch_id"]
    if role not in ("analyst", "admin"):
        raise RollbackRefused(f"只有数据分析员或管理员可以撤销批次（批次 {bid}）。",
                              f"Only analysts and admins can roll back batches (batch {bid}).")
    if role != "admin" and (user is None or batch["uploaded_by"] != user):
        raise RollbackRefused(
            f"批次 {bid} 不是您上传的：只有上传者本人或管理员可以撤销。",
            f"Batch {bid} was not uploaded by you: only its uploader or an admin can roll it back.")
    prefix = batch["region_prefix"]
    if prefix is not None and not scope.contains(prefix):
        raise RollbackRefused(f"批次 {bid} 含有您权限范围（{scope.prefix}）以外的数据，不能撤销。",
                              f"Batch {bid} holds rows outside your scope ({scope.prefix}).")


def _check_scope(conn: Connection, table, hist, batch_id: int, scope: Scope) -> None:
    """Every row the rollback would remove or restore must lie inside ``scope``."""
    for t, col in ((table, table.c.batch_id), (hist, hist.c.superseded_by)):
        n = conn.execute(select(func.count()).select_from(t).where(
            col == batch_id, scope.where_outside(t.c.region_code))).scalar_one()
        if n:
            raise RollbackRefused(
                f"批次 {batch_id} 含有您权限范围（{scope.prefix}）以外的数据，不能撤销。",
                f"Batch {batch_id} holds rows outside your scope ({scope.prefix}).")
