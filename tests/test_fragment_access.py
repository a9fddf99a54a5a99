"""Access is re-checked on every fragment run, not only on full runs.

``st.fragment(run_every=N)`` reruns the meeting slides without app.py's frame, so without the
login gate. AppTest's ``run()`` always reruns the whole app; ``Ticker`` drives it the way the
browser drives a fragment's timer: it notes the fragment the last full run put on a timer (the
``auto_rerun`` message Streamlit sends the browser) and ``tick`` reruns only that fragment.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
import streamlit.testing.v1.local_script_runner as lsr
from pptx import Presentation

from lib.auth import web_sessions, links, sessions, accounts
from lib.i18n import t
from lib.ui import auth_ui
from tests.apptest_util import app_env, run_page
from tests.test_app import _url
from tests.test_auth import PW, FakeClock

MEETING = "views/meeting.py"
DAY = dt.timedelta(days=1)


class Ticker:
    """Record timer fragments from each AppTest run; ``tick(at)`` runs only those fragments."""

    def __init__(self, monkeypatch):
        self.timers: list[str] = []
        self._queue: list[str] = []
        parse, rerun_data = lsr.parse_tree_from_messages, lsr.RerunData

        def recording_parse(msgs):
            ids = [m.auto_rerun.fragment_id for m in msgs if m.WhichOneof("type") == "auto_rerun"]
            if ids:
                self.timers = ids
            return parse(msgs)

        def fragment_rerun_data(**kw):
            if self._queue:
                kw |= dict(fragment_id_queue=list(self._queue), is_auto_rerun=True)
            return rerun_data(**kw)

        monkeypatch.setattr(lsr, "parse_tree_from_messages", recording_parse)
        monkeypatch.setattr(lsr, "RerunData", fragment_rerun_data)

    def tick(self, at, env: dict):
        """One timer tick: rerun only the timer fragments (widget state as the browser holds it)."""
        assert self.timers, "the page registered no fragment with run_every"
        self._queue = list(self.timers)
        try:
            with app_env(**env):
                at.run()
        finally:
            self._queue = []
        return at


@pytest.fixture
def ticker(monkeypatch):
    return Ticker(monkeypatch)


@pytest.fixture
def clock(monkeypatch):
    """The gate's clock (sign-in, session expiry, link expiry), moved by hand."""
    fake = FakeClock(dt.datetime.now().replace(microsecond=0))
    monkeypatch.setattr(auth_ui, "clock", fake)
    return fake


def _env(engine) -> dict:
    url, schema = _url(engine)
    return dict(url=url, schema=schema, demo=False, auth=True)


def _slides_drawn(at) -> bool:
    return len(at.metric) > 0 or len(at.get("vega_lite_chart")) > 0 or len(at.table) > 0


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _open_by_link(engine, token):
    env = _env(engine)
    with app_env(**env):
        at = run_page(query={"display": token})
    assert not at.exception, at.exception
    assert len(at.metric) == 4  # the display link opens meeting mode
    return at, env


def _open_signed_in(engine, username):
    env = _env(engine)
    with app_env(**env):
        at = run_page()
        at.text_input(key="login_user").input(username)
        at.text_input(key="login_password").input(PW)
        at.button(key="login_submit").click().run()
        assert not at.exception, at.exception
        at.switch_page(MEETING)
        at.run()
    assert not at.exception, at.exception
    assert len(at.metric) == 4
    return at, env


def test_tick_draws_slides_while_access_holds(engine, ticker, clock):
    """The harness itself: a tick reruns the slides (and only them) while the link is valid."""
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    at, env = _open_by_link(engine, token)
    ticker.tick(at, env)
    assert not at.exception, at.exception
    assert len(at.metric) == 4
    assert not at.sidebar.children  # the frame did not run: a fragment-only rerun
    assert not _errors(at)


def test_revoked_link_stops_the_slides_at_the_next_tick(engine, ticker, clock):
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    at, env = _open_by_link(engine, token)
    links.revoke(engine, links.token_hash(token), by=root)
    ticker.tick(at, env)
    assert not at.exception, at.exception
    assert t("access_link_ended", "zh") in _errors(at)
    assert not _slides_drawn(at)
    ticker.tick(at, env)  # and at every later tick
    assert not _slides_drawn(at) and t("access_link_ended", "zh") in _errors(at)


def test_expired_link_stops_the_slides_at_the_next_tick(engine, ticker, clock):
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    at, env = _open_by_link(engine, token)
    clock.advance(hours=23, minutes=59)
    ticker.tick(at, env)
    assert len(at.metric) == 4  # a minute before expiry: still showing
    clock.advance(minutes=1)
    ticker.tick(at, env)
    assert t("access_link_ended", "zh") in _errors(at)
    assert not _slides_drawn(at)


def test_disabled_account_stops_the_slides_at_the_next_tick(engine, ticker, clock):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    at, env = _open_signed_in(engine, "vera")
    ticker.tick(at, env)
    assert len(at.metric) == 4
    accounts.disable_user(engine, "vera", by="root")
    ticker.tick(at, env)
    assert not at.exception, at.exception
    assert t("access_disabled", "zh") in _errors(at)
    assert not _slides_drawn(at)


def test_idle_session_ends_the_slides_and_a_click_counts_as_activity(engine, ticker, clock):
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    at, env = _open_signed_in(engine, "vera")
    clock.advance(minutes=20)
    at.button(key="m_forward").click()
    ticker.tick(at, env)  # a click inside the fragment reruns only the fragment
    assert [x.value for x in at.title] == ["组织覆盖"]  # the click went forward
    # no roster in this warehouse: the coverage slide says so instead of drawing empty bars
    assert "尚未上传组织名册" in " ".join(m.value for m in at.markdown)
    clock.advance(minutes=20)  # 40 min after sign-in, 20 after the click: still signed in
    ticker.tick(at, env)
    assert _slides_drawn(at) and not _errors(at)
    clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds() - 20 * 60 + 1)  # timer ticks only
    ticker.tick(at, env)
    assert t("access_session_ended", "zh") in _errors(at)
    assert not _slides_drawn(at)


def test_scope_change_stops_the_slides(engine, ticker, clock):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    at, env = _open_signed_in(engine, "vera")
    accounts.update_account(engine, "vera", by="root", scope_code="350102000000")
    ticker.tick(at, env)
    assert t("access_changed", "zh") in _errors(at)
    assert not _slides_drawn(at)


def test_reload_button_hands_over_to_the_gate(engine, ticker, clock):
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    at, env = _open_by_link(engine, token)
    links.revoke(engine, links.token_hash(token), by=root)
    ticker.tick(at, env)
    at.button(key="access_reload").click()
    with app_env(**env):
        at.run()
    assert not at.exception, at.exception
    assert t("link_invalid", "zh") in _errors(at) and not at.metric


# --- the same rules as a library: recheck, and the deferred brief download ----------------------

@pytest.fixture
def auth_on(monkeypatch):
    monkeypatch.delenv("HALFSKY_AUTH", raising=False)


def test_recheck_rules(engine, clock, auth_on):
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    vera = accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    display = links.resolve(engine, token, clock=clock)
    session_id, _code = web_sessions.start(engine, "vera", bind="b", clock=clock)
    live = {"username": "vera", "session_id": session_id, "last_seen": clock()}
    assert auth_ui.recheck(engine, auth_ui.Grant(vera, auth=live)) is None
    stale = {"username": "vera", "last_seen": clock()}  # no session row behind it
    assert auth_ui.recheck(engine, auth_ui.Grant(vera, auth=stale)) == auth_ui.ACCESS_SESSION
    assert auth_ui.recheck(engine, auth_ui.Grant(display, display_token=token)) is None
    for bad in (None, "", "x" * 32, token + "x"):
        assert auth_ui.recheck(engine, auth_ui.Grant(display, display_token=bad)) == \
            auth_ui.ACCESS_LINK
    assert auth_ui.recheck(engine, None) == auth_ui.ACCESS_SESSION
    assert auth_ui.recheck(engine, auth_ui.Grant(vera)) == auth_ui.ACCESS_SESSION  # no session
    assert auth_ui.recheck(engine, auth_ui.Grant(vera, oidc=True)) is None  # OIDC: account checked
    ghost = accounts.User("ghost", "viewer", "350111000000", True)
    assert auth_ui.recheck(engine, auth_ui.Grant(ghost, oidc=True)) == auth_ui.ACCESS_DISABLED
    clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds() + 1)
    assert auth_ui.recheck(engine, auth_ui.Grant(vera, auth=live)) == auth_ui.ACCESS_SESSION


def test_brief_download_rechecks_access(engine, clock, auth_on):
    """The brief is built when the button is clicked, by the server outside any script run."""
    from lib.ui import filters, meeting_ui

    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    grant = auth_ui.Grant(links.resolve(engine, token, clock=clock), display_token=token)
    f = filters.Filters(lang="zh", region_code="350111000000", region_name="晋安区",
                        level="district", prefix="350111", date_from=dt.date(2024, 1, 1),
                        date_to=dt.date(2024, 12, 31), area=None)
    env = _env(engine)
    with app_env(**env):
        pptx = meeting_ui.checked_brief(f, grant)
        assert len(Presentation(io.BytesIO(pptx)).slides) > 0
        links.revoke(engine, links.token_hash(token), by=root)
        with pytest.raises(PermissionError):
            meeting_ui.checked_brief(f, grant)


def test_every_fragment_starts_with_the_access_check():
    """Any ``st.fragment`` in lib/ or views/ must call ``auth_ui.fragment_gate`` before anything
    else: a new fragment without it would again show data after access ended."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    found = []
    for path in [*root.glob("lib/**/*.py"), *root.glob("views/*.py"), root / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if not any("fragment" in ast.unparse(d) for d in node.decorator_list):
                continue
            first = ast.unparse(node.body[0])
            found.append(path.name)
            assert "fragment_gate(" in first, f"{path}:{node.lineno} {node.name} starts with {first!r}"
    assert "meeting_ui.py" in found  # the scan does see the slides


def _has_button(at, key: str) -> bool:
    return any(b.key == key for b in at.button)


def test_exit_button_goes_to_the_start_page_but_not_for_a_display_link(engine, clock):
    """退出会议模式 opens the user's start page; a display link may show meeting mode only, so it has
    no exit (Esc then finds no button and does nothing)."""
    root = accounts.create_user(engine, "root", PW, "admin", "350100000000")
    token = links.create_link(engine, root, "350111000000", DAY, clock=clock)
    at, _ = _open_by_link(engine, token)
    assert not _has_button(at, "m_exit") and _has_button(at, "m_forward")
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    at, env = _open_signed_in(engine, "vera")
    assert at.button(key="m_exit").label == "退出会议模式"
    with app_env(**env):
        at.button(key="m_exit").click().run()
    assert not at.exception, at.exception
    assert not _has_button(at, "m_exit") and not any("m-count" in m.value for m in at.markdown)
    assert at.session_state["_user"].username == "vera"  # still signed in, on the overview
