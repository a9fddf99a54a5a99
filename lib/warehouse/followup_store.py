"""All SQL of the 督办 follow-up items (followup_item, followup_note, followup_file).

Every reader and writer takes the caller's ``Scope`` and narrows in SQL by the item's region:
notes and files are reached only through an item inside the scope, so a file id or note of
another district is as absent as one that does not exist. The rules (who may create, note, close)
are lib/followup/service.py's; this module only reads and writes rows.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, case, func, insert, select, update

from lib.warehouse import schema as s
from lib.warehouse.scope import Scope, ScopeError

SUMMARY_COLUMNS = ["region_code", "region_name", "new", "closed", "overdue", "open"]


def _item_select(scope: Scope) -> Any:
    """Items inside ``scope`` with their region's and owner unit's names and whether the owning
    account is active (an owner that no longer exists reads as inactive)."""
    fi, u = s.followup_item, s.app_user
    reg = s.region.alias("fu_region")
    unit = s.region.alias("fu_unit")
    owner_active = case((fi.c.owner_user.is_(None), True), else_=func.coalesce(u.c.active, False))
    return (select(fi, reg.c.name.label("region_name"), unit.c.name.label("owner_region_name"),
                   owner_active.label("owner_active"))
            .select_from(fi.outerjoin(reg, reg.c.code == fi.c.region_code)
                         .outerjoin(unit, unit.c.code == fi.c.owner_region)
                         .outerjoin(u, u.c.username == fi.c.owner_user))
            .where(scope.where(fi.c.region_code)))


def region_name(conn: Connection, scope: Scope, code: str) -> str | None:
    """The name of region ``code`` if it exists inside ``scope``, else None."""
    r = s.region
    return conn.execute(select(r.c.name).where(r.c.code == code, scope.where(r.c.code))
                        ).scalar_one_or_none()


def indicator_known(conn: Connection, code: str) -> bool:
    """Whether ``code`` is in the indicator catalog (reference data, the same for everyone)."""
    ind = s.indicator
    return conn.execute(select(func.count()).select_from(ind).where(ind.c.code == code)
                        ).scalar_one() > 0


def insert_item(conn: Connection, scope: Scope, values: dict[str, Any]) -> int:
    """Add an item and return its id; a region outside ``scope`` is refused here too."""
    if not scope.contains(values["region_code"]):
        raise ScopeError(f"region {values['region_code']} is outside scope {scope.prefix or 'all'}")
    stmt = (insert(s.followup_item).values(id=s.FOLLOWUP_ITEM_ID_SEQ.next_value(), **values)
            .returning(s.followup_item.c.id))
    return int(conn.execute(stmt).scalar_one())


def fetch_item(conn: Connection, scope: Scope, item_id: int) -> dict[str, Any] | None:
    """One item inside ``scope``; None when it does not exist or lies outside (no difference)."""
    row = conn.execute(_item_select(scope).where(s.followup_item.c.id == item_id)
                       ).mappings().first()
    return dict(row) if row else None


def item_rows(conn: Connection, scope: Scope, *, owner_user: str | None = None,
              created_by: str | None = None, status: str | None = None,
              due_before: dt.date | None = None, open_and_due_before: dt.date | None = None,
              indicator_id: str | None = None) -> list[dict[str, Any]]:
    """Items inside ``scope`` (already narrowed to a region by the caller), filtered in SQL.

    ``due_before``: due strictly before that day; ``open_and_due_before``: not closed and due
    before that day (overdue as of it)."""
    fi = s.followup_item
    q = _item_select(scope)
    if owner_user is not None:
        q = q.where(fi.c.owner_user == owner_user)
    if created_by is not None:
        q = q.where(fi.c.created_by == created_by)
    if status is not None:
        q = q.where(fi.c.status == status)
    if due_before is not None:
        q = q.where(fi.c.due < due_before)
    if open_and_due_before is not None:
        q = q.where(fi.c.status != "done", fi.c.due < open_and_due_before)
    if indicator_id is not None:
        q = q.where(fi.c.indicator_id == indicator_id)
    return [dict(r) for r in conn.execute(q.order_by(fi.c.id)).mappings()]


def move_status(conn: Connection, scope: Scope, item_id: int, *, status_from: str,
                status_to: str, at: dt.datetime) -> int:
    """Set an item's status if it still is ``status_from`` (a concurrent change makes this 0 rows);
    closing stamps ``closed_at``. Returns the rows changed."""
    fi = s.followup_item
    values: dict[str, Any] = {"status": status_to, "updated_at": at}
    if status_to == "done":
        values["closed_at"] = at
    result = conn.execute(update(fi).where(fi.c.id == item_id, fi.c.status == status_from,
                                           scope.where(fi.c.region_code)).values(**values))
    return int(result.rowcount or 0)


def touch_item(conn: Connection, scope: Scope, item_id: int, at: dt.datetime) -> int:
    """Record that an item changed (a note without a status change)."""
    fi = s.followup_item
    result = conn.execute(update(fi).where(fi.c.id == item_id, scope.where(fi.c.region_code))
                          .values(updated_at=at))
    return int(result.rowcount or 0)


def _item_in_scope(conn: Connection, scope: Scope, item_id: int) -> bool:
    fi = s.followup_item
    return conn.execute(select(func.count()).select_from(fi).where(
        fi.c.id == item_id, scope.where(fi.c.region_code))).scalar_one() > 0


def insert_note(conn: Connection, scope: Scope, item_id: int, values: dict[str, Any]) -> int:
    """Add a note to an item inside ``scope``; LookupError for an item outside or absent."""
    if not _item_in_scope(conn, scope, item_id):
        raise LookupError(f"no follow-up item {item_id}")
    stmt = (insert(s.followup_note).values(id=s.FOLLOWUP_NOTE_ID_SEQ.next_value(),
                                           item_id=item_id, **values)
            .returning(s.followup_note.c.id))
    return int(conn.execute(stmt).scalar_one())


def insert_file(conn: Connection, scope: Scope, item_id: int, values: dict[str, Any]) -> int:
    """Store an attachment of an item inside ``scope``; LookupError for one outside or absent."""
    if not _item_in_scope(conn, scope, item_id):
        raise LookupError(f"no follow-up item {item_id}")
    stmt = (insert(s.followup_file).values(id=s.FOLLOWUP_FILE_ID_SEQ.next_value(),
                                           item_id=item_id, **values)
            .returning(s.followup_file.c.id))
    return int(conn.execute(stmt).scalar_one())


def note_rows(conn: Connection, scope: Scope, item_id: int) -> list[dict[str, Any]]:
    """An item's notes, oldest first (none for an item outside ``scope``)."""
    fn, fi = s.followup_note, s.followup_item
    q = (select(fn).select_from(fn.join(fi, fi.c.id == fn.c.item_id))
         .where(fn.c.item_id == item_id, scope.where(fi.c.region_code)).order_by(fn.c.id))
    return [dict(r) for r in conn.execute(q).mappings()]


def file_rows(conn: Connection, scope: Scope, item_id: int) -> list[dict[str, Any]]:
    """An item's attachments without their content, oldest first."""
    ff, fi = s.followup_file, s.followup_item
    q = (select(ff.c.id, ff.c.note_id, ff.c.filename, ff.c.mime, ff.c.size, ff.c.sha256,
                ff.c.uploaded_by, ff.c.uploaded_at)
         .select_from(ff.join(fi, fi.c.id == ff.c.item_id))
         .where(ff.c.item_id == item_id, scope.where(fi.c.region_code)).order_by(ff.c.id))
    return [dict(r) for r in conn.execute(q).mappings()]


def fetch_file(conn: Connection, scope: Scope, file_id: int) -> dict[str, Any] | None:
    """One attachment with its content, if its item lies inside ``scope``."""
    ff, fi = s.followup_file, s.followup_item
    q = (select(ff).select_from(ff.join(fi, fi.c.id == ff.c.item_id))
         .where(ff.c.id == file_id, scope.where(fi.c.region_code)))
    row = conn.execute(q).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["content"] = bytes(out["content"])  # PostgreSQL hands back a memoryview
    return out


def summary_frame(conn: Connection, scope: Scope, *, since: dt.datetime,
                  today: dt.date) -> pd.DataFrame:
    """Per region holding items inside ``scope``: items created and closed since ``since``,
    overdue as of ``today`` and still open; one GROUP BY in SQL."""
    fi, r = s.followup_item, s.region

    def count_if(cond: Any) -> Any:
        return func.sum(case((cond, 1), else_=0))

    is_open = fi.c.status != "done"
    q = (select(fi.c.region_code, func.max(r.c.name).label("region_name"),
                count_if(fi.c.created_at >= since).label("new"),
                count_if(and_(fi.c.closed_at.is_not(None), fi.c.closed_at >= since)).label("closed"),
                count_if(and_(is_open, fi.c.due < today)).label("overdue"),
                count_if(is_open).label("open"))
         .select_from(fi.outerjoin(r, r.c.code == fi.c.region_code))
         .where(scope.where(fi.c.region_code))
         .group_by(fi.c.region_code).order_by(fi.c.region_code))
    rows = conn.execute(q).mappings().all()
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for col in ("new", "closed", "overdue", "open"):
        frame[col] = frame[col].astype("int64")
    frame["region_name"] = frame["region_name"].where(frame["region_name"].notna(),
                                                      frame["region_code"])
    return frame

