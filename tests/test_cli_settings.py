"""Every ``python -m lib.…`` command reads the warehouse settings the app reads.

The URL from HALFSKY_DB_URL (or secrets), the PostgreSQL schema from HALFSKY_DB_SCHEMA: each test
configures only the environment, runs one command, and reads the result through the test's own engine,
which is bound to that schema (conftest gives every PostgreSQL test a fresh one). A command that
ignored the schema wrote to the server's default schema, where this engine does not look.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pandas as pd
from sqlalchemy import func, select

from lib.warehouse import schema as s
from lib.warehouse.engine import dispose_engine, resolve_schema
from lib.warehouse.scope import Scope
from tests.conftest import ROOT

TRAIN = "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次\n茶园,2024-03-05,家庭教育,执委,线下,17\n"


def cli_target(engine, monkeypatch) -> tuple[str, str]:
    """Point HALFSKY_DB_URL and HALFSKY_DB_SCHEMA at the test's warehouse; (url, schema)."""
    url = engine.url.render_as_string(hide_password=False)
    schema = ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.exec_driver_sql("select current_schema()").scalar_one()
    monkeypatch.setenv("HALFSKY_DB_URL", url)
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", schema)
    return url, schema


def count(engine, table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_schema_is_resolved_once_for_app_and_commands(monkeypatch):
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", "fed_prod")
    assert resolve_schema() == "fed_prod" and resolve_schema("other") == "other"
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", "")
    assert resolve_schema() is None


def test_ingest_load_lands_in_the_configured_schema(engine, monkeypatch, tmp_path, capsys):
    from lib.ingest.__main__ import main

    cli_target(engine, monkeypatch)
    path = tmp_path / "t.csv"
    path.write_text(TRAIN, encoding="utf-8")
    assert main(["load", str(path), "--dataset", "training", "--scope", "350111"]) == 0
    assert "1 added" in capsys.readouterr().out
    with engine.connect() as conn:
        assert list(conn.execute(select(s.training_session.c.participants)).scalars()) == [17]
    assert main(["batches", "--json"]) == 0
    assert [b["rows_loaded"] for b in json.loads(capsys.readouterr().out)] == [1]


def test_ingest_as_a_scheduled_process_with_only_the_environment(engine, tmp_path):
    """The real ``python -m lib.ingest`` in a child process, configured by its environment alone."""
    url = engine.url.render_as_string(hide_password=False)
    schema = ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.exec_driver_sql("select current_schema()").scalar_one()
    else:
        dispose_engine(url)  # a DuckDB file serves one process: let the child open it
    path = tmp_path / "t.csv"
    path.write_text(TRAIN, encoding="utf-8")
    env = {**os.environ, "HALFSKY_DB_URL": url, "HALFSKY_DB_SCHEMA": schema}
    proc = subprocess.run([sys.executable, "-m", "lib.ingest", "load", str(path), "--dataset",
                           "training"], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    from lib.warehouse import bootstrap
    eng = bootstrap.open_warehouse(url, pg_schema=schema or None)
    assert count(eng, s.training_session) == 1 and count(eng, s.upload_batch) == 1


def test_demo_builds_in_the_configured_schema(engine, monkeypatch, capsys):
    from lib.demo.__main__ import main as demo_main

    cli_target(engine, monkeypatch)
    assert count(engine, s.screening) == 0
    assert demo_main(["--seed", "3"]) == 0
    assert count(engine, s.screening) > 1000
    with engine.connect() as conn:
        assert conn.execute(select(s.upload_batch.c.is_demo)).scalars().all() == [True]
    assert demo_main(["--clear"]) == 0
    assert count(engine, s.screening) == 0


def test_targets_read_the_configured_schema(engine, monkeypatch, capsys):
    from lib.targets.__main__ import main
    from lib.warehouse.loading import load_batch
    from lib.warehouse.indicator_queries import city_region_code

    cli_target(engine, monkeypatch)
    city = city_region_code(engine)
    frame = pd.DataFrame({"indicator_code": "H01", "region_code": city,
                          "year": [2021, 2022, 2023, 2024], "value": [13.0, 12.0, 11.0, 10.25]})
    load_batch(engine, {"indicator_value": frame}, user="t", scope=Scope.everything())
    assert main(["--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    h01 = next(r for r in rows if r["code"] == "H01")
    assert (h01["region_code"], h01["latest_year"], h01["latest_value"]) == (city, 2024, 10.25)


def test_geo_import_lands_in_the_configured_schema(engine, monkeypatch, tmp_path, capsys):
    import geopandas as gpd
    from shapely.geometry import box

    from lib.geo.__main__ import main
    from lib.warehouse.boundaries import read_boundaries
    from lib.warehouse.reference import regions_frame

    cli_target(engine, monkeypatch)
    regions = regions_frame(engine)
    town = regions[(regions["code"] == "350111001000")].iloc[0]
    path = tmp_path / "town.geojson"
    gpd.GeoDataFrame({"XZQDM": [town["code"][:9]], "XZQMC": [town["name"]]},
                     geometry=[box(town.seat_lon - 0.01, town.seat_lat - 0.01, town.seat_lon + 0.01,
                                   town.seat_lat + 0.01)], crs="EPSG:4326").to_file(
        path, driver="GeoJSON")
    assert main(["import", str(path)]) == 0
    got = read_boundaries(engine, "township", Scope.everything())
    assert list(got["region_code"]) == ["350111001000"]


def test_regions_import_lands_in_the_configured_schema(bare_engine, monkeypatch, capsys):
    from lib import regions

    cli_target(bare_engine, monkeypatch)
    assert count(bare_engine, s.region) == 0
    assert regions.main(["import", str(regions.DEFAULT_TOWNSHIPS),
                         str(regions.DEFAULT_VILLAGES)]) == 0
    assert count(bare_engine, s.region) > 1000


def test_users_add_lands_in_the_configured_schema(engine, monkeypatch, capsys):
    from lib import users as cli
    from lib.auth import accounts
    from tests.test_auth import PW

    cli_target(engine, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PW + "\n"))
    assert cli.main(["add", "ana", "--role", "analyst", "--scope", "350111000000"]) == 0
    assert accounts.get_user(engine, "ana").scope_prefix == "350111"
