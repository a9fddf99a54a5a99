"""The login gate the frame runs first: setup on an empty warehouse, login, expiry, display links.

``HALFSKY_AUTH=off`` (development and tests only, never a default) replaces the gate by a
whole-warehouse admin called ``dev`` and says so on every page.
"""
from __future__ import annotations

import dataclasses
import os

import streamlit as st
from sqlalchemy import Engine

from lib.auth import links, sessions, users
from lib.auth.users import User
from lib.i18n import t
from lib.warehouse.scope import ScopeError, level_of, narrow

K_AUTH, K_USER, K_MSG, K_DISPLAY = "_auth", "_user", "_auth_msg", "_display_token"
DEV_USER = User("dev", "admin", "", True)
LOGIN_PAGE, SETUP_PAGE = "pages/login.py", "pages/setup.py"

clock: sessions.Clock = sessions.system_clock  # tests may replace it


def auth_disabled() -> bool:
    return os.environ.get("HALFSKY_AUTH", "").strip().lower() == "off"


def current_user() -> User:
    """The user of this run (the frame sets it before any page runs)."""
    return st.session_state[K_USER]


def require_role(*roles: str) -> User:
    """Stop a page (with a refusal) unless the current user holds one of ``roles``."""
    user = st.session_state.get(K_USER)
    if user is None or user.role not in roles:
        st.error(t("page_refused", st.session_state.get("f_lang", "zh")))
        st.stop()
    return user


def sign_in(engine: Engine, username: str, password: str) -> users.LoginResult:
    """Check a login and, when it succeeds, start the session (the page then reruns)."""
    result = users.authenticate(engine, username, password, clock=clock)
    if result.ok:
        st.session_state[K_AUTH] = {"username": result.user.username, "last_seen": clock()}
    return result


def sign_out() -> None:
    from lib.warehouse import audit
    from lib.ui import data

    user = st.session_state.pop(K_USER, None)
    st.session_state.pop(K_AUTH, None)
    if user is not None and user.role != links.DISPLAY_ROLE:
        audit.record_now(data.engine(), "logout", "", user.username)
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()  # ends the OIDC session cookie too (reruns the app)


def _session_user(engine: Engine) -> User | None:
    auth = st.session_state.get(K_AUTH)
    if not auth:
        return None
    now = clock()
    if sessions.is_expired(auth.get("last_seen"), now):
        st.session_state.pop(K_AUTH, None)
        st.session_state[K_MSG] = "session_expired"
        return None
    user = users.active_user(engine, auth["username"])  # a disabled account is out at once
    if user is None:
        st.session_state.pop(K_AUTH, None)
        return None
    auth["last_seen"] = now
    return user


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (Streamlit's st.login/OIDC)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_user(engine: Engine) -> User | None:
    """The app account of a user signed in through st.login (mapped by email; never created)."""
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    user = users.oidc_user(engine, st.user.get("email"), st.user.get("email_verified"))
    if user is None:
        st.session_state[K_MSG] = "oidc_no_account"
    return user


def _display_user(engine: Engine, lang: str) -> User | None:
    token = st.query_params.get("display") or st.session_state.get(K_DISPLAY)
    if not token:
        return None
    st.session_state[K_DISPLAY] = token
    user = links.resolve(engine, token, clock=clock)  # every run: a revoked link stops at once
    if user is None:
        st.session_state.pop(K_DISPLAY, None)
        st.error(t("link_invalid", lang))
        st.stop()
    return user


def gate(engine: Engine, lang: str) -> User:
    """The user of this run; otherwise run the setup or login page and stop."""
    if auth_disabled():
        user = DEV_USER
    else:
        user = _display_user(engine, lang) or _session_user(engine) or _oidc_user(engine)
    if user is None:
        st.session_state.pop(K_USER, None)
        first = not users.has_users(engine)
        page = st.Page(SETUP_PAGE if first else LOGIN_PAGE,
                       title=t("page_setup" if first else "page_login", lang), default=True)
        st.navigation([page], position="hidden").run()
        st.stop()
    st.session_state[K_USER] = user
    return user


def refuse_out_of_scope_link(user: User, lang: str) -> None:
    """A link whose ?region= lies outside the user's scope is refused (no data), not widened."""
    code = st.query_params.get("region")
    if st.session_state.get("f_init") or not code or not user.scope_prefix:
        return
    try:
        level_of(code)
        narrow(user.scope_prefix, code)
        return
    except ValueError:
        return  # not a region code at all: the filters say so and show the default
    except ScopeError:
        pass
    from lib.warehouse import audit
    from lib.ui import data

    audit.record_now(data.engine(), "scope_refused", f"region={code}", user.username)
    st.error(t("scope_refused", lang))
    if st.button(t("scope_back", lang), key="scope_back"):
        del st.query_params["region"]
        st.rerun()
    st.stop()


def keep_display_token(user: User) -> None:
    """The filters rewrite the URL; keep the display token in it so the projector can reload."""
    token = st.session_state.get(K_DISPLAY)
    if user.role == links.DISPLAY_ROLE and token:
        st.query_params["display"] = token


def sidebar_account(user: User, lang: str) -> None:
    with st.sidebar:
        st.divider()
        if auth_disabled():
            st.caption(f"⚠️ {t('auth_off', lang)}")
            return
        st.caption(f"{t('signed_in_as', lang)}：{user.username} · {t('role_' + user.role, lang)}"
                   f" · {user.scope_code}")
        if user.role != links.DISPLAY_ROLE and st.button(t("logout_button", lang), key="logout"):
            sign_out()
            st.rerun()


def pages_of(user: User) -> list:
    """The PageSpecs in this user's navigation: a role's pages; a display link gets meeting mode."""
    from lib.ui import nav

    if user.role != links.DISPLAY_ROLE:
        return nav.pages_for(user.role)
    meeting = [p for p in nav.PAGES if p.url_path == "meeting"]
    # Until the meeting page exists, a display link shows the (read-only) default page.
    chosen = meeting or [p for p in nav.PAGES if p.default]
    return [dataclasses.replace(p, default=True) for p in chosen]
