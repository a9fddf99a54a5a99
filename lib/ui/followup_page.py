"""The pieces of the 督办事项 page: the create form (prefilled from a warning), the list's filters
and table, one item's notes and attachments, and the form an owner updates it with.

Every read and write goes through lib/ui/service with the signed-in account, so the list, the item
and its files are narrowed to the account's scope by lib.followup.service, and every change there is
audited. User-typed text (subjects, asks, notes, file names) is shown as text, never as Markdown.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from functools import partial

import pandas as pd
import streamlit as st

from lib.auth.accounts import User
from lib.followup import attachments
from lib.followup.model import (ASKED_MAX, OVERDUE_LABEL, STATUSES, SUBJECT_MAX, TRANSITIONS, Item,
                                Note, Prefill, status_label)
from lib.followup.prefills import default_due, source_label
from lib.followup.service import NOTE_MAX, FollowupRefused, export_xlsx
from lib.followup.xlsx import owner_text
from lib.i18n import t
from lib.ui import auth_ui, data, filters, service, uploader
from lib.ui.followup_ui import may_assign
from lib.ui.safe import md_escape
from lib.warehouse.scope import CHILD_LEVEL, ScopeError, level_of, prefix_of

K_FLASH, K_PICK, K_NEXT, K_CLICKED = "fup_flash", "fup_pick", "fup_pick_next", "fup_clicked"
VIEWS = ("mine", "assigned", "all")
DUE_WINDOWS = {"fup_due_7": 7, "fup_due_30": 30}
OVERDUE_RED = "#c62828"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEPTH = 3  # levels of regions offered (the scope's top and two below): a list, not 40,000 towns
COLUMNS = ["flag", "id", "subject", "region", "owner", "due", "status", "created_by", "created_at"]


# --- pure: the list as the page shows it ---------------------------------------------------------

def items_frame(items: Sequence[Item], today: dt.date, lang: str) -> pd.DataFrame:
    """One row per item, in the order given (overdue first: lib.followup.model.sort_key); an
    overdue item carries the 逾期 pill in ``flag``."""
    overdue = OVERDUE_LABEL(lang)
    rows = [{"flag": [overdue] if i.overdue(today) else [], "id": i.id, "subject": i.subject,
             "region": i.region_name or i.region_code, "owner": owner_text(i, lang),
             "due": i.due, "status": status_label(i.status, lang), "created_by": i.created_by,
             "created_at": i.created_at} for i in items]
    return pd.DataFrame(rows, columns=COLUMNS)


def next_statuses(status: str) -> list[str]:
    """The statuses a note may leave the item in: unchanged first, then the allowed moves."""
    return [status, *TRANSITIONS.get(status, ())]


def note_lines(text: str) -> str:
    """A typed note or ask as Markdown that shows its own line breaks and nothing else."""
    return "  \n".join(md_escape(line) for line in text.splitlines() if line.strip())


def offered_levels(top_level: str) -> tuple[str, ...]:
    """The levels whose regions the page offers as an item's region, unit or filter: the level
    of the reader's top region and the two below it, never villages (a city: city, districts,
    townships; a district: district, townships)."""
    levels: list[str] = []
    level = top_level
    while level in CHILD_LEVEL and len(levels) < DEPTH:  # a township's child is a village: stop
        levels.append(level)
        level = CHILD_LEVEL[level]
    return tuple(levels)


def _scope_regions(user: User) -> pd.DataFrame:
    """code, name of the regions offered to ``user`` (inside the scope, at ``offered_levels``)."""
    top = filters.top_of(user.scope.prefix)
    return service.regions_in_scope(user, offered_levels(level_of(top)))


# --- the flash line a rerun carries ---------------------------------------------------------------

def flash() -> None:
    said = st.session_state.pop(K_FLASH, None)
    if said:
        st.success(md_escape(said))


def _done(text: str, pick: int | None = None) -> None:
    st.session_state[K_FLASH] = text
    if pick is not None:
        st.session_state[K_NEXT] = pick  # the picker is drawn already: applied on the next run
    st.rerun()  # the list above was drawn before the change


def refusal(exc: Exception, lang: str) -> str:
    """A refusal of lib.followup.service as the user reads it (its i18n key; nothing of the
    exception's own English text, which may name what the user may not see)."""
    if isinstance(exc, FollowupRefused):
        return t(exc.reason_key, lang)
    if isinstance(exc, ScopeError):
        return t("fu_scope_refused", lang)
    return t("fu_not_found", lang)


# --- the create form ---------------------------------------------------------------------------

def clear_prefill() -> None:
    """Drop the prefill from the address: a reload after creating must not offer it again."""
    for key in [k for k in st.query_params if k.startswith("fu_")]:
        del st.query_params[key]


def _regions(user: User, prefill: Prefill | None) -> tuple[list[str], dict[str, str]]:
    """The regions an item may be raised on (the account's, above villages; plus a prefilled
    village a league table named) and their names."""
    frame = _scope_regions(user)
    codes = frame["code"].tolist()
    names = dict(zip(frame["code"], frame["name"]))
    if prefill is not None and prefill.region_code not in names:
        names[prefill.region_code] = data.region_lookup("name").get(prefill.region_code,
                                                                     prefill.region_code)
        codes.append(prefill.region_code)
    return codes, names


def create_form(user: User, prefill: Prefill | None, lang: str, today: dt.date) -> None:
    """New follow-up, open and filled in when a warning's 督办 brought ``prefill``. Its widgets
    are keyed by the prefill, so the next warning's values replace the last one's."""
    if prefill is not None and not user.scope.contains(prefill.region_code):
        st.warning(t("fup_prefill_outside", lang))
        prefill = None
    codes, names = _regions(user, prefill)
    if not codes:
        return
    tag = hashlib.sha1(repr(prefill).encode()).hexdigest()[:10] if prefill else "blank"
    with st.expander(t("fup_create", lang), expanded=prefill is not None,
                     icon=":material/assignment_add:"):
        if prefill is not None:
            st.info(t("fup_create_prefilled", lang))
        first = codes.index(prefill.region_code) if prefill else 0
        region = st.selectbox(t("fup_f_region", lang), codes, index=first,
                              key=f"fup_f_region_{tag}", format_func=lambda c: names.get(c, c))
        subject = st.text_input(t("fup_f_subject", lang), value=prefill.subject if prefill else "",
                                key=f"fup_f_subject_{tag}", max_chars=SUBJECT_MAX)
        asked = st.text_area(t("fup_f_asked", lang), value=prefill.asked if prefill else "",
                             key=f"fup_f_asked_{tag}", max_chars=ASKED_MAX)
        c1, c2, c3 = st.columns([1, 2, 1])
        kind = c1.radio(t("fup_f_owner_kind", lang), ["user", "unit"], key=f"fup_f_kind_{tag}",
                        format_func=lambda k: t(f"fup_f_owner_{k}", lang))
        owner = owner_region = None
        if kind == "user":
            candidates = service.followup_owners(user, region)
            if candidates:
                owner = c2.selectbox(t("fup_f_owner", lang), candidates,
                                     key=f"fup_f_owner_{tag}_{region}")
            else:
                c2.caption(t("fup_f_no_owner", lang))
        else:
            units = [c for c in codes if c.startswith(prefix_of(region))]
            owner_region = c2.selectbox(t("fup_f_owner_region", lang), units,
                                        key=f"fup_f_unit_{tag}_{region}",
                                        format_func=lambda c: names.get(c, c))
        due = c3.date_input(t("fup_f_due", lang),
                            value=(prefill.due if prefill and prefill.due else default_due(today)),
                            min_value=today, key=f"fup_f_due_{tag}", format="YYYY-MM-DD")
        if st.button(t("fup_f_submit", lang), type="primary", key=f"fup_f_submit_{tag}",
                     disabled=owner is None and owner_region is None):
            try:
                item = service.create_followup(
                    user, region_code=region, subject=subject, asked=asked, due=due,
                    subject_kind=prefill.subject_kind if prefill else "text",
                    indicator=prefill.indicator if prefill else None,
                    ref=prefill.ref if prefill else None, owner=owner, owner_region=owner_region)
            except (FollowupRefused, ScopeError, LookupError) as exc:  # nothing written
                st.error(t("fup_refused", lang).format(msg=refusal(exc, lang)))
            else:
                clear_prefill()
                _done(t("fup_created", lang).format(id=item.id, subject=item.subject), item.id)


# --- the list ----------------------------------------------------------------------------------

def view_choice(user: User, lang: str) -> str:
    """我负责的 / 我交办的 / 本辖区全部; a viewer assigns nothing, so has no 我交办的. Assigners
    start on the whole scope, viewers on their own items."""
    views = [v for v in VIEWS if v != "assigned" or may_assign(user)]
    default = "all" if may_assign(user) else "mine"
    picked = st.segmented_control(t("fup_view", lang), views, default=default, required=True,
                                  key="fup_view", format_func=lambda v: t(f"fup_view_{v}", lang))
    return picked or default


def list_filters(user: User, lang: str, today: dt.date) -> dict:
    """Status, region and due date: the keyword arguments of service.followups."""
    c1, c2, c3 = st.columns(3)
    status = c1.selectbox(t("fup_status", lang), ["any", *STATUSES], key="fup_status",
                          format_func=lambda s: t("fup_any", lang) if s == "any"
                          else status_label(s, lang))
    frame = _scope_regions(user)
    names = dict(zip(frame["code"], frame["name"]))
    region = c2.selectbox(t("fup_region", lang), ["any", *frame["code"]], key="fup_region",
                          format_func=lambda c: t("fup_any", lang) if c == "any" else names[c])
    due = c3.selectbox(t("fup_due", lang), ["any", "fup_due_overdue", *DUE_WINDOWS],
                       key="fup_due", format_func=lambda d: t("fup_any", lang) if d == "any"
                       else t(d, lang))
    return {"status": None if status == "any" else status,
            "region_code": None if region == "any" else region,
            "overdue_only": due == "fup_due_overdue",
            "due_before": today + dt.timedelta(days=DUE_WINDOWS[due]) if due in DUE_WINDOWS
            else None}


def items_table(items: Sequence[Item], lang: str, today: dt.date, key: str) -> int | None:
    """The list, overdue first with 逾期 in red; the id of a row clicked in it (else None)."""
    overdue = sum(i.overdue(today) for i in items)
    st.caption(t("fup_count", lang).format(n=len(items), overdue=overdue))
    heads = {c: t(f"fup_col_{c}", lang) for c in COLUMNS}
    event = st.dataframe(
        items_frame(items, today, lang), hide_index=True, width="stretch", key=key,
        on_select="rerun", selection_mode="single-row", column_order=COLUMNS,
        column_config=heads | {
            "flag": st.column_config.MultiselectColumn(heads["flag"], options=[OVERDUE_LABEL(lang)],
                                                       color=[OVERDUE_RED]),
            "id": st.column_config.NumberColumn(heads["id"], format="%d"),
            "subject": st.column_config.TextColumn(heads["subject"], width="large"),
            "due": st.column_config.DateColumn(heads["due"], format="YYYY-MM-DD"),
            "created_at": st.column_config.DatetimeColumn(heads["created_at"],
                                                          format="YYYY-MM-DD HH:mm")})
    rows = getattr(getattr(event, "selection", None), "rows", None)
    return items[rows[0]].id if rows and rows[0] < len(items) else None


def export_button(items: Sequence[Item], lang: str, today: dt.date) -> None:
    """The list as XLSX (Chinese headers; 示例数据 noted while the demo is loaded)."""
    demo = bool(data.query("has_demo_rows"))
    st.download_button(t("fup_export", lang),
                       lambda: export_xlsx(list(items), lang, demo=demo),
                       file_name=f"督办事项_{today:%Y%m%d}.xlsx" if lang == "zh"
                       else f"followups_{today:%Y%m%d}.xlsx",
                       mime=XLSX_MIME, key="fup_export", on_click="ignore",
                       icon=":material/download:")


def pick(items: Sequence[Item], clicked: int | None, lang: str) -> Item | None:
    """The item whose detail shows: a row clicked in the table (once per click), else the box."""
    ids = [i.id for i in items]
    if not ids:
        return None
    if clicked is not None and st.session_state.get(K_CLICKED) != clicked:
        st.session_state[K_PICK] = clicked
    st.session_state[K_CLICKED] = clicked
    if K_NEXT in st.session_state:  # the item just created or updated
        st.session_state[K_PICK] = st.session_state.pop(K_NEXT)
    if st.session_state.get(K_PICK) not in ids:
        st.session_state[K_PICK] = ids[0]
    by_id = {i.id: i for i in items}
    chosen = st.selectbox(t("fup_pick", lang), ids, key=K_PICK,
                          format_func=lambda i: f"{i} · {by_id[i].subject}")
    return by_id.get(chosen)


# --- one item: what is asked, its notes and files, the update form ----------------------------------

def _attachment(grant, file_id: int, lang: str) -> bytes:
    """An attachment for its download button, read only while the session still holds
    (Streamlit runs this after the click, outside the script and so outside the gate)."""
    reason = auth_ui.recheck(data.engine(), grant)
    if reason is not None:
        raise PermissionError(t(reason, lang))
    return service.followup_attachment(grant.user, file_id)[2]


def _note(n: Note, lang: str, grant) -> None:
    head = [md_escape(n.author), f"{n.created_at:%Y-%m-%d %H:%M}"]
    if n.status_to and n.status_to != n.status_from:
        head.append(t("fup_status_change", lang).format(old=status_label(n.status_from, lang),
                                                       new=status_label(n.status_to, lang)))
    st.markdown(f"**{head[0]}** · " + " · ".join(head[1:]))
    if n.body.strip():
        st.markdown(note_lines(n.body))
    for f in n.files:
        st.download_button(f"{f.filename}（{f.size / 1024:,.0f} KB）" if lang == "zh"
                           else f"{f.filename} ({f.size / 1024:,.0f} KB)",
                           partial(_attachment, grant, f.id, lang), file_name=f.filename,
                           mime=f.mime, key=f"fup_file_{f.id}", on_click="ignore",
                           icon=":material/attach_file:")


def may_update(user: User, item: Item) -> bool:
    """The owner (an account named, or the account of the unit named) or an assigner in scope."""
    return may_assign(user) or item.owned_by(user.username, user.scope_code)


def detail(user: User, item: Item, lang: str, today: dt.date) -> None:
    with st.container(border=True, key="fup_detail"):
        st.markdown(f"#### {md_escape(item.subject)}")
        status = item.status_text(today, lang)
        st.caption(t("fup_detail_meta", lang).format(
            region=md_escape(item.region_name or item.region_code),
            owner=md_escape(owner_text(item, lang)), due=f"{item.due:%Y-%m-%d}",
            status=status, by=md_escape(item.created_by), at=f"{item.created_at:%Y-%m-%d}")
            + (" · " + t("fup_closed_on", lang).format(at=f"{item.closed_at:%Y-%m-%d}")
               if item.closed_at else ""))
        source = source_label(item.ref, lang)
        if source:
            st.caption(t("fup_source", lang).format(src=md_escape(source)))
        if item.overdue(today):
            st.markdown(f":red-badge[{OVERDUE_LABEL(lang)}]")
        if item.asked.strip():
            st.markdown(f"**{t('fup_asked', lang)}**")
            st.markdown(note_lines(item.asked))
        st.markdown(f"**{t('fup_notes', lang)}**")
        notes = service.followup_notes(user, item.id)
        if not notes:
            st.caption(t("fup_no_notes", lang))
        grant = auth_ui.current_grant()
        for n in notes:
            _note(n, lang, grant)
        if item.status == "done":
            return  # closed: it takes no more notes
        if not may_update(user, item):
            st.caption(t("fu_not_owner", lang))
            return
        note_form(user, item, lang)


def note_form(user: User, item: Item, lang: str) -> None:
    """A note, a status and a file (CSV/XLSX/PDF/PNG/JPG, size-limited: the service checks the
    bytes themselves); keyed by item, so one item's draft never lands on another."""
    st.markdown(f"**{t('fup_note_form', lang)}**")
    body = st.text_area(t("fup_note_body", lang), key=f"fup_note_{item.id}",
                        max_chars=NOTE_MAX)
    choices = next_statuses(item.status)
    status = st.radio(t("fup_note_status", lang), choices, horizontal=True,
                      key=f"fup_note_status_{item.id}", format_func=lambda s: status_label(s, lang))
    upload = uploader.file_uploader(t("fup_note_file", lang),
                                    [ext.lstrip(".") for ext in attachments.ALLOWED],
                                    f"fup_file_up_{item.id}", lang,
                                    mb=attachments.MAX_BYTES // 2**20)
    if st.button(t("fup_note_submit", lang), type="primary", key=f"fup_note_submit_{item.id}"):
        moved = status if status != item.status else None
        if not body.strip() and moved is None and upload is None:
            st.warning(t("fu_empty_note", lang))
            return
        attachment = (upload.name, upload.getvalue()) if upload is not None else None
        try:
            service.add_followup_note(user, item.id, body, status=moved, attachment=attachment)
        except (FollowupRefused, ScopeError, LookupError) as exc:
            st.error(t("fup_refused", lang).format(msg=refusal(exc, lang)))
            return
        for key in (f"fup_note_{item.id}", f"fup_note_status_{item.id}", f"fup_file_up_{item.id}"):
            st.session_state.pop(key, None)
        _done(t("fup_closed_saved", lang).format(id=item.id) if moved == "done"
              else t("fup_note_saved", lang), item.id)
