"""The login gate the frame runs first: setup on an empty warehouse, login, expiry, display links.

``HALFSKY_AUTH=off`` (development and tests only, never a default) replaces the gate by a
whole-warehouse admin called ``dev`` and says so on every page.
"""
from __future__ import annotations

import dataclasses
import secrets

import streamlit as st
from sqlalchemy import Engine

from lib import settings
from lib.auth import links, sessions, setup_code, accounts, web_sessions
from lib.auth.accounts import User
from lib.i18n import t
from lib.ui import data, nav, page_errors
from lib.ui.safe import md_escape
from lib.warehouse import audit
from lib.warehouse.scope import ScopeError, level_of, narrow
from lib.web import origins, session_routes

K_AUTH, K_USER, K_MSG, K_DISPLAY = "_auth", "_user", "_auth_msg", "_display_token"
K_HANDOFF, K_CLEAR_COOKIE = "_session_handoff", "_session_clear_cookie"
K_BIND = "_session_bind"  # (tab id, secret): the code of this tab's sign-in works with it only
DEV_USER = User("dev", "admin", "", True)
LOGIN_PAGE, SETUP_PAGE = "views/login.py", "views/setup.py"

clock: sessions.Clock = sessions.system_clock  # tests may replace it


def auth_disabled() -> bool:
    return settings.auth_off()


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


def client_address() -> str | None:
    """The visitor's address for the sign-in back-off (None under AppTest, and from localhost,
    e.g. behind a reverse proxy on the same host: then only the per-account back-off applies)."""
    try:
        address = st.context.ip_address
    except Exception:  # no session context (a bare script run)
        return None
    return address if isinstance(address, str) else None


def _tab_binding() -> tuple[str, str]:
    """This tab's (id, secret), made once per tab: the secret is planted in this browser as a
    cookie by the login page and binds the sign-in's one-time code to it."""
    binding = st.session_state.get(K_BIND)
    if binding is None:
        binding = st.session_state[K_BIND] = (secrets.token_hex(8), secrets.token_urlsafe(32))
    return binding


def bind_browser() -> None:
    """Plant this tab's secret as a cookie (the login page draws this beside the form), so that
    the code handed over after signing in works in this browser and no other."""
    if not session_routes.mounted():
        return
    tab, secret = _tab_binding()
    _invisible_image(f"{session_routes.BIND_PATH}?tab={tab}&k={secret}")


def sign_in(engine: Engine, username: str, password: str) -> accounts.LoginResult:
    """Check a login and, when it succeeds, start the session (the page then reruns)."""
    result = accounts.authenticate(engine, username, password, address=client_address(), clock=clock)
    if result.ok:
        session_id, code = web_sessions.start(engine, result.user.username,
                                              bind=_tab_binding()[1],
                                              client=client_address(), clock=clock)
        st.session_state[K_AUTH] = {"username": result.user.username, "session_id": session_id,
                                    "last_seen": clock()}
        st.session_state[K_HANDOFF] = code  # the next run asks the cookie route for the cookie
    return result


def login_message(result: accounts.LoginResult) -> str:
    """The i18n key shown for a refused sign-in: one message for a wrong name, a wrong password,
    malformed input and the back-off alike, so the page never tells which names exist or which
    accounts are held back. Only a disabled account (right password) hears why."""
    return "login_disabled" if result.outcome is accounts.LoginOutcome.DISABLED else "login_bad"


def sign_out() -> None:
    user = st.session_state.pop(K_USER, None)
    auth = st.session_state.pop(K_AUTH, None)
    if auth and auth.get("session_id"):
        web_sessions.end(data.engine(), auth["session_id"], by=auth["username"], clock=clock)
        st.session_state[K_CLEAR_COOKIE] = True  # the login page clears the (now dead) cookie
    if user is not None and user.role != links.DISPLAY_ROLE:
        audit.record_now(data.engine(), "logout", "", user.username)
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()  # ends the OIDC session cookie too (reruns the app)


def from_own_origin() -> bool:
    """True when this tab's websocket was opened by a page of the app's own origin (scheme, host
    and port, or one listed in ``HALFSKY_ALLOWED_ORIGINS``). A page on another port of the same
    host is same-site, so the browser sends it the cookies, and Streamlit admits its websocket:
    the cookies are honoured only for our own pages."""
    try:
        headers = {key: value for key, value in st.context.headers.items()}
    except Exception:  # no session context (a bare script run)
        return False
    https = origins.forwarded_https(headers) or bool(st.get_option("server.sslCertFile"))
    return origins.origin_allowed(headers, https)


def _cookie_auth(engine: Engine) -> dict | None:
    """A session record from the sign-in cookie the browser sent when this tab connected (a
    reload, a new tab or a link after signing in elsewhere)."""
    try:
        value = st.context.cookies.get(web_sessions.COOKIE_NAME)
    except Exception:  # no session context (a bare script run)
        return None
    if not value or st.session_state.get(K_CLEAR_COOKIE) or not from_own_origin():
        return None
    session = web_sessions.from_cookie(engine, value, clock=clock)
    if session is None:
        return None
    return {"username": session.username, "session_id": session.id, "last_seen": clock()}


def _session_user(engine: Engine) -> User | None:
    """The account of this tab's password session: from session state, else from the cookie.

    The session row decides (lib/auth/web_sessions.py): ended by sign-out or an admin, idle past
    the limit, or its account disabled, and the tab is signed out at this run.
    """
    auth = st.session_state.get(K_AUTH) or _cookie_auth(engine)
    if not auth:
        return None
    now = clock()
    if sessions.is_expired(auth.get("last_seen"), now):
        _forget_session(auth, "session_expired")
        return None
    session = web_sessions.check(engine, auth.get("session_id"), clock=clock)
    if session is None or session.username != auth.get("username"):
        _forget_session(auth, "session_closed" if auth.get("session_id") else None)
        return None
    user = accounts.active_user(engine, auth["username"])  # a disabled account is out at once
    if user is None:
        _forget_session(auth, None)
        return None
    web_sessions.touch(engine, session, clock=clock)
    auth["last_seen"] = now
    st.session_state[K_AUTH] = auth
    return user


def _forget_session(auth: dict, message: str | None) -> None:
    st.session_state.pop(K_AUTH, None)
    if message:
        st.session_state[K_MSG] = message


def hand_off_cookie() -> None:
    """After a sign-in, ask the cookie route for the sign-in cookie; after a sign-out, clear it.

    An invisible same-origin image does it: the browser keeps the HttpOnly cookie from the reply.
    Nothing is drawn when the routes are not served (``streamlit run app.py``, AppTest).
    """
    code = st.session_state.pop(K_HANDOFF, None)
    clear = st.session_state.pop(K_CLEAR_COOKIE, None)
    if not session_routes.mounted():
        return
    if code:
        url = f"{session_routes.START_PATH}?code={code}&tab={_tab_binding()[0]}"
    elif clear:
        url = session_routes.END_PATH
    else:
        return
    _invisible_image(url)


def _invisible_image(url: str) -> None:
    """A same-origin request the browser makes (and whose cookies it keeps), drawn as nothing."""
    st.html(f'<img src="{url}" alt="" width="1" height="1" '
            'style="position:absolute;opacity:0;pointer-events:none">')


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
    if not from_own_origin():  # Streamlit's identity cookie is as ambient as ours
        return None
    user = accounts.oidc_user(engine, st.user.get("email"), st.user.get("email_verified"))
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
        first = not accounts.has_users(engine)
        if first:
            setup_code.issue()  # logged once per process: setup asks for it
        page_errors.run_page(st.navigation(signed_out_pages(first, lang), position="hidden").run,
                             lang)
        hand_off_cookie()  # after a sign-out: clear the cookie
        st.stop()
    st.session_state[K_USER] = user
    return user


def signed_out_pages(first: bool, lang: str) -> list:
    """What a visitor without a session can open: the setup or login form, at every page's address.

    A link such as ``/screening?region=…`` then shows the form (not Streamlit's "Page not found",
    which would also drop the path), and after signing in the frame runs the page asked for, with
    the link's region, period and language still in the URL.
    """
    target = SETUP_PAGE if first else LOGIN_PAGE
    title = t("page_setup" if first else "page_login", lang)
    return [st.Page(target, title=title, default=True)] + [
        st.Page(target, title=title, url_path=spec.url_path) for spec in nav.PAGES if not spec.default]


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
        st.caption(f"{t('signed_in_as', lang)}{t('colon', lang)}{md_escape(user.username)} · "
                   f"{t('role_' + user.role, lang)} · {md_escape(user.scope_code)}")
        if user.role != links.DISPLAY_ROLE and st.button(t("logout_button", lang), key="logout"):
            sign_out()
            st.rerun()


def pages_of(user: User) -> list:
    """The PageSpecs in this user's navigation: a role's pages; a display link gets meeting mode."""
    if user.role != links.DISPLAY_ROLE:
        return nav.pages_for(user.role)
    meeting = [p for p in nav.PAGES if p.url_path == "meeting"]
    # Until the meeting page exists, a display link shows the (read-only) default page.
    chosen = meeting or [p for p in nav.PAGES if p.default]
    return [dataclasses.replace(p, default=True) for p in chosen]


def pages_withheld(mine: list) -> list:
    """The PageSpecs not in ``mine``: registered hidden, so their addresses refuse politely."""
    own = {p.url_path for p in mine}
    return [p for p in nav.PAGES if p.url_path not in own]


# --- re-checks where the gate does not run ------------------------------------------------------
# A fragment (``st.fragment``, e.g. the self-advancing meeting slides) reruns on its own, without
# app.py's frame and so without ``gate``; a deferred download runs in a server thread, without the
# script at all. Both re-check here, with the gate's rules, before they read any data.

ACCESS_LINK, ACCESS_DISABLED = "access_link_ended", "access_disabled"
ACCESS_SESSION, ACCESS_CHANGED = "access_session_ended", "access_changed"


@dataclasses.dataclass(frozen=True)
class Grant:
    """What this session's access rests on, captured so it can be re-checked where
    ``st.session_state`` cannot be read (a deferred download runs outside the script).

    ``auth`` is the session record itself, not a copy: the gate updates ``last_seen`` in place, and
    a new sign-in makes a new record, so a captured record is never fresher than the session.
    """
    user: User
    display_token: str | None = None
    auth: dict | None = None
    oidc: bool = False


def current_grant() -> Grant | None:
    """This session's grant as the last full run's gate left it (None: nobody signed in)."""
    if auth_disabled():
        return Grant(DEV_USER)
    user = st.session_state.get(K_USER)
    if user is None:
        return None
    if user.role == links.DISPLAY_ROLE:
        return Grant(user, display_token=st.session_state.get(K_DISPLAY))
    auth = st.session_state.get(K_AUTH)
    if auth and auth.get("username") == user.username:
        return Grant(user, auth=auth)
    return Grant(user, oidc=oidc_configured() and bool(getattr(st.user, "is_logged_in", False)))


def recheck(engine: Engine, grant: Grant | None) -> str | None:
    """None while ``grant`` still holds; else the i18n key saying why not.

    The gate's rules, read afresh: a display link must still resolve (not revoked, not expired);
    an account must still exist, be active and hold the same role and scope; a password session
    must not be idle past ``sessions.IDLE_TIMEOUT``. Nothing is changed here: the next full run's
    gate does the signing out.
    """
    if auth_disabled():
        return None
    if grant is None:
        return ACCESS_SESSION
    if grant.user.role == links.DISPLAY_ROLE:
        ok = bool(grant.display_token) and links.resolve(engine, grant.display_token,
                                                         clock=clock) is not None
        return None if ok else ACCESS_LINK
    if grant.auth is not None:
        if sessions.is_expired(grant.auth.get("last_seen"), clock()):
            return ACCESS_SESSION
    elif not grant.oidc:
        return ACCESS_SESSION
    fresh = accounts.active_user(engine, grant.user.username)
    if fresh is None:
        return ACCESS_DISABLED
    if (fresh.role, fresh.scope_code) != (grant.user.role, grant.user.scope_code):
        return ACCESS_CHANGED  # the open page still holds the old role's or scope's view
    if grant.auth is not None and web_sessions.check(engine, grant.auth.get("session_id"),
                                                     clock=clock) is None:
        return ACCESS_SESSION  # signed out in another tab, or ended by an admin
    return None


def still_allowed(engine: Engine) -> User | None:
    """The user of this session if it may still see data now, else None (see ``recheck``)."""
    grant = current_grant()
    return None if recheck(engine, grant) else grant.user


def fragment_gate(engine: Engine, lang: str) -> User | None:
    """First line of every fragment: the user if access still holds; otherwise a plain message
    (link revoked or expired, account disabled, session ended) and a button back to the full app
    (where the gate takes over), and None — the fragment then returns and draws no data."""
    grant = current_grant()
    reason = recheck(engine, grant)
    if reason is None:
        return grant.user
    st.error(t(reason, lang))
    if st.button(t("access_reload", lang), key="access_reload"):
        st.rerun(scope="app")
    return None


def touch_session() -> None:
    """A click inside a fragment is activity: it extends a live password session (as a full run's
    gate does) but never revives one already idle past the limit. A timer tick is not activity."""
    auth = st.session_state.get(K_AUTH)
    if auth and not sessions.is_expired(auth.get("last_seen"), clock()):
        auth["last_seen"] = clock()
        session = web_sessions.check(data.engine(), auth.get("session_id"), clock=clock)
        if session is not None:
            web_sessions.touch(data.engine(), session, clock=clock)
