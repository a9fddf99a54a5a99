"""Sign-in that cannot be abused: audit ids under concurrency, atomic back-off per account
and address, one message for every refusal, input checked before SQL, the first-admin setup code,
and no traceback in the browser. Warehouse tests run on DuckDB and PostgreSQL."""
import datetime as dt
import logging
import re
import threading

import pytest
from sqlalchemy import func, select, text

from lib.auth import passwords, setup_code, throttle, accounts
from lib.auth.accounts import AccountError, LoginOutcome
from lib.warehouse import audit, migrate_auth, throttle_store, accounts_store
from lib.warehouse import schema as s
from tests.test_auth import PW, T0, FakeClock

THREADS = 12


def _in_threads(fn, n=THREADS):
    """Run ``fn(i)`` in ``n`` threads released together; their results and exceptions."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def work(i):
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:  # collected: the test asserts there are none
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    return results, errors


@pytest.fixture
def engine(bare_engine):
    """A warehouse without regions (quicker to make): scopes are checked by their digits alone."""
    return bare_engine


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def checks(monkeypatch):
    """Counts argon2 verifications: against a real hash, and all (real or the dummy)."""
    counts = {"real": 0, "all": 0}
    lock = threading.Lock()
    hasher = passwords._hasher

    class Counting:
        def verify(self, hash_, password):
            with lock:
                counts["all"] += 1
                counts["real"] += hash_ != passwords._DUMMY_HASH
            return hasher.verify(hash_, password)

        def __getattr__(self, name):
            return getattr(hasher, name)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    return counts


# --- audit ids ---------------------------------------------------------------------------------

def test_concurrent_audit_events_get_distinct_ids(engine):
    """max(id)+1 gave two simultaneous events the same id (a duplicate-key traceback on sign-in)."""
    ids, errors = _in_threads(lambda i: [audit.record_now(engine, "test", f"{i}.{k}")
                                         for k in range(5)])
    assert not errors, errors[:3]
    flat = [i for batch in ids for i in batch]
    assert len(set(flat)) == THREADS * 5
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.audit_event)).scalar_one() \
            == THREADS * 5


def test_audit_sequence_starts_after_existing_rows(engine):
    """A warehouse from before the sequence: it is created starting after the highest id."""
    with engine.begin() as conn:
        conn.execute(text("DROP SEQUENCE audit_event_id_seq"))
        for event_id in (1, 2, 41):
            conn.execute(s.audit_event.insert().values(id=event_id, at=T0, action="old", detail=""))
    with engine.begin() as conn:
        migrate_auth.migrate(conn)
        migrate_auth.migrate(conn)  # idempotent: the second run leaves the sequence alone
    assert audit.record_now(engine, "new", "") == 42
    assert audit.record_now(engine, "new", "") == 43


# --- atomic back-off ---------------------------------------------------------------------------

def test_concurrent_wrong_guesses_stop_at_the_limit(engine, clock, checks):
    """12 wrong guesses sent at once: no more than N are checked against the real hash, the rest
    are refused, and every checked one is counted (none lost)."""
    accounts.create_user(engine, "alice", PW, "viewer", "350111000000", clock=clock)
    n = throttle.USER_POLICY.free_failures
    results, errors = _in_threads(
        lambda i: accounts.authenticate(engine, "alice", f"wrong guess {i}", clock=clock))
    assert not errors, errors[:3]
    outcomes = [r.outcome for r in results]
    assert checks["real"] <= n
    assert outcomes.count(LoginOutcome.BAD_CREDENTIALS) == checks["real"]
    assert outcomes.count(LoginOutcome.THROTTLED) == THREADS - checks["real"]
    assert checks["all"] == THREADS  # a refused guess costs the same check (the dummy hash)
    state = throttle_store.read(engine, throttle.user_key("alice"))
    assert state.failures == checks["real"]
    with engine.connect() as conn:
        assert accounts_store.fetch_user(conn, "alice")["failed_logins"] == checks["real"]


def test_concurrent_guesses_with_one_free_attempt_left(engine, clock, checks):
    accounts.create_user(engine, "alice", PW, "viewer", "350111000000", clock=clock)
    n = throttle.USER_POLICY.free_failures
    for _ in range(n - 1):
        accounts.authenticate(engine, "alice", "wrong-pass", clock=clock)
    checks["real"] = 0
    results, errors = _in_threads(lambda i: accounts.authenticate(engine, "alice", "x" * 9,
                                                                  clock=clock))
    assert not errors, errors[:3]
    assert checks["real"] == 1
    assert [r.outcome for r in results].count(LoginOutcome.BAD_CREDENTIALS) == 1


def test_simultaneous_sign_ins_all_succeed(engine, clock):
    """Several people signing in at the same moment: no duplicate audit id, no traceback."""
    for i in range(6):
        accounts.create_user(engine, f"user{i}", PW, "viewer", "350111000000", clock=clock)
    results, errors = _in_threads(lambda i: accounts.authenticate(engine, f"user{i % 6}", PW,
                                                                  address="10.1.2.3", clock=clock))
    assert not errors, errors[:3]
    assert all(r.ok for r in results)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.audit_event)
                            .where(s.audit_event.c.action == "login")).scalar_one() == THREADS


def test_a_key_deleted_by_a_concurrent_sign_in_starts_empty_again(engine):
    """The race behind a flaky 'No row was found' (seen on a loaded CI machine): an attempt finds
    the address key present (its INSERT does nothing, locks nothing), a successful sign-in deletes
    the key, and the attempt's UPDATE then finds no row. It now makes the key exist anew."""
    from lib.auth.throttle import State

    key = "addr:10.9.9.9"
    with engine.begin() as conn:
        throttle_store.lock_states(conn, [key])
        throttle_store.save(conn, key, State(3, None, None))
    if engine.dialect.name != "postgresql":  # DuckDB: attempts are serialised by a process lock
        with throttle_store.exclusive(engine) as conn:
            throttle_store.clear(conn, key)
            assert throttle_store.lock_states(conn, [key])[key].failures == 0
        return
    from sqlalchemy import event

    deleter = engine.connect()
    deleter.begin()
    got: list = []

    def between(_conn, _cursor, statement, *_rest) -> None:
        # right after the attempt's INSERT did nothing (the key exists, unlocked), the sign-in
        # deletes the key: its row lock is held until it commits
        if threading.current_thread() is th and statement.startswith("INSERT INTO login_throttle") \
                and not getattr(between, "done", False):
            between.done = True
            throttle_store.clear(deleter, key)

    def attempt() -> None:
        try:
            with engine.begin() as conn:
                got.append(throttle_store.lock_states(conn, [key])[key])
        except Exception as exc:  # noqa: BLE001 — the test asserts there is none
            got.append(exc)

    th = threading.Thread(target=attempt)
    event.listen(engine, "after_cursor_execute", between)
    try:
        th.start()
        th.join(1.0)  # the attempt's UPDATE now waits on the deleter's row lock
        assert getattr(between, "done", False) and th.is_alive() and not got
        deleter.commit()
        th.join(30)
    finally:
        event.remove(engine, "after_cursor_execute", between)
        deleter.close()
    assert len(got) == 1 and isinstance(got[0], State) and got[0].failures == 0, got


# --- per address, one message, one cost --------------------------------------------------------

def test_address_back_off_across_many_names(engine, clock):
    """Guessing at many names from one address slows that address down, not the accounts: the
    right password from another address still works."""
    accounts.create_user(engine, "alice", PW, "viewer", "350111000000", clock=clock)
    for i in range(throttle.ADDR_POLICY.free_failures):
        assert accounts.authenticate(engine, f"name{i}", "wrong-pass", address="203.0.113.9",
                                     clock=clock).outcome is LoginOutcome.BAD_CREDENTIALS
    assert accounts.authenticate(engine, "alice", PW, address="203.0.113.9", clock=clock).outcome \
        is LoginOutcome.THROTTLED
    assert accounts.authenticate(engine, "alice", PW, address="198.51.100.7", clock=clock).ok
    clock.advance(seconds=30)
    assert accounts.authenticate(engine, "alice", PW, address="203.0.113.9", clock=clock).ok


def test_stranger_cannot_lock_admin_for_long(engine, clock):
    """A stranger typing an admin's name at full speed: the admin's right password works again
    after at most 15 minutes, however many attempts the stranger made meanwhile."""
    accounts.create_user(engine, "root", PW, "admin", "350100000000", clock=clock)
    for _ in range(40):  # one guess every 3 s for 2 minutes
        accounts.authenticate(engine, "root", "guess-guess", address="203.0.113.9", clock=clock)
        clock.advance(seconds=3)
    # 5 guesses heard at once, then one after 30 s and one after 60 s; the rest were not heard
    assert throttle_store.read(engine, throttle.user_key("root")).failures \
        == throttle.USER_POLICY.free_failures + 2
    clock.advance(minutes=15)
    assert accounts.authenticate(engine, "root", PW, address="198.51.100.7", clock=clock).ok


def test_unknown_name_wrong_password_and_waiting_look_the_same(engine, clock, checks):
    """The page shows one message for all three, and each costs exactly one argon2 check."""
    from lib.ui.auth_ui import login_message

    accounts.create_user(engine, "alice", PW, "viewer", "350111000000", clock=clock)
    for _ in range(throttle.USER_POLICY.free_failures):
        accounts.authenticate(engine, "alice", "wrong-pass", clock=clock)
    results = []
    for name, pw in [("mallory", PW), ("alice", "wrong-pass"), ("alice", PW)]:
        before = checks["all"]
        results.append(accounts.authenticate(engine, name, pw, clock=clock))
        assert checks["all"] == before + 1
    assert [r.outcome for r in results] == [LoginOutcome.BAD_CREDENTIALS, LoginOutcome.THROTTLED,
                                            LoginOutcome.THROTTLED]
    assert {login_message(r) for r in results} == {"login_bad"}
    # names that are no account leave no record: a typed "name" may be someone's password
    with engine.connect() as conn:
        keys = [r[0] for r in conn.execute(select(s.login_throttle.c.key))]
    assert keys == [throttle.user_key("alice")]


MALFORMED = [("ali\x00ce", PW), ("\x00", PW), ("alice\nbob", PW), ("al\tice", PW), ("a" * 65, PW),
             ("x" * 100_000, PW), ("alice", "p\x00ssword"), ("alice", "p" * 5000), (None, None)]


def test_malformed_input_refused_before_sql(engine, clock):
    """A NUL byte reached PostgreSQL and came back as a driver traceback; now every malformed
    name or password is refused with the ordinary outcome, on both backends, and never stored."""
    accounts.create_user(engine, "alice", PW, "viewer", "350111000000", clock=clock)
    for i, (username, password) in enumerate(MALFORMED):
        result = accounts.authenticate(engine, username, password, address=f"203.0.113.{i}",
                                       clock=clock)
        assert result.outcome is LoginOutcome.BAD_CREDENTIALS, (username, password)
    with engine.connect() as conn:
        keys = sorted(r[0] for r in conn.execute(select(s.login_throttle.c.key)))
    # counted for the address only
    assert keys == sorted(throttle.addr_key(f"203.0.113.{i}") for i in range(len(MALFORMED)))
    assert accounts.authenticate(engine, "alice", PW, clock=clock).ok


def test_passwords_that_could_never_sign_in_are_refused(engine):
    for bad in ("p" * (passwords.MAX_LENGTH + 1), "has a \x00 nul"):
        with pytest.raises(passwords.PasswordPolicyError, match="pw_unusable"):
            accounts.create_user(engine, "alice", bad, "viewer", "350111000000")


# --- pure policy -------------------------------------------------------------------------------

def test_delay_policy():
    p = throttle.Policy(3, dt.timedelta(seconds=10), dt.timedelta(seconds=100),
                        dt.timedelta(hours=1))
    assert [throttle.delay_after(k, p).total_seconds() for k in range(8)] \
        == [0, 0, 0, 10, 20, 40, 80, 100]
    assert throttle.delay_after(10_000, p) == p.max_delay
    st = throttle.State()
    for _ in range(3):
        st = throttle.after_failure(st, T0, p)
    assert (st.failures, st.next_allowed_at) == (3, T0 + dt.timedelta(seconds=10))
    assert not throttle.is_allowed(st, T0 + dt.timedelta(seconds=9))
    assert throttle.is_allowed(st, T0 + dt.timedelta(seconds=10))
    # a failure after an hour's quiet counts from one again
    later = throttle.after_failure(st, T0 + dt.timedelta(hours=1), p)
    assert (later.failures, later.next_allowed_at) == (1, None)
    assert throttle.is_stale(st, T0 + dt.timedelta(hours=1), p)
    assert not throttle.is_stale(st, T0 + dt.timedelta(seconds=20), p)


def test_keys_are_sorted_and_bounded():
    assert throttle.keys_for("zed", "10.0.0.1") == ["addr:10.0.0.1", "user:zed"]
    assert throttle.keys_for(None, None) == []
    assert len(throttle.addr_key("f" * 500)) == throttle.MAX_KEY_LENGTH


# --- first-admin setup code --------------------------------------------------------------------

@pytest.fixture
def fresh_code(monkeypatch, caplog):
    """This process's generated code, as the server log shows it."""
    monkeypatch.delenv(setup_code.ENV, raising=False)
    setup_code.forget()
    with caplog.at_level(logging.WARNING, logger="halfsky.setup"):
        setup_code.issue()
        setup_code.issue()  # once per process: the second call logs nothing new
    lines = [r.getMessage() for r in caplog.records if r.name == "halfsky.setup"]
    assert len(lines) == 1
    code = re.fullmatch(r"halfsky first-admin setup code: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})",
                        lines[0]).group(1)
    yield code
    setup_code.forget()


def test_setup_needs_the_logged_code(engine, fresh_code):
    for wrong in (None, "", "AAAA-AAAA-AAAA", fresh_code + "X", "x" * 10_000):
        with pytest.raises(AccountError, match="setup_code_wrong"):
            setup_code.create_first_admin(engine, wrong, "root", PW, "350100000000")
        assert not accounts.has_users(engine)
    # as people copy it: lower case, spaces instead of dashes
    setup_code.create_first_admin(engine, fresh_code.lower().replace("-", " "), "root", PW,
                                  "350100000000")
    assert accounts.get_user(engine, "root").role == "admin"
    assert not setup_code.check(fresh_code)  # spent once the first admin exists
    with pytest.raises(AccountError, match="setup_done"):
        setup_code.create_first_admin(engine, fresh_code, "root2", PW, "350100000000")


def test_setup_code_from_environment(engine, monkeypatch, caplog):
    setup_code.forget()
    monkeypatch.setenv(setup_code.ENV, "install-code-7")
    with caplog.at_level(logging.WARNING, logger="halfsky.setup"):
        setup_code.issue()
    assert not [r for r in caplog.records if r.name == "halfsky.setup"]  # never logged
    assert setup_code.check("INSTALL-CODE-7") and not setup_code.check("install-code-8")
    accounts.create_user(engine, "vera", PW, "viewer", "350111000000")
    with pytest.raises(AccountError, match="setup_done"):  # the right code, but too late
        setup_code.create_first_admin(engine, "install-code-7", "root", PW, "350100000000")
    assert accounts.get_user(engine, "root") is None


# --- no traceback in the browser ---------------------------------------------------------------

def _failing_page_script():
    from lib.ui import page_errors

    def page():
        raise RuntimeError("relation app_user: SELECT password_hash FROM /srv/halfsky/lib/x.py")

    page_errors.run_page(page, "zh")


def test_page_error_is_logged_not_shown(monkeypatch, caplog):
    from streamlit.testing.v1 import AppTest

    from lib.i18n import t

    monkeypatch.delenv("HALFSKY_PAGE_ERRORS", raising=False)
    with caplog.at_level(logging.ERROR, logger="halfsky.ui"):
        at = AppTest.from_function(_failing_page_script, default_timeout=60).run()
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    ref = re.search(r"错误编号 ([0-9a-f]{8})", shown).group(1)
    assert shown == t("page_error", "zh").format(ref=ref)
    assert "SELECT" not in shown and "/srv" not in shown
    logged = [r for r in caplog.records if r.name == "halfsky.ui"]
    assert ref in logged[0].getMessage() and "password_hash" in str(logged[0].exc_info[1])


def test_page_errors_raise_under_page_tests(monkeypatch):
    """tests/apptest_util.app_env keeps a broken page visible to ``at.exception``."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("HALFSKY_PAGE_ERRORS", "raise")
    at = AppTest.from_function(_failing_page_script, default_timeout=60).run()
    assert at.exception and not at.error
