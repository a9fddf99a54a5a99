"""python -m lib.ingest: exit codes and JSON listing, on a DuckDB file (the CLI opens its own engine)."""
from __future__ import annotations

import json
from pathlib import Path

from lib.ingest.__main__ import main
from lib.warehouse.engine import dispose_engine

FIX = Path(__file__).resolve().parent / "fixtures_ingest"


def test_cli_load_reload_refuse_rollback(tmp_path, capsys):
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    gbk = str(FIX / "training_gbk_title_total.csv")
    try:
        assert main(["load", gbk, "--dataset", "training", "--db", url, "--scope", "350111"]) == 0
        assert "3 added" in capsys.readouterr().out
        assert main(["load", "training", gbk, "--db", url]) == 0
        assert "nothing was written" in capsys.readouterr().out
        assert main(["load", str(FIX / "personal_data.csv"), "--db", url]) == 2
        assert "联系电话" in capsys.readouterr().err
        assert main(["load", gbk, "--db", url, "--scope", "350102"]) == 2
        assert "outside your scope" in capsys.readouterr().err
        assert main(["batches", "--db", url, "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [(b["batch_id"], b["status"], b["rows_loaded"]) for b in listed] == [(1, "loaded", 3)]
        assert main(["rollback", "1", "--db", url]) == 0
        assert main(["rollback", "1", "--db", url]) == 2
        assert main(["template", "screening", str(tmp_path / "s.xlsx")]) == 0
        assert main(["load", str(tmp_path / "s.xlsx"), "--db", url, "--dry-run"]) == 0
        assert "Dry run: 1 to add" in capsys.readouterr().out
    finally:
        dispose_engine(url)


def test_cli_user_loads_with_that_accounts_role_and_scope(tmp_path, capsys):
    from sqlalchemy import func, select

    from lib.auth import accounts
    from lib.warehouse import bootstrap, schema as s
    from tests.test_auth import PW

    url = f"duckdb:///{tmp_path / 'u.duckdb'}"
    engine = bootstrap.open_warehouse(url)
    accounts.create_user(engine, "jinan", PW, "analyst", "350111000000")
    accounts.create_user(engine, "gulou", PW, "analyst", "350102000000")
    accounts.create_user(engine, "vera", PW, "viewer", "350100000000")
    gbk = str(FIX / "training_gbk_title_total.csv")  # 晋安区 townships

    def rows() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(s.training_session)).scalar_one()

    assert main(["load", gbk, "--dataset", "training", "--db", url, "--user", "vera"]) == 2
    assert "not an active analyst" in capsys.readouterr().err
    assert main(["load", gbk, "--dataset", "training", "--db", url, "--user", "nobody"]) == 2
    assert main(["load", gbk, "--dataset", "training", "--db", url, "--user", "gulou"]) == 2
    assert main(["load", gbk, "--dataset", "training", "--db", url, "--user", "jinan",
                 "--scope", "350102"]) == 2  # --scope cannot move outside the account's scope
    assert rows() == 0
    # asking for the whole city narrows to the account's own district, where these rows are
    assert main(["load", gbk, "--dataset", "training", "--db", url, "--user", "jinan",
                 "--scope", "3501"]) == 0
    assert rows() > 0


def test_cli_refuses_a_scope_that_is_no_whole_level(tmp_path, capsys):
    """--scope 35011 names no region level: refused with a message, for a rollback as for a load."""
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    gbk = str(FIX / "training_gbk_title_total.csv")
    try:
        assert main(["load", gbk, "--dataset", "training", "--db", url, "--scope", "35011"]) == 2
        assert "refused" in capsys.readouterr().err
        assert main(["rollback", "1", "--db", url, "--scope", "35011"]) == 2
        assert "refused" in capsys.readouterr().err
    finally:
        dispose_engine(url)
