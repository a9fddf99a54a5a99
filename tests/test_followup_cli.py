"""``python -m lib.followup`` on DuckDB and PostgreSQL: add, list (JSON lines), note, close; as the
console or as an account inside its scope; refusals exit 2 with one line on stderr."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import clock
from lib.auth import accounts
from lib.followup import service
from lib.followup.__main__ import main
from lib.warehouse import audit
from lib.warehouse.engine import dispose_engine
from tests.test_auth import PW
from tests.test_followup_model import JSON_KEYS

ROOT = Path(__file__).resolve().parents[1]
JINAN, GULOU, GUDONG = "350111000000", "350102000000", "350102001000"


@pytest.fixture
def db(engine):
    """The warehouse's URL (the command opens its own engine), with accounts in two districts."""
    for name, role, code in (("jinan", "admin", JINAN), ("vera", "viewer", JINAN),
                             ("gulou", "admin", GULOU)):
        accounts.create_user(engine, name, PW, role, code)
    return engine.url.render_as_string(hide_password=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_add_list_note_close_as_accounts(db, capsys, engine):
    code, out, err = run(capsys, "add", "--region", JINAN, "--subject", "两癌筛查覆盖率 有风险",
                         "--indicator", "H03", "--owner", "vera", "--due", "2026-12-20",
                         "--user", "jinan", "--db", db, "--json")
    assert (code, err) == (0, "")
    added = lines(out)[0]
    assert set(added) == JSON_KEYS and added["created_by"] == "jinan"
    code, out, _ = run(capsys, "list", "--user", "vera", "--json", "--db", db)
    listed = lines(out)
    assert code == 0 and listed == [added]
    assert (listed[0]["region_name"], listed[0]["indicator"], listed[0]["owner"], listed[0]["due"],
            listed[0]["status"]) == ("晋安区", "H03", "vera", "2026-12-20", "todo")
    assert run(capsys, "note", str(added["id"]), "已布置各街道", "--status", "doing",
               "--user", "vera", "--db", db)[0] == 0
    code, out, _ = run(capsys, "close", str(added["id"]), "--note", "已完成", "--user", "vera",
                       "--db", db)
    assert code == 0 and f"closed follow-up {added['id']}" in out
    closed = lines(run(capsys, "list", "--status", "done", "--json", "--db", db)[1])
    assert [(c["id"], c["status"]) for c in closed] == [(added["id"], "done")]
    assert closed[0]["closed_at"] is not None
    assert run(capsys, "list", "--status", "todo", "--json", "--db", db)[1] == ""
    log = audit.events(engine)
    assert sorted(log[log["action"].str.startswith("followup")]["username"]) == [
        "jinan", "vera", "vera"]


def test_the_console_adds_anywhere_and_lists_as_text(db, capsys):
    code, out, _ = run(capsys, "add", "--region", GUDONG, "--subject", "报送缺失",
                       "--owner-region", GUDONG, "--due", "2026-12-31", "--db", db)
    assert code == 0 and out.startswith("added follow-up ")
    code, out, _ = run(capsys, "list", "--region", GULOU, "--db", db)
    assert code == 0 and "鼓东街道" in out and "待办" in out
    assert run(capsys, "list", "--user", "jinan", "--db", db)[1] == ""


def test_outside_the_scope_is_refused_like_a_missing_item(db, capsys, engine):
    theirs = service.create(engine, service.CONSOLE, region_code=GUDONG, subject="鼓楼的事项",
                            due=clock.today(), owner="gulou")
    missing = theirs.id + 50
    answers = set()
    for item_id in (theirs.id, missing):
        for argv in (["note", str(item_id), "越权"], ["close", str(item_id)],
                     ["note", str(item_id), "", "--status", "done"]):
            code, out, err = run(capsys, *argv, "--user", "jinan", "--db", db)
            assert (code, out) == (2, "") and err.count("\n") == 1 and err.startswith("refused:")
            answers.add(err)
    assert len(answers) == 1  # the other district's item and a missing one read the same
    code, _out, err = run(capsys, "list", "--region", GULOU, "--user", "jinan", "--db", db)
    assert code == 2 and "outside your scope" in err and err.count("\n") == 1
    code, _out, err = run(capsys, "add", "--region", GUDONG, "--subject", "x", "--owner", "gulou",
                          "--due", "2026-12-31", "--user", "jinan", "--db", db)
    assert code == 2 and "outside your scope" in err
    assert service.get(engine, service.CONSOLE, theirs.id).status == "todo"
    assert service.notes(engine, service.CONSOLE, theirs.id) == []


def test_refusals_exit_2_with_one_line(db, capsys, tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_bytes(b"%PDF-1.4 not a picture")
    added = lines(run(capsys, "add", "--region", JINAN, "--subject", "x", "--owner", "vera",
                      "--due", "2026-12-31", "--db", db, "--json")[1])[0]
    cases = [
        (["add", "--region", JINAN, "--subject", "x", "--owner", "vera", "--due", "2026-12-31",
          "--user", "vera"], "Only admins and analysts"),
        (["add", "--region", JINAN, "--subject", "x", "--owner", "gulou", "--due", "2026-12-31"],
         "active account whose scope covers"),
        (["add", "--region", JINAN, "--subject", "x", "--owner", "vera", "--due", "2020-01-01"],
         "due date"),
        (["add", "--region", "3501", "--subject", "x", "--owner", "vera", "--due", "2026-12-31"],
         "12-digit"),
        (["list", "--user", "nobody"], "no active account"),
        (["note", str(added["id"]), "x", "--attach", str(fake)], "not what its file type says"),
        (["note", str(added["id"]), "x", "--attach", str(tmp_path / "absent.pdf")],
         "cannot read"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, *argv, "--db", db)
        assert (code, out) == (2, ""), argv
        assert err.count("\n") == 1 and message in err and " / " in err, (argv, err)
    assert len(lines(run(capsys, "list", "--json", "--db", db)[1])) == 1


def test_an_attachment_from_the_console(db, capsys, engine, tmp_path):
    png = tmp_path / "现场.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x02" * 40)
    added = lines(run(capsys, "add", "--region", JINAN, "--subject", "x", "--owner", "vera",
                      "--due", "2026-12-31", "--db", db, "--json")[1])[0]
    assert run(capsys, "note", str(added["id"]), "照片", "--attach", str(png), "--user", "vera",
               "--db", db)[0] == 0
    files = service.notes(engine, service.CONSOLE, added["id"])[0].files
    assert [(f.filename, f.mime) for f in files] == [("现场.png", "image/png")]


def test_python_m_exit_code_and_stderr(tmp_path):
    """The module runs as a program: exit 2 and one line on stderr for a refusal."""
    from lib.warehouse import bootstrap

    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    bootstrap.open_warehouse(url)
    dispose_engine(url)  # the child process opens the file
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "lib.followup"]
    ok = subprocess.run([*base, "add", "--region", JINAN, "--subject", "x",
                         "--owner-region", JINAN, "--due", "2026-12-31", "--db", url],
                        capture_output=True, text=True, cwd=ROOT, env=env)
    assert ok.returncode == 0 and ok.stdout.startswith("added follow-up 1:")
    refused = subprocess.run([*base, "close", "7", "--db", url], capture_output=True, text=True,
                             cwd=ROOT, env=env)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("refused:")
