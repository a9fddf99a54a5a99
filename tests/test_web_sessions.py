"""Sign-in sessions behind the cookie, on both backends: hand-off once, signature, idle expiry,
sign-out, an admin ending a session inside (never outside) their scope, resets and disabling."""
import asyncio

import pytest

from lib.auth import sessions, accounts, web_sessions
from lib.web import session_routes
from lib.warehouse.scope import Scope
from tests.test_auth import PW, FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def people(engine, clock):
    accounts.create_user(engine, "root", PW, "admin", "350100000000", clock=clock)
    accounts.create_user(engine, "jin_admin", PW, "admin", "350111000000", clock=clock)
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000", clock=clock)
    accounts.create_user(engine, "gulou", PW, "viewer", "350102000000", clock=clock)
    return engine


def _cookie(engine, username, clock):
    session_id, code = web_sessions.start(engine, username, bind="b", clock=clock)
    token = web_sessions.redeem(engine, code, bind="b", clock=clock)
    return session_id, web_sessions.cookie_value(engine, token)


def test_handoff_code_works_once_and_only_for_a_minute(people, clock):
    engine = people
    _sid, code = web_sessions.start(engine, "vera", bind="b", clock=clock)
    assert web_sessions.redeem(engine, code, bind="b", clock=clock) is not None
    assert web_sessions.redeem(engine, code, bind="b", clock=clock) is None  # used
    _sid, late = web_sessions.start(engine, "vera", bind="b", clock=clock)
    clock.advance(seconds=61)
    assert web_sessions.redeem(engine, late, bind="b", clock=clock) is None  # expired
    for bad in ("", "x" * 101, "not-a-code"):
        assert web_sessions.redeem(engine, bad, bind="b", clock=clock) is None


def test_cookie_names_the_live_session_and_nothing_else(people, clock):
    engine = people
    session_id, value = _cookie(engine, "vera", clock)
    found = web_sessions.from_cookie(engine, value, clock=clock)
    assert found is not None and (found.id, found.username) == (session_id, "vera")
    token = value.rsplit(".", 1)[0]
    for forged in (token, token + ".AAAA", value[:-2] + "xx", "", None, "é" * 10):
        assert web_sessions.from_cookie(engine, forged, clock=clock) is None
    # the warehouse holds only hashes: the cookie's token is nowhere in it
    from sqlalchemy import select
    from lib.warehouse import schema as s
    with engine.connect() as conn:
        rows = [tuple(map(str, r)) for r in conn.execute(select(s.web_session))]
    assert rows and not any(token in cell for row in rows for cell in row)


def test_idle_expiry_and_activity(people, clock):
    engine = people
    session_id, value = _cookie(engine, "vera", clock)
    clock.advance(minutes=20)
    web_sessions.touch(engine, web_sessions.check(engine, session_id, clock=clock), clock=clock)
    clock.advance(minutes=20)  # 40 min after sign-in, 20 after the activity: live
    assert web_sessions.from_cookie(engine, value, clock=clock) is not None
    clock.advance(seconds=sessions.IDLE_TIMEOUT.total_seconds() - 20 * 60 + 1)
    assert web_sessions.from_cookie(engine, value, clock=clock) is None
    assert web_sessions.check(engine, session_id, clock=clock) is None


def test_sign_out_ends_the_row_so_an_old_cookie_is_dead(people, clock):
    engine = people
    session_id, value = _cookie(engine, "vera", clock)
    assert web_sessions.end(engine, session_id, by="vera", clock=clock)
    assert web_sessions.from_cookie(engine, value, clock=clock) is None
    assert not web_sessions.end(engine, session_id, by="vera", clock=clock)  # already over


def test_admin_ends_sessions_inside_their_scope_only(people, clock):
    engine = people
    vera_sid, _ = _cookie(engine, "vera", clock)
    gulou_sid, gulou_cookie = _cookie(engine, "gulou", clock)
    listed = web_sessions.live_sessions(engine, Scope("350111"), clock=clock)
    assert set(listed["username"]) == {"vera"}  # 晋安区's admin sees 晋安区's accounts only
    assert set(web_sessions.live_sessions(engine, Scope.everything(), clock=clock)["username"]) == {"vera", "gulou"}
    assert not web_sessions.end(engine, gulou_sid, by="jin_admin", scope=Scope("350111"), clock=clock)
    assert web_sessions.from_cookie(engine, gulou_cookie, clock=clock) is not None  # untouched
    assert web_sessions.end(engine, vera_sid, by="jin_admin", scope=Scope("350111"), clock=clock)
    assert web_sessions.check(engine, vera_sid, clock=clock) is None
    assert web_sessions.live_sessions(engine, Scope("350111"), clock=clock).empty


def test_password_reset_and_disabling_end_every_session(people, clock):
    engine = people
    sid1, c1 = _cookie(engine, "vera", clock)
    sid2, c2 = _cookie(engine, "gulou", clock)
    accounts.set_password(engine, "vera", "another horse 43", by="root")
    assert web_sessions.from_cookie(engine, c1, clock=clock) is None
    accounts.update_account(engine, "gulou", by="root", active=False)
    assert web_sessions.from_cookie(engine, c2, clock=clock) is None


def test_changing_ones_own_password_ends_every_other_session(people, clock):
    """A password changed because it leaked must lock out whoever signed in with it elsewhere; the
    browser it was changed in stays signed in."""
    engine = people
    here, c_here = _cookie(engine, "jin_admin", clock)
    _there, c_there = _cookie(engine, "jin_admin", clock)
    _other, c_other = _cookie(engine, "vera", clock)
    accounts.change_password(engine, "jin_admin", PW, "another horse 44", keep_session=here)
    assert web_sessions.from_cookie(engine, c_here, clock=clock) is not None
    assert web_sessions.from_cookie(engine, c_there, clock=clock) is None
    assert web_sessions.from_cookie(engine, c_other, clock=clock) is not None  # another account
    accounts.change_password(engine, "jin_admin", "another horse 44", "another horse 45")
    assert web_sessions.from_cookie(engine, c_here, clock=clock) is None  # no session to keep


def test_signing_key_is_kept_in_the_warehouse(people, clock, monkeypatch):
    engine = people
    monkeypatch.delenv("HALFSKY_COOKIE_SECRET", raising=False)
    _sid, value = _cookie(engine, "vera", clock)
    assert web_sessions.signer(engine).unsign(value)  # the same key on every call (and process)
    monkeypatch.setenv("HALFSKY_COOKIE_SECRET", "another key entirely")
    assert web_sessions.from_cookie(engine, value, clock=clock) is None


SAME = {"sec-fetch-site": "same-origin"}
TAB, BIND = "c0ffee12", "a-secret-bind-value-of-this-tab"


def _request(path: str, query: str = "", cookie: str = "", scheme: str = "http",
             headers: dict | None = None):
    from starlette.requests import Request

    raw = [(b"host", b"example.org")] + ([(b"cookie", cookie.encode())] if cookie else [])
    raw += [(k.encode(), v.encode()) for k, v in (SAME if headers is None else headers).items()]
    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                    "headers": raw, "scheme": scheme, "server": ("example.org", 443)})


def _bind_cookie(tab: str = TAB, value: str = BIND) -> str:
    return f"{session_routes.BIND_COOKIE_PREFIX}{tab}={value}"


def _set_cookie_value(reply) -> str:
    return reply.headers["set-cookie"].split(";")[0].split("=", 1)[1].strip('"')


def test_routes_set_an_httponly_lax_cookie_and_clear_it(people, monkeypatch):
    engine = people
    monkeypatch.setattr(session_routes, "_engine", lambda: engine)
    _sid, code = web_sessions.start(engine, "vera", bind=BIND)
    query = f"code={code}&tab={TAB}"
    reply = asyncio.run(session_routes.start(_request(session_routes.START_PATH, query,
                                                      cookie=_bind_cookie(), scheme="https")))
    assert reply.media_type == "image/gif" and reply.headers["cache-control"] == "no-store"
    set_cookie = [v for k, v in reply.raw_headers if k == b"set-cookie"]
    session_cookie = [c.decode() for c in set_cookie
                      if c.decode().startswith(f"{web_sessions.COOKIE_NAME}=")][0]
    for flag in ("HttpOnly", "SameSite=lax", "Secure", "Path=/"):
        assert flag.lower() in session_cookie.lower(), session_cookie
    value = session_cookie.split(";")[0].split("=", 1)[1].strip('"')
    assert web_sessions.from_cookie(engine, value) is not None
    again = asyncio.run(session_routes.start(_request(session_routes.START_PATH, query,
                                                      cookie=_bind_cookie())))
    assert web_sessions.COOKIE_NAME not in again.headers.get("set-cookie", "")  # a code works once
    plain = asyncio.run(session_routes.start(_request(session_routes.START_PATH,
                                                      f"code=x&tab={TAB}",
                                                      cookie=_bind_cookie())))
    assert web_sessions.COOKIE_NAME not in plain.headers.get("set-cookie", "")
    web_sessions.end(engine, web_sessions.from_cookie(engine, value).id, by="vera")  # sign-out
    out = asyncio.run(session_routes.end(_request(session_routes.END_PATH,
                                                  cookie=f"{web_sessions.COOKIE_NAME}={value}")))
    assert "max-age=0" in out.headers["set-cookie"].lower()


def test_a_code_works_only_in_the_browser_that_signed_in(people, monkeypatch):
    """An attacker's own code, sent to a victim (a link, a top-level navigation from another site),
    does not sign the victim's browser into the attacker's account."""
    engine = people
    monkeypatch.setattr(session_routes, "_engine", lambda: engine)
    _sid, code = web_sessions.start(engine, "gulou", bind="the-attackers-tab")
    query = f"code={code}&tab={TAB}"
    for cookie, headers in [
        ("", SAME),                                      # the victim's browser has no bind cookie
        (_bind_cookie(), SAME),                          # it has its own, not the attacker's
        (_bind_cookie(value="the-attackers-tab"), {"sec-fetch-site": "cross-site"}),
        (_bind_cookie(value="the-attackers-tab"), {"sec-fetch-site": "same-site"}),
        (_bind_cookie(value="the-attackers-tab"), {}),   # no proof the app's page asked
    ]:
        reply = asyncio.run(session_routes.start(_request(session_routes.START_PATH, query,
                                                          cookie=cookie, headers=headers)))
        set_cookie = reply.headers.get("set-cookie", "")
        assert web_sessions.COOKIE_NAME not in set_cookie, (cookie, headers)
    assert web_sessions.redeem(engine, code, bind="") is None
    assert web_sessions.redeem(engine, code, bind="another") is None
    assert web_sessions.redeem(engine, code, bind="the-attackers-tab") is not None


def test_a_code_never_replaces_another_accounts_live_session(people, monkeypatch):
    engine = people
    monkeypatch.setattr(session_routes, "_engine", lambda: engine)
    _sid, vera = _cookie_for(engine, "vera")
    _sid, code = web_sessions.start(engine, "gulou", bind=BIND)
    both = f"{web_sessions.COOKIE_NAME}={vera}; {_bind_cookie()}"
    reply = asyncio.run(session_routes.start(_request(session_routes.START_PATH,
                                                      f"code={code}&tab={TAB}", cookie=both)))
    assert web_sessions.COOKIE_NAME not in reply.headers.get("set-cookie", "")
    assert web_sessions.from_cookie(engine, vera).username == "vera"
    # the same account signing in again (another tab) does replace it: nothing is swapped
    _sid, mine = web_sessions.start(engine, "vera", bind=BIND)
    reply = asyncio.run(session_routes.start(_request(session_routes.START_PATH,
                                                      f"code={mine}&tab={TAB}", cookie=both)))
    assert web_sessions.COOKIE_NAME in reply.headers["set-cookie"]


def _cookie_for(engine, username):
    session_id, code = web_sessions.start(engine, username, bind=BIND)
    token = web_sessions.redeem(engine, code, bind=BIND)
    return session_id, web_sessions.cookie_value(engine, token)


def test_bind_route_sets_a_strict_cookie_for_the_apps_own_page_only(people):
    query = f"tab={TAB}&k={BIND}"
    reply = asyncio.run(session_routes.bind(_request(session_routes.BIND_PATH, query)))
    set_cookie = reply.headers["set-cookie"]
    assert set_cookie.startswith(f"{session_routes.BIND_COOKIE_PREFIX}{TAB}={BIND}")
    for flag in ("HttpOnly", "SameSite=strict", f"Path={session_routes.PREFIX}"):
        assert flag.lower() in set_cookie.lower(), set_cookie
    for headers in ({"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}, {}):
        refused = asyncio.run(session_routes.bind(_request(session_routes.BIND_PATH, query,
                                                           headers=headers)))
        assert "set-cookie" not in refused.headers, headers
    for bad in (f"tab=../x&k={BIND}", f"tab={TAB}&k=", f"tab={TAB}&k=short",
                f"tab={TAB}&k={'x' * 200}"):
        refused = asyncio.run(session_routes.bind(_request(session_routes.BIND_PATH, bad)))
        assert "set-cookie" not in refused.headers, bad


def test_a_cross_site_get_of_the_end_route_changes_nothing(people, monkeypatch):
    """Logout CSRF: another site's link or image to the end route neither ends the session nor
    clears the cookie; only the app itself signs out (over its websocket), then clears it."""
    engine = people
    monkeypatch.setattr(session_routes, "_engine", lambda: engine)
    _sid, value = _cookie_for(engine, "vera")
    cookie = f"{web_sessions.COOKIE_NAME}={value}"
    for headers in ({"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}, {}, SAME):
        reply = asyncio.run(session_routes.end(_request(session_routes.END_PATH, cookie=cookie,
                                                        headers=headers)))
        assert "set-cookie" not in reply.headers, headers
        assert web_sessions.from_cookie(engine, value) is not None, headers
