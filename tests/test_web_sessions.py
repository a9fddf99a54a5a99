"""Sign-in sessions behind the cookie, on both backends: hand-off once, signature, idle expiry,
sign-out, an admin ending a session inside (never outside) their scope, resets and disabling."""
import asyncio
import datetime as dt

import pytest

from lib.auth import sessions, users, web_sessions
from lib.web import session_routes
from lib.warehouse.scope import Scope
from tests.test_auth import PW, FakeClock


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def people(engine, clock):
    users.create_user(engine, "root", PW, "admin", "350100000000", clock=clock)
    users.create_user(engine, "jin_admin", PW, "admin", "350111000000", clock=clock)
    users.create_user(engine, "vera", PW, "viewer", "350111000000", clock=clock)
    users.create_user(engine, "gulou", PW, "viewer", "350102000000", clock=clock)
    return engine


def _cookie(engine, username, clock):
    session_id, code = web_sessions.start(engine, username, clock=clock)
    token = web_sessions.redeem(engine, code, clock=clock)
    return session_id, web_sessions.cookie_value(engine, token)


def test_handoff_code_works_once_and_only_for_a_minute(people, clock):
    engine = people
    _sid, code = web_sessions.start(engine, "vera", clock=clock)
    assert web_sessions.redeem(engine, code, clock=clock) is not None
    assert web_sessions.redeem(engine, code, clock=clock) is None  # used
    _sid, late = web_sessions.start(engine, "vera", clock=clock)
    clock.advance(seconds=61)
    assert web_sessions.redeem(engine, late, clock=clock) is None  # expired
    for bad in ("", "x" * 101, "not-a-code"):
        assert web_sessions.redeem(engine, bad, clock=clock) is None


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
    users.set_password(engine, "vera", "another horse 43", by="root")
    assert web_sessions.from_cookie(engine, c1, clock=clock) is None
    users.update_account(engine, "gulou", by="root", active=False)
    assert web_sessions.from_cookie(engine, c2, clock=clock) is None
    sid3, c3 = _cookie(engine, "jin_admin", clock)  # changing one's own password keeps the session
    users.change_password(engine, "jin_admin", PW, "another horse 44")
    assert web_sessions.from_cookie(engine, c3, clock=clock) is not None


def test_signing_key_is_kept_in_the_warehouse(people, clock, monkeypatch):
    engine = people
    monkeypatch.delenv("HALFSKY_COOKIE_SECRET", raising=False)
    _sid, value = _cookie(engine, "vera", clock)
    assert web_sessions.signer(engine).unsign(value)  # the same key on every call (and process)
    monkeypatch.setenv("HALFSKY_COOKIE_SECRET", "another key entirely")
    assert web_sessions.from_cookie(engine, value, clock=clock) is None


def _request(path: str, query: str = "", cookie: str = "", scheme: str = "http"):
    from starlette.requests import Request

    headers = [(b"host", b"example.org")] + ([(b"cookie", cookie.encode())] if cookie else [])
    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
                    "headers": headers, "scheme": scheme, "server": ("example.org", 443)})


def test_routes_set_an_httponly_lax_cookie_and_clear_it(people, monkeypatch):
    engine = people
    monkeypatch.setattr(session_routes, "_engine", lambda: engine)
    _sid, code = web_sessions.start(engine, "vera")
    reply = asyncio.run(session_routes.start(_request(session_routes.START_PATH, f"code={code}",
                                                      scheme="https")))
    assert reply.media_type == "image/gif" and reply.headers["cache-control"] == "no-store"
    set_cookie = reply.headers["set-cookie"]
    assert set_cookie.startswith(f"{web_sessions.COOKIE_NAME}=")
    for flag in ("HttpOnly", "SameSite=lax", "Secure", "Path=/"):
        assert flag.lower() in set_cookie.lower(), set_cookie
    value = set_cookie.split(";")[0].split("=", 1)[1].strip('"')
    assert web_sessions.from_cookie(engine, value) is not None
    again = asyncio.run(session_routes.start(_request(session_routes.START_PATH, f"code={code}")))
    assert "set-cookie" not in again.headers  # a code works once
    plain = asyncio.run(session_routes.start(_request(session_routes.START_PATH, "code=x")))
    assert "set-cookie" not in plain.headers
    out = asyncio.run(session_routes.end(_request(session_routes.END_PATH,
                                                  cookie=f"{web_sessions.COOKIE_NAME}={value}")))
    assert "max-age=0" in out.headers["set-cookie"].lower()
    assert web_sessions.from_cookie(engine, value) is None  # the row ended, not just the cookie
