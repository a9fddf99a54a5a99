"""The reading block of every dashboard page, the meeting slides' readings and the 通报 download.

The facts are gathered through lib/ui/data.query (``UiSource``): the same cached, scope-checked
boundary and the same query arguments as the page around it, so the reading repeats the page's
figures with the page's rounding, and a district user's reading can only ever hold figures inside
the district (a query outside the bound scope raises ScopeError).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

import streamlit as st
from sqlalchemy import Engine

from lib import clock
from lib.auth.accounts import User
from lib.followup import prefills, service
from lib.followup.model import Item
from lib.i18n import t
from lib.reading.bulletin import Brief, build_brief
from lib.reading.document import brief_docx
from lib.reading.facts import AreaFacts, gather
from lib.reading.text import sentences
from lib.ui import auth_ui, data, followup_ui
from lib.ui.filters import Filters
from lib.ui.safe import md_escape
from lib.warehouse.scope import ScopeError

log = logging.getLogger(__name__)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class UiSource:
    """lib/reading's Source over the page's query boundary."""

    def query(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return data.query(name, *args, **kwargs)

    def names(self) -> Mapping[str, str]:
        return data.region_lookup("name")

    def parents(self) -> Mapping[str, str]:
        return data.region_lookup("parent_code")

    def children_of(self, code: str, level: str | None = None) -> list[str]:
        return data.children_of(code, level)


def facts_of(f: Filters, area: str) -> AreaFacts:
    return gather(UiSource(), f, area)


class Said(NamedTuple):
    """What a reading says, and the lagging child regions it names (for their 督办 buttons)."""
    sentences: tuple[str, ...]
    laggards: tuple[dict, ...]  # code, name, rank, value_text (lib/reading/facts league rows)
    league_label: str
    league_size: int


def _said(facts: AreaFacts) -> Said:
    return Said(tuple(sentences(facts)), tuple(facts.laggards), facts.league_label,
                len(facts.league))


def said_of(f: Filters, area: str) -> Said:
    """The reading of ``area`` for the view, computed once per data version (the view holds
    region, period, area, language and scope)."""
    return data.derived(("reading", f, area), lambda: _said(facts_of(f, area)))


def sentences_of(f: Filters, area: str) -> list[str]:
    """The reading of ``area`` for the view, [] when there is too little data to say anything."""
    return list(said_of(f, area).sentences)


def reading(f: Filters, area: str) -> None:
    """The block under the page header: three to six sentences, or a one-line note when the data
    are too thin. A failure to read is logged and leaves the page itself standing."""
    lang = f.lang
    try:
        reading_ = said_of(f, area)
        said = list(reading_.sentences)
    except ScopeError:
        raise
    except Exception:  # the figures below still show; the log has the traceback
        log.exception("reading of %s failed", area)
        st.caption(t("reading_failed", lang))
        return
    with st.container(border=True, key=f"reading_{area}"):
        st.markdown(f":material/article: **{t('reading_title', lang)}**")
        if not said:
            st.caption(t("reading_thin", lang))
            return
        # names come from imported CSVs: every sentence is shown as text, never as Markdown
        st.markdown("\n".join(f"- {md_escape(s)}" for s in said))
        # 督办 a lagging child region the reading names (admins and analysts only)
        followup_ui.raise_menu(
            [(f"{r['name']} · {r['value_text']}", prefills.from_league_row(
                r, label=reading_.league_label, count=reading_.league_size, area=area, lang=lang,
                today=clock.today())) for r in reading_.laggards],
            key=f"reading_{area}_fu", lang=lang, label=t("fup_raise_reading", lang))


def brief_of(f: Filters) -> Brief:
    return build_brief(UiSource(), f, data_version=data.version())


def open_followups(engine: Engine, user: User, region_code: str) -> list[Item]:
    """The open follow-up items of the view's region the reader may see: pending and in progress,
    each narrowed in SQL to the account's scope and the region (lib.followup.service)."""
    today = clock.today()
    return [item for status in ("todo", "doing")
            for item in service.list_items(engine, user, status=status,
                                           region_code=region_code, today=today)]


def docx_bytes(f: Filters, user: User) -> bytes:
    """The 通报 of the view, with its section of open follow-up items as ``user`` may see them."""
    brief = brief_of(f)
    return brief_docx(brief, assessments=data.query("targets_assess", f.region_code),
                      followups=open_followups(data.engine(), user, f.region_code),
                      today=clock.today())


def checked_docx(f: Filters, grant) -> bytes:
    """The 通报 for the download button, only while ``grant`` still holds (Streamlit runs this
    after the click, outside any script run and so outside the gate: as meeting mode's brief)."""
    reason = auth_ui.recheck(data.engine(), grant)
    if reason is not None:
        raise PermissionError(t(reason, f.lang))
    with data.scope_bound(grant.user.scope):  # no session state in this thread
        return docx_bytes(f, grant.user)


def docx_download(f: Filters, key: str = "ov_docx") -> None:
    """The overview's 通报 (.docx) download: built only when clicked."""
    grant = auth_ui.current_grant()
    st.download_button(t("reading_docx", f.lang), lambda: checked_docx(f, grant), key=key,
                       file_name=f"tongbao_{f.region_code}_{clock.today():%Y%m%d}.docx",
                       mime=DOCX_MIME, on_click="ignore", icon=":material/description:")
