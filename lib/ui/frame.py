"""The app frame: warehouse check, first-start demo, navigation, global filters, footer."""
from __future__ import annotations


import streamlit as st

from lib import demo, settings
from lib.i18n import t
from lib.ui import auth_ui, came_from, data, filters, heap, page_errors, widgets
from lib.warehouse import WarehouseLocked, bootstrap
from lib.warehouse.demo_store import demo_batch_ids

K_FILTERS = "_filters"
REFUSED_PAGE = "views/refused.py"
TO_DEFAULT_PAGE = "views/to_default.py"
# Streamlit names a page by a hash of its url_path and serves the default page at "/" only: the
# default page is registered under this name so that its own name (/overview) stays free for a
# hidden page that sends the reader to "/".
DEFAULT_PAGE_KEY = "_home"


def _ensure_warehouse(lang: str) -> bool:
    """Open the warehouse; build the demo on first start. False (with a message) if it can't open."""
    try:
        engine = data.engine()
    except WarehouseLocked as exc:
        st.error(f"{t('locked', lang)}{t('colon', lang)}{exc}")
        return False

    auto_demo = not settings.no_demo()
    if auto_demo and not bootstrap.has_facts(engine) and not st.session_state.get("_demo_checked"):
        st.session_state["_demo_checked"] = True
        if not demo_batch_ids(engine):
            bar = st.progress(0.0, text=t("building_demo", lang))
            demo.build_demo(engine, progress=lambda f, m: bar.progress(
                f, text=f"{t('building_demo', lang)} {m}"))
            bar.empty()
    return True


def current_filters() -> filters.Filters:
    """The view the sidebar selected in this run (pages call this; the frame sets it)."""
    return st.session_state[K_FILTERS]


def run() -> None:
    lang = filters.current_lang()
    if not _ensure_warehouse(lang):
        st.stop()
    user = auth_ui.gate(data.engine(), lang)  # setup / login page and stop when nobody is signed in
    auth_ui.hand_off_cookie()  # just signed in: the browser fetches the sign-in cookie
    data.bind_scope(user.scope)  # every query of this session is narrowed to it from here on
    mine = auth_ui.pages_of(user)
    pages = [st.Page(p.path, title=t(p.title_key, lang), icon=p.icon,
                     url_path=DEFAULT_PAGE_KEY if p.default else p.url_path, default=p.default)
             for p in mine]
    pages += [st.Page(TO_DEFAULT_PAGE, title=t(p.title_key, lang), url_path=p.url_path,
                      visibility="hidden") for p in mine if p.default]
    # The other addresses stay known but out of the menu, and run a refusal (never the page): a
    # viewer following a link to /upload reads why, not Streamlit's English "Page not found".
    pages += [st.Page(REFUSED_PAGE, title=t(p.title_key, lang), url_path=p.url_path,
                      visibility="hidden") for p in auth_ui.pages_withheld(mine)]
    nav = st.navigation(pages)
    came_from.remember(nav.url_path)  # meeting mode's exit goes back there
    widgets.responsive_css()  # phone / long-label CSS, once per run, before any page draws
    auth_ui.refuse_out_of_scope_link(user, lang)
    st.session_state[K_FILTERS] = filters.sidebar_filters(scope=user.scope)
    auth_ui.keep_display_token(user)
    auth_ui.sidebar_account(user, lang)
    page_errors.run_page(nav.run, lang)  # a failing page: logged, a plain message, no traceback
    st.divider()
    f = st.session_state[K_FILTERS]
    widgets.freshness_footer(f.lang, user.scope)
    heap.settle_once()  # after the process's first whole run: modules and engine are loaded
