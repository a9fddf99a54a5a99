"""Password policy: at least 10 characters, not blank, not one of the most common passwords
(whatever its case), applied wherever a password is set: create, admin reset, own change, first
admin setup and the console."""
import io
import sys

import pytest

from lib import users as cli
from lib.auth import passwords, setup_code, accounts
from lib.i18n import t
from tests.test_auth import PW

WEAK = [("12345678", "pw_too_short"), ("password", "pw_too_short"), ("aaaaaaaa", "pw_too_short"),
        (" " * 8, "pw_too_short"), ("nine char", "pw_too_short"), (" " * 12, "pw_blank"),
        ("\t \u3000 \n  \t  ", "pw_blank"), ("1234567890", "pw_common"), ("QwertyUiop", "pw_common"),
        ("Password123", "pw_common"), ("woaini1314520", "pw_common"), ("aaaaaaaaaaaa", "pw_common")]


@pytest.mark.parametrize("password,code", WEAK)
def test_policy_refuses_weak_passwords(password, code):
    with pytest.raises(passwords.PasswordPolicyError) as err:
        passwords.check_policy(password, "someone")
    assert err.value.code == code


def test_policy_accepts_a_long_uncommon_password():
    passwords.check_policy(PW, "someone")
    passwords.check_policy("ten chars!", "someone")


def test_the_common_list_is_shipped_and_large():
    common = passwords.common_passwords()
    assert len(common) >= 2000
    assert {"password", "12345678", "qwertyuiop", "1234567890"} <= common
    assert all(p == p.lower() for p in common)


@pytest.mark.parametrize("code", ["pw_too_short", "pw_blank", "pw_common"])
def test_every_refusal_says_why_in_both_languages(code):
    zh, en = t(code, "zh"), t(code, "en")
    assert zh != code and en != code and zh != en
    if code == "pw_too_short":
        assert "10" in zh and "10" in en


@pytest.mark.parametrize("password,code", WEAK[:1] + WEAK[5:6] + WEAK[8:9])
def test_create_refuses_and_writes_nothing(engine, password, code):
    with pytest.raises(passwords.PasswordPolicyError, match=code):
        accounts.create_user(engine, "alice", password, "viewer", "350111000000")
    assert accounts.get_user(engine, "alice") is None


def test_admin_reset_and_own_change_refuse_a_common_password(engine):
    accounts.create_user(engine, "root", PW, "admin", "350100000000")
    accounts.create_user(engine, "alice", PW, "viewer", "350111000000", by="root")
    with pytest.raises(passwords.PasswordPolicyError, match="pw_common"):
        accounts.set_password(engine, "alice", "PASSWORD123", by="root")
    with pytest.raises(passwords.PasswordPolicyError, match="pw_common"):
        accounts.change_password(engine, "alice", PW, "Qwertyuiop")
    with pytest.raises(passwords.PasswordPolicyError, match="pw_blank"):
        accounts.change_password(engine, "alice", PW, " " * 10)
    assert accounts.authenticate(engine, "alice", PW).ok  # unchanged


def test_first_admin_setup_refuses_a_common_password(engine, monkeypatch):
    monkeypatch.setenv(setup_code.ENV, "install-code-7")
    with pytest.raises(passwords.PasswordPolicyError, match="pw_common"):
        setup_code.create_first_admin(engine, "install-code-7", "root", "1234567890", "350100000000")
    assert not accounts.has_users(engine)


def test_console_refuses_a_common_password(engine, monkeypatch, capsys):
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            monkeypatch.setenv("HALFSKY_DB_SCHEMA", conn.exec_driver_sql("select current_schema()")
                               .scalar_one())
    monkeypatch.setattr(sys, "stdin", io.StringIO("iloveyou1234\n"))
    code = cli.main(["add", "bob", "--role", "viewer", "--scope", "350111000000", "--db", url])
    assert code == 2 and t("pw_common", "en") in capsys.readouterr().err
    assert accounts.get_user(engine, "bob") is None
