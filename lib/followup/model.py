"""督办 follow-up items as values: statuses, overdue, ordering, the JSON line and the prefill link.

Pure: no database, no Streamlit. The service (lib/followup/service.py) builds these from rows the
warehouse narrowed to the caller's scope; pages and the console only read them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

from lib.i18n import t

STATUSES = ("todo", "doing", "done")
# what an item is about: a plan indicator, a figure of a page, a missing report, an upload's
# warning, or free text
SUBJECT_KINDS = ("indicator", "figure", "missing_report", "upload_warning", "text")
# status → the statuses a note may move it to; a closed item stays closed
TRANSITIONS: dict[str, tuple[str, ...]] = {"todo": ("doing", "done"), "doing": ("done",),
                                           "done": ()}
SUBJECT_MAX = 200
ASKED_MAX = 2000
REF_MAX = 200


def status_label(status: str, lang: str = "zh") -> str:
    """待办 / 进行中 / 已办结 (Pending / In progress / Closed)."""
    if status not in STATUSES:
        raise ValueError(f"unknown follow-up status: {status!r}")
    return t(f"fu_status_{status}", lang)


def OVERDUE_LABEL(lang: str = "zh") -> str:  # noqa: N802 (the contract's name: a label, not a call)
    """逾期 / Overdue: shown beside the status of an open item past its due date."""
    return t("fu_overdue", lang)


@dataclass(frozen=True)
class Item:
    """One follow-up item as the caller may see it (region names joined in SQL)."""

    id: int
    region_code: str
    region_name: str
    subject_kind: str
    subject: str
    indicator: str | None
    ref: str | None
    asked: str
    owner: str | None  # an account
    owner_region: str | None  # or a unit named by its region
    owner_region_name: str | None
    due: dt.date
    status: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    # False when the owning account has been disabled (or no longer exists): the item is kept and
    # shows its owner as disabled, so an admin sees it needs another owner
    owner_active: bool = True

    def overdue(self, today: dt.date) -> bool:
        """Still open after its due date (an item due today is not yet overdue)."""
        return self.status != "done" and self.due < today

    def status_text(self, today: dt.date, lang: str = "zh") -> str:
        """The status as shown: 待办 / 进行中 / 已办结, with 逾期 for an open item past due."""
        label = status_label(self.status, lang)
        if self.overdue(today):
            return f"{label} · {OVERDUE_LABEL(lang)}"
        return label

    def owned_by(self, username: str, scope_code: str) -> bool:
        """Whether an account (its name and 12-digit scope code) owns the item: named as owner, or
        it is the account of the unit the item names (its scope is exactly that region)."""
        if self.owner is not None:
            return self.owner == username
        return self.owner_region is not None and self.owner_region == scope_code

    def as_json(self, today: dt.date) -> dict[str, Any]:
        """The console's JSON line: the issue's keys, and ``overdue`` as of ``today``."""
        return {
            "id": self.id, "region_code": self.region_code, "region_name": self.region_name,
            "subject": self.subject, "indicator": self.indicator,
            "owner": self.owner if self.owner is not None else self.owner_region,
            "due": self.due.isoformat(), "status": self.status, "overdue": self.overdue(today),
            "created_by": self.created_by, "created_at": self.created_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }


@dataclass(frozen=True)
class FileInfo:
    """An attachment as listed (its content is read only through service.attachment)."""

    id: int
    filename: str
    mime: str
    size: int


@dataclass(frozen=True)
class Note:
    id: int
    author: str
    body: str
    status_from: str
    status_to: str | None
    created_at: dt.datetime
    files: list[FileInfo] = field(default_factory=list)


def sort_key(item: Item, today: dt.date) -> tuple[bool, dt.date, int]:
    """Overdue items first, then the earliest due date, then the oldest item."""
    return (not item.overdue(today), item.due, item.id)


# Prefill ↔ query parameters: the link from a warning to the 督办事项 page's create form.
_QUERY_KEYS = {"region_code": "fu_region", "subject_kind": "fu_kind", "subject": "fu_subject",
               "indicator": "fu_indicator", "ref": "fu_ref", "asked": "fu_asked", "due": "fu_due"}


@dataclass(frozen=True)
class Prefill:
    """What a warning hands to the create form: the region and what the item is about."""

    region_code: str
    subject_kind: str
    subject: str
    indicator: str | None = None
    ref: str | None = None
    asked: str = ""
    due: dt.date | None = None

    def to_query(self) -> dict[str, str]:
        """The query parameters (only those set) that ``from_query`` reads back."""
        values = {"region_code": self.region_code, "subject_kind": self.subject_kind,
                  "subject": self.subject, "indicator": self.indicator, "ref": self.ref,
                  "asked": self.asked, "due": self.due.isoformat() if self.due else None}
        return {_QUERY_KEYS[k]: v for k, v in values.items() if v}

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Prefill | None:
        """The prefill a link carries, or None when it carries none or a malformed one.

        A link is typed or edited by anyone, so nothing is trusted: a region that is no 12-digit
        code, an unknown kind, an unreadable date or an overlong text gives no prefill (the form
        opens empty; whether the region is inside the user's scope is the service's check)."""
        def get(key: str) -> str:
            value = params.get(_QUERY_KEYS[key])
            return value.strip() if isinstance(value, str) else ""

        region, subject, kind = get("region_code"), get("subject"), get("subject_kind") or "text"
        if not (len(region) == 12 and region.isascii() and region.isdigit()) or not subject:
            return None
        if kind not in SUBJECT_KINDS or len(subject) > SUBJECT_MAX:
            return None
        asked, ref, indicator = get("asked"), get("ref"), get("indicator")
        if len(asked) > ASKED_MAX or len(ref) > REF_MAX or len(indicator) > 16:
            return None
        due = None
        if get("due"):
            try:
                due = dt.date.fromisoformat(get("due"))
            except ValueError:
                return None
        return cls(region, kind, subject, indicator or None, ref or None, asked, due)
