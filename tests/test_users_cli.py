"""``python -m lib.users``: add/list/disable/reset-password, passwords from stdin only."""
import io
import os
import subprocess
import sys

import pytest

from lib import users as cli
from lib.auth import accounts
from tests.conftest import ROOT
from tests.test_auth import PW


def _url(engine):
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return url, ""
    with engine.connect() as conn:
        return url, conn.exec_driver_sql("select current_schema()").scalar_one()


@pytest.fixture
def run(engine, monkeypatch, capsys):
    url, schema = _url(engine)
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", schema)

    def _run(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main([*argv, "--db", url])
        out = capsys.readouterr()
        return code, out.out, out.err
    return _run


def test_add_list_disable_reset(engine, run):
    assert run("add", "root", "--role", "admin", "--scope", "350100000000", stdin=PW + "\n")[0] == 0
    assert run("add", "ana", "--role", "analyst", "--scope", "350111000000", stdin=PW + "\n")[0] == 0
    code, out, _ = run("list")
    assert code == 0 and "ana" in out and "analyst" in out and "350111000000" in out
    assert "argon2" not in out and PW not in out
    assert accounts.authenticate(engine, "ana", PW).ok
    assert run("reset-password", "ana", stdin="brand new pw 7\n")[0] == 0
    assert not accounts.authenticate(engine, "ana", PW).ok
    assert accounts.authenticate(engine, "ana", "brand new pw 7").ok
    assert run("disable", "ana")[0] == 0
    assert accounts.get_user(engine, "ana").active is False


@pytest.mark.parametrize("argv,stdin,message", [
    (["add", "bob", "--role", "viewer", "--scope", "350111000000"], "short\n", "10"),
    (["add", "bob", "--role", "viewer", "--scope", "3501"], PW + "\n", "12"),
    (["add", "bob", "--role", "viewer", "--scope", "350111000000"], "\n", "10"),  # empty stdin
    (["disable", "nobody"], "", "No such user"),
    (["reset-password", "nobody"], PW + "\n", "No such user"),
])
def test_refusals_exit_nonzero(engine, run, argv, stdin, message):
    code, _, err = run(*argv, stdin=stdin)
    assert code == 2 and message in err  # a refusal, as in every command (lib.cli)
    assert accounts.get_user(engine, "bob") is None


def test_role_must_be_known(run):
    with pytest.raises(SystemExit):
        run("add", "bob", "--role", "root", "--scope", "350111000000", stdin=PW + "\n")


def test_module_reads_password_from_stdin_not_argv(engine):
    url, schema = _url(engine)
    env = {**os.environ, "HALFSKY_DB_SCHEMA": schema}
    if engine.dialect.name == "duckdb":
        from lib.warehouse.engine import dispose_engine
        dispose_engine(url)  # a DuckDB file serves one process: let the child open it
    proc = subprocess.run([sys.executable, "-m", "lib.users", "add", "eve", "--role", "viewer",
                           "--scope", "350111000000", "--db", url], input=PW + "\n", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert PW not in proc.stdout + proc.stderr
    from lib.warehouse.bootstrap import open_warehouse
    eng = open_warehouse(url, pg_schema=schema or None)
    assert accounts.authenticate(eng, "eve", PW).ok
