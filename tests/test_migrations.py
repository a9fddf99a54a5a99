"""Warehouse migrations with Alembic: older releases' warehouses upgrade with their rows.

The warehouses of earlier releases are built from their own CREATE statements
(tests/fixtures_migrate/, captured by capture.py from each release's schema.py; schema 1 is the
migrations' baseline, lib/warehouse/migrations/sql/0001_*): schema 1 (f630ac0),
schema 2 with 4-byte floats (047b885) and schema 2 with doubles (877fe60, the last release before
Alembic). Each is upgraded by an ordinary start on DuckDB and PostgreSQL (a schema of its own).
"""
from __future__ import annotations

import datetime as dt
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from lib.warehouse import migrations
from lib.warehouse import schema as s
from lib.warehouse.engine import ensure_schema, revision_of, schema_version_of
from lib.warehouse.migrations import steps
from tests.conftest import BACKENDS, PG_URL

FIXTURES = Path(__file__).resolve().parent / "fixtures_migrate"
MIGRATION_SQL = Path(migrations.__file__).resolve().parent / "sql"
# release → (schema_version it wrote, id tables keyed by district, Double columns)
RELEASES = {"v1": (1, False, False), "v2_float": (2, True, False), "v2": (2, True, True)}
AT = dt.datetime(2025, 6, 1, 8, 30)
AMOUNT = 1.5  # exact in 4 bytes too, so an old REAL keeps it
GULOU, JINAN = "350102", "350111"


def _new_schema_engine(tmp_path: Path, backend: str, name: str):
    """(engine, drop) on an empty database: a DuckDB file or a PostgreSQL schema of its own."""
    if backend == "duckdb":
        eng = create_engine(f"duckdb:///{tmp_path / f'{name}.duckdb'}", poolclass=NullPool)
        return eng, eng.dispose
    schema = f"mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})

    def drop() -> None:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return eng, drop


@pytest.fixture(params=BACKENDS)
def raw_engine(request, tmp_path):
    """An engine on an empty database whose schema is not yet ensured."""
    eng, drop = _new_schema_engine(tmp_path, request.param, "raw")
    yield eng
    drop()


def build_release(eng, release: str) -> None:
    """The warehouse ``release`` left behind, with a few rows of every kind."""
    version, scoped, _double = RELEASES[release]
    with eng.begin() as conn:
        path = FIXTURES / f"{release}.{conn.dialect.name}.sql"
        if release == "v1":  # schema 1 is the migrations' own baseline: the same statements
            path = MIGRATION_SQL / f"0001_schema1.{conn.dialect.name}.sql"
        body = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                         if not line.startswith("--"))
        for statement in filter(str.strip, body.split(";\n")):
            conn.exec_driver_sql(statement)
        ins = lambda sql, **kw: conn.execute(text(sql), kw)  # noqa: E731
        ins("INSERT INTO schema_version VALUES (:v, :at)", v=version, at=AT)
        ins("INSERT INTO data_state VALUES (1, 7, :at)", at=AT)
        ins("INSERT INTO region (code, name, level, parent_code, urban_rural_inferred, seat_lon) "
            "VALUES ('350102001000', '鼓东街道', 'township', '350102000000', false, 119.296494)")
        for batch, status in ((1, "replaced"), (2, "loaded")):
            ins("INSERT INTO upload_batch (batch_id, dataset, uploaded_at, rows_read, rows_loaded, "
                "rows_rejected, status, is_demo, mode) VALUES (:b, 'training', :at, 1, 1, 0, :st, "
                "false, 'upsert')", b=batch, at=AT, st=status)
        scope_col, scope_val = (", id_scope", ", :scope") if scoped else ("", "")
        for table, sup in (("training_session", ""), ("training_session_history", ", 2, :at")):
            cols = ", superseded_by, superseded_at" if sup else ""
            for sid, code, people, batch in (("001", "350102001000", 5, 2),
                                             ("002", "350111001000", 6, 2)):
                if sup and sid == "002":
                    continue
                ins(f"INSERT INTO {table} (session_id, region_code, held_on, topic, audience, mode, "
                    f"participants, hours, batch_id{cols}{scope_col}) VALUES (:sid, :code, :on, "
                    f"'policy', 'exec_member', 'offline', :people, 2.5, :batch{sup}{scope_val})",
                    sid=sid, code=code, on=dt.date(2024, 3, 1), people=people - bool(sup),
                    batch=batch - bool(sup), at=AT, scope=code[:6])
        ins("INSERT INTO screening (region_code, month, kind, screened, aid_amount_10k_yuan, "
            "batch_id) VALUES ('350102001000', :m, 'cervical', 10, :amount, 2)",
            m=dt.date(2024, 3, 1), amount=AMOUNT)
        ins("INSERT INTO audit_event (id, \"at\", username, action) VALUES (41, :at, 'old', 'login')",
            at=AT)


def shape(conn) -> dict[str, set]:
    """Tables with column types and nullability, keys and unique constraints, indexes, sequences."""
    out: dict[str, set] = {"columns": set(conn.execute(text(
        "SELECT table_name, column_name, lower(data_type), is_nullable, "
        "character_maximum_length FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name <> 'alembic_version'")).all())}
    keys: dict[tuple, list[str]] = {}
    for table, kind, name, column in conn.execute(text(
            "SELECT tc.table_name, tc.constraint_type, tc.constraint_name, kcu.column_name "
            "FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage "
            "kcu ON tc.constraint_name = kcu.constraint_name AND tc.table_name = kcu.table_name "
            "AND tc.table_schema = kcu.table_schema WHERE tc.table_schema = current_schema() "
            "AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
            "AND tc.table_name <> 'alembic_version'")):
        keys.setdefault((table, kind, name), []).append(column)
    out["keys"] = {(t, k, tuple(sorted(c))) for (t, k, _n), c in keys.items()}
    if conn.dialect.name == "duckdb":
        out["indexes"] = set(conn.execute(text(
            "SELECT table_name, index_name FROM duckdb_indexes() "
            "WHERE schema_name = current_schema()")).all())
        out["sequences"] = set(conn.execute(text(
            "SELECT sequence_name FROM duckdb_sequences() "
            "WHERE schema_name = current_schema()")).scalars())
    else:
        out["indexes"] = set(conn.execute(text(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE connamespace = "
            "CAST(current_schema() AS regnamespace))")).all())
        out["sequences"] = set(conn.execute(text(
            "SELECT sequence_name FROM information_schema.sequences "
            "WHERE sequence_schema = current_schema()")).scalars())
    return out


def statements_during(eng, fn) -> list[str]:
    seen: list[str] = []
    listener = lambda _c, _cur, sql, *_a: seen.append(sql)  # noqa: E731
    event.listen(eng, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(eng, "before_cursor_execute", listener)
    return seen


WRITES = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")


def test_revisions_are_one_line_from_base_to_head():
    revs = migrations.history()
    assert [r for r, _d, _doc in revs][:3] == ["0001", "0002", "0003"]
    assert [d for _r, d, _doc in revs] == [None] + [r for r, _d, _doc in revs[:-1]]
    assert migrations.head() == revs[-1][0]
    assert set(migrations.LEGACY.values()) <= {r for r, _d, _doc in revs}
    assert all(doc for _r, _d, doc in revs)


def test_new_warehouse_is_created_at_head_and_a_second_start_writes_nothing(raw_engine):
    assert ensure_schema(raw_engine) == ["create"]
    assert revision_of(raw_engine) == migrations.head()
    assert schema_version_of(raw_engine) == s.SCHEMA_VERSION
    written = [q for q in statements_during(raw_engine, lambda: ensure_schema(raw_engine))
               if q.lstrip().upper().startswith(WRITES)]
    assert written == []
    with raw_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1


@pytest.mark.parametrize("release", list(RELEASES))
def test_a_release_warehouse_upgrades_with_its_rows(raw_engine, release, tmp_path):
    eng = raw_engine
    build_release(eng, release)
    version, scoped, double = RELEASES[release]
    done = ensure_schema(eng)
    assert done[0] == f"stamp {migrations.LEGACY[version]}", done
    assert revision_of(eng) == migrations.head()
    with eng.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            migrations.head()]
        cur = conn.execute(select(s.training_session.c.id_scope, s.training_session.c.session_id,
                                  s.training_session.c.participants, s.training_session.c.hours)
                           .order_by(s.training_session.c.session_id)).all()
        assert [tuple(r) for r in cur] == [(GULOU, "001", 5, 2.5), (JINAN, "002", 6, 2.5)]
        hist = conn.execute(select(s.training_session_history.c.id_scope,
                                   s.training_session_history.c.participants)).all()
        assert [tuple(r) for r in hist] == [(GULOU, 4)]
        assert conn.execute(select(s.screening.c.aid_amount_10k_yuan)).scalar_one() == AMOUNT
        assert conn.execute(select(s.region.c.seat_lon)).scalar_one() == pytest.approx(
            119.296494, abs=1e-5 if not double and conn.dialect.name == "duckdb" else 1e-12)
        assert conn.execute(select(s.data_state.c.version)).scalar_one() == 7
        assert conn.execute(select(func.max(s.schema_version.c.version))).scalar_one() == 2
        assert list(conn.execute(select(s.upload_batch.c.batch_id, s.upload_batch.c.region_prefix)
                                 .order_by(s.upload_batch.c.batch_id))) == [(1, None), (2, None)]
        # schema 1 had no audit sequence: created after the highest id; a later release's is kept
        assert conn.execute(text("SELECT nextval('audit_event_id_seq')")).scalar_one() == (
            42 if release == "v1" else 1)
        types = {(t, c): d.lower() for t, c, d in conn.execute(text(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"))}
        assert types[("screening", "aid_amount_10k_yuan")] in {"double", "double precision"}
        assert types[("indicator_value", "value")] in {"double", "double precision"}
        fresh = shape(conn)
    # the upgraded warehouse has the shape a new one has (except tables no revision makes yet)
    new, drop = _new_schema_engine(tmp_path, eng.dialect.name, "new")
    try:
        ensure_schema(new)
        with new.connect() as conn:
            want = shape(conn)
    finally:
        drop()
    for part in want:
        assert fresh[part] == want[part], (part, fresh[part] ^ want[part])
    # the new key is in force, and the next start does nothing
    with eng.begin() as conn:
        conn.execute(s.training_session.insert().values(
            session_id="002", region_code="350102001000", held_on=dt.date(2024, 3, 3),
            topic="policy", audience="exec_member", mode="offline", participants=1, batch_id=2))
    written = [q for q in statements_during(eng, lambda: ensure_schema(eng))
               if q.lstrip().upper().startswith(WRITES)]
    assert written == []


def test_an_empty_database_walked_revision_by_revision_is_what_create_all_makes(tmp_path):
    """Every revision in order from nothing ends where a new warehouse starts: a change to
    schema.py without its revision (or a revision that differs from schema.py) fails here."""
    for backend in BACKENDS:
        walked, drop_walked = _new_schema_engine(tmp_path, backend, "walked")
        made, drop_made = _new_schema_engine(tmp_path, backend, "made")
        try:
            with walked.begin() as conn:
                assert migrations.upgrade(conn) == [r for r, _d, _doc in migrations.history()]
                got = shape(conn)
            ensure_schema(made)
            with made.connect() as conn:
                want = shape(conn)
        finally:
            drop_walked()
            drop_made()
        tables = lambda cols: {c[0] for c in cols}  # noqa: E731
        assert tables(got["columns"]) == tables(want["columns"]), (
            backend, "tables no revision creates (add one: lib/warehouse/migrations):",
            sorted(tables(want["columns"]) - tables(got["columns"])),
            "tables schema.py does not declare:", sorted(tables(got["columns"]) -
                                                          tables(want["columns"])))
        for part in want:
            assert got[part] == want[part], (backend, part, "walked only:", got[part] - want[part],
                                             "create_all only:", want[part] - got[part])


def test_a_failed_upgrade_leaves_the_old_warehouse_as_it_was(raw_engine, monkeypatch):
    build_release(raw_engine, "v2_float")
    with raw_engine.connect() as conn:
        before = shape(conn)

    def broken(conn, metadata=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(steps, "widen_floats", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        ensure_schema(raw_engine)
    with raw_engine.connect() as conn:
        assert shape(conn) == before
        assert migrations.current(conn) is None
        assert migrations.legacy_version(conn) == 2
    monkeypatch.undo()
    ensure_schema(raw_engine)
    assert revision_of(raw_engine) == migrations.head()


def test_a_warehouse_from_a_newer_release_is_refused(raw_engine):
    ensure_schema(raw_engine)
    with raw_engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(migrations.UnknownRevision, match="9999"):
        ensure_schema(raw_engine)


@pytest.mark.skipif(not PG_URL, reason="two processes on one warehouse need PostgreSQL "
                                       "(a DuckDB file serves one process)")
@pytest.mark.parametrize("release", [None, "v1"])
def test_concurrent_starts_on_postgresql_upgrade_once(tmp_path, release):
    eng, drop = _new_schema_engine(tmp_path, "postgresql", "pg")
    try:
        if release:
            build_release(eng, release)
        url = eng.url.render_as_string(hide_password=False)
        with eng.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        results: list = []
        barrier = threading.Barrier(3)

        def start() -> None:
            other = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
            barrier.wait()
            try:
                results.append(ensure_schema(other))
            except Exception as exc:  # noqa: BLE001 - reported below
                results.append(exc)
            finally:
                other.dispose()

        threads = [threading.Thread(target=start) for _ in range(3)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(map(bool, results)) == [False, False, True], results  # one did the work
        with eng.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() \
                == [migrations.head()]
            assert conn.execute(select(func.count()).select_from(s.schema_version)).scalar_one() \
                == (2 if release else 1)
    finally:
        drop()


def test_cli_reads_upgrades_and_lists(raw_engine, monkeypatch, capsys):
    from lib.warehouse.migrate import main

    build_release(raw_engine, "v2")
    url = raw_engine.url.render_as_string(hide_password=False)
    schema = ""
    if raw_engine.dialect.name == "postgresql":
        with raw_engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    monkeypatch.setenv("HALFSKY_DB_URL", url)
    monkeypatch.setenv("HALFSKY_DB_SCHEMA", schema)
    assert main(["current"]) == 0
    assert "schema_version 2" in capsys.readouterr().out
    assert revision_of(raw_engine) is None  # current changed nothing
    assert main([]) == 0  # upgrade is the default
    assert "stamp 0002" in capsys.readouterr().out
    assert revision_of(raw_engine) == migrations.head()
    assert main(["current"]) == 0
    assert capsys.readouterr().out.rstrip().endswith(f"{migrations.head()} (head)")
    assert main(["upgrade"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("base -> 0001") and lines[-1].split()[2] == migrations.head()
