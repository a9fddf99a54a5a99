"""Accounts on both backends: hashing, login, back-off and expiry with an injected clock, scopes."""
import datetime as dt

import pytest
from sqlalchemy import select

from lib.auth import passwords, sessions, throttle, accounts
from lib.auth.accounts import AccountError, LoginOutcome
from lib.warehouse import schema as s
from lib.warehouse import throttle_store, accounts_store
from lib.warehouse.scope import Scope

T0 = dt.datetime(2025, 3, 1, 9, 0, 0)
PW = "correct horse 42"


class FakeClock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **kw):
        self.now += dt.timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def alice(engine, clock):
    return accounts.create_user(engine, "alice", PW, "viewer", "350111000000", by="test", clock=clock)


def _stored(engine, username):
    with engine.connect() as conn:
        return accounts_store.fetch_user(conn, username)


def test_password_is_stored_hashed_only(engine, alice):
    row = _stored(engine, "alice")
    assert row["password_hash"].startswith("$argon2id$")
    assert PW not in row["password_hash"]
    with engine.connect() as conn:  # nowhere in the two tables accounts write to
        dump = [str(v) for tbl in (s.app_user, s.audit_event) for r in conn.execute(select(tbl))
                for v in r]
    assert not any(PW in v for v in dump)
    assert passwords.verify_password(row["password_hash"], PW)
    assert not passwords.verify_password(row["password_hash"], PW + "x")


@pytest.mark.parametrize("stored", [None, "", "not-a-hash", "$argon2id$v=19$broken"])
def test_verify_never_raises_on_bad_hashes(stored):
    assert passwords.verify_password(stored, "whatever1") is False


@pytest.mark.parametrize("password,code", [("short", "pw_too_short"), ("1234567", "pw_too_short"),
                                           ("Alexandra_K", "pw_is_username"),
                                           (" alexandra_k ", "pw_is_username")])
def test_password_policy(engine, password, code):
    with pytest.raises(passwords.PasswordPolicyError) as err:
        accounts.create_user(engine, "alexandra_k", password, "viewer", "350111000000")
    assert err.value.code == code
    assert accounts.get_user(engine, "alexandra_k") is None


@pytest.mark.parametrize("username,role,scope,code", [
    ("bad name", "viewer", "350111000000", "bad_username"),
    ("", "viewer", "350111000000", "bad_username"),
    ("bob", "root", "350111000000", "bad_role"),
    ("bob", "viewer", "350111", "bad_scope"),
    ("bob", "viewer", "", "bad_scope"),
])
def test_bad_accounts_refused(engine, username, role, scope, code):
    with pytest.raises(AccountError) as err:
        accounts.create_user(engine, username, PW, role, scope)
    assert err.value.code == code
    assert not accounts.has_users(engine)


def test_duplicate_user_refused(engine, alice):
    with pytest.raises(AccountError, match="user_exists"):
        accounts.create_user(engine, "alice", PW, "admin", "350100000000")
    assert accounts.get_user(engine, "alice").role == "viewer"


def test_first_admin_only_once(engine):
    accounts.create_user(engine, "root", PW, "admin", "350100000000", only_if_empty=True)
    with pytest.raises(AccountError, match="setup_done"):
        accounts.create_user(engine, "root2", PW, "admin", "350100000000", only_if_empty=True)
    assert accounts.list_users(engine, within=Scope.everything())["username"].tolist() == ["root"]


def test_login_ok_and_wrong(engine, alice, clock):
    ok = accounts.authenticate(engine, "alice", PW, clock=clock)
    assert ok.outcome is LoginOutcome.OK and ok.user.scope_prefix == "350111"
    assert accounts.authenticate(engine, "alice", "nope nope", clock=clock).outcome \
        is LoginOutcome.BAD_CREDENTIALS
    # an unknown user looks exactly like a wrong password
    assert accounts.authenticate(engine, "mallory", PW, clock=clock).outcome \
        is LoginOutcome.BAD_CREDENTIALS


def test_back_off_after_failures_then_right_password_works(engine, alice, clock):
    """After N wrong passwords the next attempt waits 30 s (even the right password is not heard);
    once the delay is over the right password works, and the record is cleared."""
    n = throttle.USER_POLICY.free_failures
    for _ in range(n):
        assert accounts.authenticate(engine, "alice", "wrong-pass", clock=clock).outcome \
            is LoginOutcome.BAD_CREDENTIALS
    assert accounts.authenticate(engine, "alice", PW, clock=clock).outcome is LoginOutcome.THROTTLED
    clock.advance(seconds=29)
    assert accounts.authenticate(engine, "alice", PW, clock=clock).outcome is LoginOutcome.THROTTLED
    clock.advance(seconds=1)
    assert accounts.authenticate(engine, "alice", PW, clock=clock).ok
    assert _stored(engine, "alice")["failed_logins"] == 0
    assert throttle_store.read(engine, throttle.user_key("alice")) is None
    actions = accounts_store.audit_frame(engine, username="alice", scope=Scope.everything())["action"].tolist()
    assert "login_throttled" in actions and "login_failed" in actions


def test_back_off_doubles_and_is_capped(engine, alice, clock):
    """Each failure past N doubles the wait (30 s, 60 s, 120 s …) up to 15 minutes; attempts refused
    while waiting do not count, so a stranger holds an admin back for at most 15 min per guess."""
    n = throttle.USER_POLICY.free_failures
    for _ in range(n):
        accounts.authenticate(engine, "alice", "wrong-pass", clock=clock)
    waits = []
    for _ in range(8):
        state = throttle_store.read(engine, throttle.user_key("alice"))
        wait = state.next_allowed_at - clock()
        waits.append(wait.total_seconds())
        for _ in range(3):  # refused, not counted
            assert accounts.authenticate(engine, "alice", "wrong-pass", clock=clock).outcome \
                is LoginOutcome.THROTTLED
        clock.advance(seconds=wait.total_seconds())
        assert accounts.authenticate(engine, "alice", "wrong-pass", clock=clock).outcome \
            is LoginOutcome.BAD_CREDENTIALS
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    assert _stored(engine, "alice")["locked_until"] == clock() + dt.timedelta(minutes=15)
    clock.advance(minutes=15)
    assert accounts.authenticate(engine, "alice", PW, clock=clock).ok


def test_success_resets_failure_count(engine, alice, clock):
    for _ in range(throttle.USER_POLICY.free_failures - 1):
        accounts.authenticate(engine, "alice", "wrong-pass", clock=clock)
    assert accounts.authenticate(engine, "alice", PW, clock=clock).ok
    for _ in range(throttle.USER_POLICY.free_failures - 1):
        accounts.authenticate(engine, "alice", "wrong-pass", clock=clock)
    assert accounts.authenticate(engine, "alice", PW, clock=clock).ok


def test_disabled_user_cannot_login(engine, alice, clock):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    accounts.disable_user(engine, "alice", by="root")
    assert accounts.authenticate(engine, "alice", PW, clock=clock).outcome is LoginOutcome.DISABLED
    assert accounts.active_user(engine, "alice") is None
    assert accounts.get_user(engine, "alice").active is False


def test_last_admin_cannot_be_disabled_or_demoted(engine):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    with pytest.raises(AccountError, match="last_admin"):
        accounts.disable_user(engine, "root")
    with pytest.raises(AccountError, match="last_admin"):
        accounts.update_account(engine, "root", by="root", role="viewer")
    accounts.create_user(engine, "root2", PW, "admin", "350100000000")
    accounts.disable_user(engine, "root")
    assert accounts.get_user(engine, "root").active is False


def test_change_password(engine, alice, clock):
    with pytest.raises(AccountError, match="old_password_wrong"):
        accounts.change_password(engine, "alice", "wrong-pass", "a new secret 1")
    accounts.change_password(engine, "alice", PW, "a new secret 1")
    assert not accounts.authenticate(engine, "alice", PW, clock=clock).ok
    assert accounts.authenticate(engine, "alice", "a new secret 1", clock=clock).ok


def test_reset_password_lifts_back_off(engine, alice, clock):
    for _ in range(throttle.USER_POLICY.free_failures):
        accounts.authenticate(engine, "alice", "wrong-pass", clock=clock)
    assert accounts.authenticate(engine, "alice", PW, clock=clock).outcome is LoginOutcome.THROTTLED
    accounts.set_password(engine, "alice", "reset by admin 9", by="root")
    assert accounts.authenticate(engine, "alice", "reset by admin 9", clock=clock).ok


@pytest.mark.parametrize("idle,expired", [(dt.timedelta(0), False),
                                          (sessions.IDLE_TIMEOUT, False),
                                          (sessions.IDLE_TIMEOUT + dt.timedelta(seconds=1), True)])
def test_expiry_after_inactivity(idle, expired):
    assert sessions.is_expired(T0, T0 + idle) is expired


def test_never_seen_session_is_expired():
    assert sessions.is_expired(None, T0)


@pytest.mark.parametrize("admin_scope,target,ok", [
    ("350100000000", "350111000000", True),
    ("350111000000", "350111001000", True),
    ("350111000000", "350111000000", True),
    ("350111000000", "350102000000", False),  # another district
    ("350111000000", "350100000000", False),  # a district admin cannot grant the whole city
])
def test_admin_grants_only_within_own_scope(engine, admin_scope, target, ok):
    admin = accounts.create_user(engine, "root", PW, "admin", admin_scope)
    if ok:
        accounts.create_user(engine, "bob", PW, "viewer", target, by="root", within=admin.scope)
        assert accounts.get_user(engine, "bob").scope_code == target
    else:
        with pytest.raises(AccountError, match="scope_refused"):
            accounts.create_user(engine, "bob", PW, "viewer", target, by="root",
                                 within=admin.scope)
        assert accounts.get_user(engine, "bob") is None


def test_listing_carries_no_hashes(engine, alice):
    frame = accounts.list_users(engine, within=Scope.everything())
    assert "password_hash" not in frame.columns
    assert frame["username"].tolist() == ["alice"]
