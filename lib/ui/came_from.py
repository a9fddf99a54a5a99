"""Where meeting mode goes back to: the page shown before it in this session, remembered per run."""
from __future__ import annotations

import streamlit as st

from lib.ui.nav import PageSpec

K_LAST_PAGE = "_last_page"
MEETING = "meeting"


def remember(url_path: str) -> None:
    """Note the page this run shows (``""`` is the default page), unless it is meeting mode."""
    if url_path != MEETING:
        st.session_state[K_LAST_PAGE] = url_path


def page_before(pages: list[PageSpec]) -> str | None:
    """The script path of the page shown before meeting mode among ``pages`` (the user's own),
    None when meeting mode was this session's first page or that page is no longer theirs."""
    last = st.session_state.get(K_LAST_PAGE)
    if last is None:
        return None
    for p in pages:
        if p.url_path != MEETING and (p.url_path == last or (p.default and last == "")):
            return p.path
    return None
