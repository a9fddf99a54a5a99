"""No traceback reaches a browser: a page's unexpected exception is logged on the server (with its
traceback and a short reference) and the visitor sees a plain bilingual message with that reference.

``client.showErrorDetails = "none"`` in .streamlit/config.toml is the second line: whatever escapes
this (a fragment's own rerun, the frame itself) shows Streamlit's generic notice without details.

``HALFSKY_PAGE_ERRORS=raise`` (set by tests/apptest_util.app_env, never on a server) lets the
exception through, so a page test's ``at.exception`` still sees a broken page.
"""
from __future__ import annotations

import logging
import secrets
from typing import Callable

import streamlit as st
from streamlit.errors import FragmentHandledException

from lib import settings
from lib.i18n import t

log = logging.getLogger("halfsky.ui")


def run_page(run: Callable[[], object], lang: str) -> None:
    """Call ``run`` (a page's ``StreamlitPage.run``); show a plain message if it fails.

    ``st.stop``/``st.rerun``/``st.switch_page`` raise BaseException subclasses and pass through, as
    does a fragment's error that Streamlit has already handled and shown.
    """
    try:
        run()
    except FragmentHandledException:
        raise
    except Exception:
        if settings.page_errors_raise():
            raise
        ref = secrets.token_hex(4)
        log.exception("halfsky page error, reference %s", ref)
        st.error(t("page_error", lang).format(ref=ref))
