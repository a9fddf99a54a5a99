"""Audit rows are attributed to their actor by kind, not by matching name text: the console, the
ingest CLI and the demo build are fixed actors no account can be named after, and a scoped admin
reads only the rows of accounts (and display links) inside their scope, on both backends."""
import datetime as dt
import io
import sys

import pytest
from sqlalchemy import select, text

from lib import users as cli
from lib.warehouse.scope import Scope
from lib.auth import setup_code, accounts
from lib.auth.accounts import AccountError
from lib.warehouse import audit, migrations
from lib.warehouse import schema as s
from lib.warehouse import accounts_store
from tests.test_auth import PW
from tests.test_migrations import _new_schema_engine
from tests.conftest import BACKENDS

JINAN, GULOU = "350111000000", "350102000000"


@pytest.fixture
def people(engine):
    accounts.create_user(engine, "city", PW, "admin", "350100000000")
    accounts.create_user(engine, "jinan", PW, "admin", JINAN, by="city")
    accounts.create_user(engine, "gulou_ana", PW, "analyst", GULOU, by="city")
    return engine


@pytest.mark.parametrize("name", ["console", "cli", "system", "Console", "SYSTEM", "anonymous"])
def test_reserved_actor_names_cannot_become_accounts(people, name):
    with pytest.raises(AccountError) as err:
        accounts.create_user(people, name, PW, "viewer", JINAN, by="jinan", within=Scope("350111"))
    assert err.value.code == "reserved_username"
    assert accounts.get_user(people, name) is None


def test_reserved_names_are_refused_at_setup_and_the_console(engine, monkeypatch, capsys):
    monkeypatch.setenv(setup_code.ENV, "install-code-7")
    with pytest.raises(AccountError, match="reserved_username"):
        setup_code.create_first_admin(engine, "install-code-7", "system", PW, "350100000000")
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            monkeypatch.setenv("HALFSKY_DB_SCHEMA", conn.exec_driver_sql(
                "select current_schema()").scalar_one())
    monkeypatch.setattr(sys, "stdin", io.StringIO(PW + "\n"))
    assert cli.main(["add", "cli", "--role", "admin", "--scope", "350100000000", "--db", url]) == 2
    assert not accounts.has_users(engine)


def _actors(engine):
    with engine.connect() as conn:
        return {(r.action, r.username): r.actor_kind for r in conn.execute(
            select(s.audit_event.c.action, s.audit_event.c.username, s.audit_event.c.actor_kind))}


def test_every_row_carries_its_actor_kind(people):
    accounts.set_password(people, "gulou_ana", "reset by console 1", by="console")
    audit.record_now(people, "demo_build", "batch 1", "system")
    accounts.authenticate(people, "nobody", "whatever it is")
    kinds = _actors(people)
    assert kinds[("user_add", "city")] == "account"
    assert kinds[("password_set", "console")] == "console"
    assert kinds[("demo_build", "system")] == "system"
    assert kinds[("login_failed", None)] is None


def test_a_district_admin_does_not_read_console_rows_through_a_look_alike_account(people):
    """The attack: before reserved names were refused, a district admin could make an account
    called "console" in their district; the console's rows about other districts then matched it."""
    with people.begin() as conn:  # such an account in a warehouse from before the fix
        accounts_store.insert_user(conn, username="console", password_hash="x", role="viewer",
                                   scope_code=JINAN, active=True, failed_logins=0, locked_until=None,
                                   created_at=dt.datetime(2026, 1, 1))
    accounts.set_password(people, "gulou_ana", "reset by console 2", by="console")
    audit.record_now(people, "demo_build", "batch 1", "system")
    seen = accounts_store.audit_frame(people, scope=Scope("350111"))
    assert not ((seen["username"] == "console") | (seen["username"] == "system")).any()
    assert "gulou_ana" not in " ".join(seen["detail"].fillna(""))
    assert set(seen["username"]) <= {"jinan"}
    city = accounts_store.audit_frame(people, scope=Scope("3501"))  # the city sees the console's rows
    assert ((city["username"] == "console") & (city["action"] == "password_set")).any()
    assert "password_set" not in accounts_store.audit_actions(people, Scope("350111"))


def test_filtering_by_user_reads_only_that_accounts_rows(people):
    audit.record_now(people, "demo_build", "batch 1", "system")
    with people.begin() as conn:
        accounts_store.insert_user(conn, username="system", password_hash="x", role="viewer",
                                   scope_code=JINAN, active=True, failed_logins=0, locked_until=None,
                                   created_at=dt.datetime(2026, 1, 1))
    rows = accounts_store.audit_frame(people, username="system", scope=Scope("350111"))
    assert rows.empty


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_backfills_the_actor_kind(tmp_path, backend):
    eng, drop = _new_schema_engine(tmp_path, backend, "actor")
    try:
        with eng.begin() as conn:
            migrations.upgrade(conn, "0006")
            for i, name in enumerate(["console", "cli", "system", None, "display:abcdef12", "root"]):
                conn.execute(text("INSERT INTO audit_event (id, \"at\", username, action, detail) "
                                  "VALUES (:i, '2026-01-01 00:00:00', :u, 'x', '')"),
                             {"i": i + 1, "u": name})
            ran = migrations.upgrade(conn)
            assert ran and ran[0] == "0007"
            got = dict(conn.execute(select(s.audit_event.c.username, s.audit_event.c.actor_kind))
                       .all())
        assert got == {"console": "console", "cli": "cli", "system": "system", None: None,
                       "display:abcdef12": "display", "root": "account"}
    finally:
        drop()
