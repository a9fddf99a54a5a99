"""督办 follow-up items: who may assign, see, note and close them, on the warehouse.

Every call takes the acting account (``lib.auth.accounts.User``; the console acts as a whole-warehouse
admin named "console") and reads or writes only inside its scope, narrowed in SQL by
lib/warehouse/followup_store.py. An item outside the scope is a ``LookupError`` exactly like an id
that does not exist, so ids cannot be probed across districts. Every change is audited in its own
transaction. Follow-ups are not facts: writing them leaves the data version (and with it every
page cache and the rollups' validity) alone.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from lib import clock
from lib.auth.accounts import User, login_name
from lib.followup import attachments
from lib.followup.model import (ASKED_MAX, REF_MAX, STATUSES, SUBJECT_KINDS, SUBJECT_MAX,
                                TRANSITIONS, FileInfo, Item, Note, sort_key)
from lib.followup.xlsx import export_xlsx
from lib.warehouse import audit
from lib.warehouse import followup_store as store
from lib.warehouse import accounts_store
from lib.warehouse.scope import Scope, ScopeError, level_of

ASSIGNERS = ("admin", "analyst")
VIEWS = ("all", "mine", "assigned")
NOTE_MAX = 4000
CONSOLE = User("console", "admin", "")  # the console's actor: the whole warehouse

__all__ = ["ASSIGNERS", "CONSOLE", "FollowupRefused", "VIEWS", "add_note", "attachment", "close",
           "create", "export_xlsx", "for_indicator", "get", "list_items", "notes", "summary",
           "summary_totals"]


class FollowupRefused(ValueError):
    """Bad input or an action the actor may not take; ``reason_key`` is an i18n key
    (lib/i18n.TEXT, ``fu_*``), ``detail`` what it was about (shown as text, never markup)."""

    def __init__(self, reason_key: str, detail: str = ""):
        super().__init__(f"{reason_key}: {detail}" if detail else reason_key)
        self.reason_key = reason_key
        self.detail = detail


def _now() -> dt.datetime:
    # The same clock as "today": under a pinned date an item made now is not after today, so the
    # meeting's since-the-last-meeting counts and the overdue rule agree with its timestamps.
    return clock.now()


def _text(value: str | None, limit: int, key: str, *, required: bool = False,
          multiline: bool = False) -> str:
    """A typed text stripped; refused when required and empty, too long, or holding control
    characters (a NUL byte breaks PostgreSQL; others hide text from the reader)."""
    text = (value or "").strip()
    if required and not text:
        raise FollowupRefused(key)
    if len(text) > limit:
        raise FollowupRefused("fu_bad_text", f"{len(text)} > {limit}")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text):
        raise FollowupRefused("fu_bad_text")
    return text


def _item(row: dict[str, Any]) -> Item:
    return Item(
        id=int(row["id"]), region_code=row["region_code"],
        region_name=row["region_name"] or row["region_code"], subject_kind=row["subject_kind"],
        subject=row["subject"], indicator=row["indicator_id"], ref=row["ref"],
        asked=row["asked"], owner=row["owner_user"], owner_region=row["owner_region"],
        owner_region_name=(row["owner_region_name"] or row["owner_region"])
        if row["owner_region"] else None,
        due=row["due"], status=row["status"], created_by=row["created_by"],
        created_at=row["created_at"], updated_at=row["updated_at"], closed_at=row["closed_at"],
        owner_active=bool(row["owner_active"]))


def _region_code(code: str | None) -> str:
    code = (code or "").strip()
    try:
        level_of(code)
    except ValueError:
        raise FollowupRefused("fu_bad_region", code) from None
    return code


def create(engine: Engine, actor: User, *, region_code: str, subject: str, due: dt.date,
           asked: str = "", subject_kind: str = "text", indicator: str | None = None,
           ref: str | None = None, owner: str | None = None,
           owner_region: str | None = None, today: dt.date | None = None) -> Item:
    """Assign an item: by an admin or analyst, for a region inside their scope (ScopeError
    otherwise), to one owner — an active account whose scope covers the region, or a unit (a
    region inside the item's). ``today`` (default: lib.clock) is the earliest due date."""
    if not actor.may(*ASSIGNERS):
        raise FollowupRefused("fu_role_refused", actor.role)
    region_code = _region_code(region_code)
    if not actor.scope.contains(region_code):
        raise ScopeError(f"region {region_code} is outside {actor.username}'s scope")
    subject = _text(subject, SUBJECT_MAX, "fu_bad_subject", required=True)
    asked = _text(asked, ASKED_MAX, "fu_bad_text", multiline=True)
    ref = _text(ref, REF_MAX, "fu_bad_text") or None
    indicator = _text(indicator, 16, "fu_bad_indicator") or None
    if subject_kind not in SUBJECT_KINDS:
        raise FollowupRefused("fu_bad_kind", str(subject_kind))
    if not isinstance(due, dt.date) or isinstance(due, dt.datetime):
        raise FollowupRefused("fu_bad_due", str(due))
    if due < (today or clock.today()):
        raise FollowupRefused("fu_bad_due", due.isoformat())
    owner = (owner or "").strip() or None
    if owner is not None and login_name(owner) is None:
        raise FollowupRefused("fu_owner_bad", owner)  # never a NUL or newline into SQL
    owner_region = (owner_region or "").strip() or None
    if (owner is None) == (owner_region is None):
        raise FollowupRefused("fu_owner_one")
    with engine.begin() as conn:
        if store.region_name(conn, actor.scope, region_code) is None:
            raise FollowupRefused("fu_bad_region", region_code)
        if indicator is not None and not store.indicator_known(conn, indicator):
            raise FollowupRefused("fu_bad_indicator", indicator)
        if owner is not None:
            row = accounts_store.fetch_user(conn, owner)
            # one refusal for a missing, disabled or out-of-region account: no account oracle
            if row is None or not row["active"] or not _account_scope(row).contains(region_code):
                raise FollowupRefused("fu_owner_bad", owner)
        else:
            inside = Scope.of_region(region_code)
            if not _valid_code(owner_region) or not inside.contains(owner_region) \
                    or store.region_name(conn, inside, owner_region) is None:
                raise FollowupRefused("fu_owner_region_bad", owner_region or "")
        at = _now()
        item_id = store.insert_item(conn, actor.scope, dict(
            region_code=region_code, subject_kind=subject_kind, subject=subject,
            indicator_id=indicator, ref=ref, asked=asked, owner_user=owner,
            owner_region=owner_region, due=due, status="todo", created_by=actor.username,
            created_at=at, updated_at=at, closed_at=None))
        audit.record(conn, "followup_add",
                     f"#{item_id} region={region_code} owner={owner or owner_region} "
                     f"due={due.isoformat()}", actor.username)
        return _item(store.fetch_item(conn, actor.scope, item_id))


def _valid_code(code: str | None) -> bool:
    try:
        level_of(code or "")
    except ValueError:
        return False
    return True


def _account_scope(row: dict[str, Any]) -> Scope:
    return Scope.of_region(row["scope_code"]) if row["scope_code"] else Scope.everything()


def list_items(engine: Engine, actor: User, *, view: str = "all", status: str | None = None,
               region_code: str | None = None, due_before: dt.date | None = None,
               overdue_only: bool = False, today: dt.date | None = None) -> list[Item]:
    """Items inside the actor's scope (narrowed to ``region_code`` if given; one outside is a
    ScopeError), filtered in SQL: ``view`` "mine" = owned by the actor's account, "assigned" =
    created by the actor; sorted overdue first, then by due date."""
    if view not in VIEWS:
        raise FollowupRefused("fu_bad_view", str(view))
    if status is not None and status not in STATUSES:
        raise FollowupRefused("fu_bad_status", str(status))
    today = today or clock.today()
    scope = actor.scope if region_code is None else actor.scope.narrow(_region_code(region_code))
    with engine.connect() as conn:
        rows = store.item_rows(
            conn, scope, owner_user=actor.username if view == "mine" else None,
            created_by=actor.username if view == "assigned" else None, status=status,
            due_before=due_before, open_and_due_before=today if overdue_only else None)
    return sorted((_item(r) for r in rows), key=lambda it: sort_key(it, today))


def get(engine: Engine, actor: User, item_id: int) -> Item:
    """One item; LookupError when it does not exist or lies outside the actor's scope alike."""
    with engine.connect() as conn:
        row = store.fetch_item(conn, actor.scope, int(item_id))
    if row is None:
        raise LookupError(f"no follow-up item {item_id}")
    return _item(row)


def notes(engine: Engine, actor: User, item_id: int) -> list[Note]:
    """An item's notes with their attachments, oldest first (LookupError as ``get``)."""
    get(engine, actor, item_id)
    with engine.connect() as conn:
        rows = store.note_rows(conn, actor.scope, int(item_id))
        files = store.file_rows(conn, actor.scope, int(item_id))
    by_note: dict[int | None, list[FileInfo]] = {}
    for f in files:
        by_note.setdefault(f["note_id"], []).append(
            FileInfo(int(f["id"]), f["filename"], f["mime"], int(f["size"])))
    return [Note(int(r["id"]), r["author"], r["body"], r["status_from"], r["status_to"],
                 r["created_at"], by_note.get(r["id"], [])) for r in rows]


def _may_update(actor: User, item: Item) -> bool:
    """The owner, or an admin or analyst whose scope holds the item (``get`` checked the scope)."""
    return actor.may(*ASSIGNERS) or item.owned_by(actor.username, actor.scope_code)


def add_note(engine: Engine, actor: User, item_id: int, body: str, *, status: str | None = None,
             attachment: tuple[str, bytes] | None = None) -> Note:
    """Record progress on an item: a note, optionally a status change (todo → doing → done, or
    todo → done) and one attached file. Only the owner or an admin/analyst of the scope; a viewer
    who does not own it is refused, a closed item takes no more notes."""
    item = get(engine, actor, item_id)
    if not _may_update(actor, item):
        raise FollowupRefused("fu_not_owner", str(item.id))
    if item.status == "done":
        raise FollowupRefused("fu_closed", str(item.id))
    if status is not None and status not in STATUSES:
        raise FollowupRefused("fu_bad_status", str(status))
    target = status if status not in (None, item.status) else None
    if target is not None and target not in TRANSITIONS[item.status]:
        raise FollowupRefused("fu_bad_transition", f"{item.status} → {target}")
    body = _text(body, NOTE_MAX, "fu_empty_note", multiline=True)
    checked = None
    if attachment is not None:
        try:
            checked = attachments.check(*attachment)
        except attachments.AttachmentRefused as exc:
            raise FollowupRefused(exc.reason_key, exc.detail) from None
    if not body and target is None and checked is None:
        raise FollowupRefused("fu_empty_note")
    at = _now()
    scope = actor.scope
    with engine.begin() as conn:
        if target is not None:
            if not store.move_status(conn, scope, item.id, status_from=item.status,
                                     status_to=target, at=at):
                raise FollowupRefused("fu_changed", str(item.id))
        elif not store.touch_item(conn, scope, item.id, at):
            raise LookupError(f"no follow-up item {item_id}")
        note_id = store.insert_note(conn, scope, item.id, dict(
            author=actor.username, body=body, status_from=item.status, status_to=target,
            created_at=at))
        files: list[FileInfo] = []
        detail = f"#{item.id} note {note_id}"
        if target is not None:
            detail += f" {item.status}→{target}"
        if checked is not None:
            content = attachment[1]
            file_id = store.insert_file(conn, scope, item.id, dict(
                note_id=note_id, filename=checked.filename, mime=checked.mime,
                size=checked.size, sha256=hashlib.sha256(content).hexdigest(), content=content,
                uploaded_by=actor.username, uploaded_at=at))
            files.append(FileInfo(file_id, checked.filename, checked.mime, checked.size))
            detail += f" file {file_id} {checked.filename} ({checked.size} bytes)"
        audit.record(conn, "followup_close" if target == "done" else "followup_note", detail,
                     actor.username)
    return Note(note_id, actor.username, body, item.status, target, at, files)


def close(engine: Engine, actor: User, item_id: int, note: str | None = None) -> Item:
    """Close an item (已办结, ``closed_at`` set), with an optional closing note; same rights as
    ``add_note``."""
    add_note(engine, actor, item_id, note or "", status="done")
    return get(engine, actor, item_id)


def attachment(engine: Engine, actor: User, file_id: int) -> tuple[str, str, bytes]:
    """(filename, mime, content) of an attachment whose item is inside the actor's scope;
    LookupError otherwise, as for a file that does not exist."""
    with engine.connect() as conn:
        row = store.fetch_file(conn, actor.scope, int(file_id))
    if row is None:
        raise LookupError(f"no follow-up file {file_id}")
    return row["filename"], row["mime"], row["content"]


def for_indicator(engine: Engine, scope: Scope, indicator_id: str,
                  region_code: str | None = None, today: dt.date | None = None) -> list[Item]:
    """Items raised on a plan indicator inside ``scope`` (narrowed to ``region_code``): what the
    monitoring report lists beside the indicator."""
    today = today or clock.today()
    if region_code is not None:
        scope = scope.narrow(_region_code(region_code))
    with engine.connect() as conn:
        rows = store.item_rows(conn, scope, indicator_id=indicator_id)
    return sorted((_item(r) for r in rows), key=lambda it: sort_key(it, today))


def summary(engine: Engine, scope: Scope, *, since: dt.datetime, today: dt.date) -> pd.DataFrame:
    """One row per region holding items inside ``scope``: region_code, region_name, new (created
    since ``since``), closed (closed since), overdue (as of ``today``), open."""
    if isinstance(since, dt.date) and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    with engine.connect() as conn:
        return store.summary_frame(conn, scope, since=since, today=today)


def summary_totals(frame: pd.DataFrame) -> dict[str, int]:
    """The summary's columns added up: {"new", "closed", "overdue", "open", "regions"}."""
    totals = {col: int(frame[col].sum()) if len(frame) else 0
              for col in ("new", "closed", "overdue", "open")}
    totals["regions"] = int(len(frame))
    return totals
