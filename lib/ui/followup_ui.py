"""The 督办 button beside a warning: one click opens the 督办事项 page with the create form
prefilled from what the warning shows (a Prefill carried in the query string, so the link also
works as an address). Only admins and analysts assign; a viewer sees no button at all."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.auth.accounts import User
from lib.followup.model import Prefill
from lib.i18n import t
from lib.ui import filters
from lib.ui.auth_ui import K_USER
from lib.ui.frame import current_filters

FOLLOWUP_PAGE = "views/followup.py"
ASSIGNERS = ("admin", "analyst")


def may_assign(user: User | None) -> bool:
    """Whether ``user`` creates follow-ups (lib.followup.service refuses anyone else too)."""
    return user is not None and user.role in ASSIGNERS


def _user() -> User | None:
    return st.session_state.get(K_USER)


def open_prefilled(prefill: Prefill) -> None:
    """Go to the 督办事项 page with ``prefill`` in its query string, keeping the sidebar's view
    (region, period, language): Streamlit forgets the sidebar widgets' state on a page switch."""
    f = current_filters()
    filters.restore_view(f)
    st.switch_page(FOLLOWUP_PAGE, query_params=filters.view_params(f) | prefill.to_query())


def raise_button(prefill: Prefill, *, key: str, lang: str) -> None:
    """A small 督办 button that opens the create form prefilled with ``prefill``."""
    if not may_assign(_user()):
        return
    if st.button(t("fup_raise", lang), key=key, icon=":material/assignment_add:",
                 help=t("fup_raise_help", lang).format(subject=prefill.subject)):
        open_prefilled(prefill)


def raise_menu(choices: Sequence[tuple[str, Prefill]], *, key: str, lang: str, label: str) -> None:
    """The compact form for a list of warnings: a box naming each (``choices``: its label and its
    Prefill, in the list's order) and the 督办 button beside it. Nothing for a viewer or an empty
    list; the label is shown as text (names come from imported files)."""
    if not choices or not may_assign(_user()):
        return
    labels = [c[0] for c in choices]
    with st.container(horizontal=True, vertical_alignment="bottom", key=f"{key}_row"):
        picked = st.selectbox(label, range(len(choices)), key=f"{key}_pick",
                              format_func=lambda i: labels[i], width=420)
        prefill = choices[picked if picked is not None and picked < len(choices) else 0][1]
        raise_button(prefill, key=f"{key}_go", lang=lang)
