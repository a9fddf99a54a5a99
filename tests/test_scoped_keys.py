"""Record keys that respect scope: ids namespaced by district, no upload supersedes, retires
or rolls back a row outside the uploader's scope, rollback only by the uploader or a covering admin,
the batch list filtered in SQL, batch ids race-free, and version-1 warehouses upgraded in place.

Every test runs on DuckDB and PostgreSQL (conftest ``engine``) and compares warehouse state itself.
"""
from __future__ import annotations

import datetime as dt
import threading
import uuid

import pandas as pd
import pytest
from sqlalchemy import (Boolean, Column, Date, DateTime, Float, Index, Integer, MetaData, String,
                        Table, Text, create_engine, func, insert, inspect, select, text, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import NullPool

from lib.ingest import load_prepared, prepare_upload
from lib.warehouse import schema as s
from lib.warehouse.batches import RollbackRefused, list_batches, rollback_batch
from lib.warehouse.engine import ensure_schema, schema_version_of
from lib.warehouse.loading import LoadRefused, _plan, load_batch
from lib.warehouse.scope import Scope
from tests.conftest import BACKENDS, PG_URL, scope_of

HEAD = "培训编号,区划代码,培训日期,培训主题,培训对象,培训方式,参训人次\n"
GULOU, JINAN = "350102", "350111"
GUDONG = "350102001000"  # 鼓东街道, 鼓楼区
CHAYUAN, WANGZHUANG = "350111001000", "350111002000"  # 茶园街道, 王庄街道, 晋安区
CHAYUAN_SCOPE = "350111001"


def csv(*rows, day: str = "2024-03-05") -> bytes:
    """A training ledger with its own 培训编号: rows (or one iterable of rows) of (id, region code,
    participants)."""
    if len(rows) == 1 and not isinstance(rows[0], tuple):
        rows = tuple(rows[0])
    body = "".join(f"{i},{code},{day},家庭教育,执委,线下,{n}\n" for i, code, n in rows)
    return (HEAD + body).encode("utf-8")


def load(engine, data: bytes, *, scope: str, user: str, mode: str = "upsert", dry_run=False):
    p = prepare_upload(engine, data, f"{user}.csv", scope=scope_of(scope))
    assert p.ok, p.problems
    return load_prepared(engine, p, mode=mode, user=user, dry_run=dry_run)


def rows(engine, table=s.training_session) -> pd.DataFrame:
    with engine.connect() as conn:
        got = conn.execute(select(table)).mappings().all()
    return pd.DataFrame(got, columns=[c.name for c in table.columns])


def total(engine, prefix: str) -> int:
    t = s.training_session
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.sum(t.c.participants), 0))
                                .where(t.c.region_code.startswith(prefix))).scalar_one())


def snapshot(engine) -> dict[str, list]:
    out = {}
    with engine.connect() as conn:
        for t in [*s.FACT_TABLES.values(), *s.HISTORY_TABLES.values(), s.upload_batch]:
            out[t.name] = sorted(tuple(str(v) for v in r) for r in conn.execute(select(t)).all())
    return out


# --- ids namespaced by district ----------------------------------------------------------------

def test_another_districts_id_never_moves_its_rows(engine):
    """The reported attack: a 晋安区 file carrying 鼓楼区 培训编号 with 晋安区 townships. Before, it loaded
    as '2 replaced' and 鼓楼区's sessions moved to 晋安区; now those ids are 晋安区's own records."""
    gulou = load(engine, csv(("GL-1", GUDONG, 40), ("GL-2", GUDONG, 60)), scope=GULOU, user="gl")
    before_gulou = rows(engine).sort_values("session_id").reset_index(drop=True)
    out = load(engine, csv(("GL-1", CHAYUAN, 5), ("GL-2", CHAYUAN, 6)), scope=JINAN, user="ja")
    assert out.status == "loaded"
    assert (out.counts.added, out.counts.replaced, out.counts.retired) == (2, 0, 0)
    assert total(engine, GULOU) == 100 and total(engine, JINAN) == 11
    now = rows(engine)
    kept = now[now["id_scope"] == GULOU].sort_values("session_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, before_gulou)
    assert set(now.loc[now["id_scope"] == JINAN, "region_code"]) == {CHAYUAN}
    assert rows(engine, s.training_session_history).empty
    # each side can still roll back its own batch, and only its own rows go
    rollback_batch(engine, out.batch_id, user="ja", scope=Scope(JINAN))
    assert total(engine, GULOU) == 100 and total(engine, JINAN) == 0
    rollback_batch(engine, gulou.batch_id, user="gl", scope=Scope(GULOU))
    assert rows(engine).empty


def test_two_districts_numbering_001_coexist_and_each_updates_its_own(engine):
    load(engine, csv(("001", GUDONG, 5)), scope=GULOU, user="gl")
    load(engine, csv(("001", CHAYUAN, 7)), scope=JINAN, user="ja")
    cur = rows(engine).set_index("id_scope")
    assert len(cur) == 2 and cur.loc[GULOU, "participants"] == 5
    assert cur.loc[JINAN, "participants"] == 7 and cur.loc[JINAN, "region_code"] == CHAYUAN
    up = load(engine, csv(("001", GUDONG, 6)), scope=GULOU, user="gl")
    assert (up.counts.added, up.counts.replaced) == (0, 1)
    up = load(engine, csv(("001", CHAYUAN, 8)), scope=JINAN, user="ja")
    assert (up.counts.added, up.counts.replaced) == (0, 1)
    cur = rows(engine).set_index("id_scope")
    assert cur.loc[GULOU, "participants"] == 6 and cur.loc[JINAN, "participants"] == 8
    hist = rows(engine, s.training_session_history).set_index("id_scope")
    assert hist.loc[GULOU, "participants"] == 5 and hist.loc[JINAN, "participants"] == 7
    # a city-level ledger may hold both districts' 001: two keys, not a duplicate
    city = load(engine, csv(("001", GUDONG, 9), ("001", CHAYUAN, 9)), scope="3501", user="city")
    assert (city.counts.added, city.counts.replaced) == (0, 2)


def test_a_file_repeating_an_id_within_one_district_is_still_refused(engine):
    p = prepare_upload(engine, csv(("001", CHAYUAN, 1), ("001", WANGZHUANG, 2)), "d.csv",
                       scope=Scope(JINAN))
    assert not p.ok and list(p.problems["row"]) == [3]


def test_direct_writers_get_the_namespace_from_region_code(engine):
    """The demo builders, bulk_insert and plain SQLAlchemy inserts never pass id_scope."""
    row = {"session_id": "x", "region_code": CHAYUAN, "held_on": dt.date(2024, 1, 2),
           "topic": "policy", "audience": "exec_member", "mode": "offline", "participants": 3,
           "hours": 1.0}
    frame = pd.DataFrame([row])
    with engine.begin() as conn:
        conn.execute(insert(s.upload_batch).values(batch_id=90, dataset="t", uploaded_at=dt.datetime(
            2024, 1, 1), status="loaded"))
        conn.execute(insert(s.training_session).values(**row, batch_id=90))
        from lib.warehouse.bulk import bulk_insert
        bulk_insert(conn, s.training_session,
                    frame.assign(region_code=GUDONG, batch_id=90))
    assert sorted(rows(engine)["id_scope"]) == [GULOU, JINAN]
    # a caller's id_scope is never trusted by the load path: it is recomputed from region_code
    out = load_batch(engine, {"training": frame.assign(id_scope=GULOU, participants=4)},
                     scope=Scope(JINAN), user="ja")
    assert (out.counts.added, out.counts.replaced) == (0, 1)
    assert total(engine, JINAN) == 4 and total(engine, GULOU) == 3


def test_many_keys_are_matched_on_namespace_and_id(engine):
    """Over 5000 keys the loader stages them in a temporary table and joins on both key columns."""
    n = 3000
    frame = pd.DataFrame({"session_id": [f"K-{i}" for i in range(n)] * 2,
                          "region_code": [GUDONG] * n + [CHAYUAN] * n,
                          "held_on": dt.date(2024, 3, 1), "topic": "policy",
                          "audience": "exec_member", "mode": "offline", "participants": 1,
                          "hours": None})
    first = load_batch(engine, {"training": frame}, scope=Scope("3501"), user="city")
    assert first.counts.added == 2 * n
    changed = frame.copy()
    changed.loc[n + 7, "participants"] = 50  # 晋安区's K-7 only
    out = load_batch(engine, {"training": changed}, scope=Scope("3501"), user="city")
    assert (out.counts.added, out.counts.replaced, out.counts.unchanged) == (0, 1, 2 * n - 1)
    hist = rows(engine, s.training_session_history)
    assert list(zip(hist["id_scope"], hist["session_id"])) == [(JINAN, "K-7")]
    assert total(engine, GULOU) == n and total(engine, JINAN) == n - 1 + 50


# --- no superseding or retiring outside the scope ----------------------------------------------

def test_township_analyst_cannot_supersede_a_sibling_townships_row(engine):
    load(engine, csv(("J-1", WANGZHUANG, 30), ("J-2", CHAYUAN, 4)), scope=JINAN, user="ja")
    before = snapshot(engine)
    data = csv(("J-9", CHAYUAN, 1), ("J-1", CHAYUAN, 2), ("J-2", CHAYUAN, 5))
    for dry_run in (True, False):
        out = load(engine, data, scope=CHAYUAN_SCOPE, user="town", dry_run=dry_run)
        assert out.status == "refused"
        # file row 3 (header = row 1) carries J-1, which is 王庄街道's; J-2 is 茶园街道's own
        assert list(out.problems["row"]) == [3]
        first = out.problems.iloc[0]
        assert first["column"] == "培训编号" and first["value"] == "J-1"
        assert "王庄街道" in first["problem_zh"] and "不能覆盖" in first["problem_zh"]
        assert "outside your scope" in first["problem_en"]
    assert snapshot(engine) == before
    assert total(engine, WANGZHUANG[:9]) == 30
    with pytest.raises(LoadRefused) as err:
        frame = prepare_upload(engine, data, "t.csv", scope=Scope(CHAYUAN_SCOPE)).frame
        load_batch(engine, {"training": frame}, scope=Scope(CHAYUAN_SCOPE), user="town")
    assert err.value.rows == [3] and "nothing was written" in err.value.en
    assert snapshot(engine) == before
    # the district's analyst may correct it
    out = load(engine, data, scope=JINAN, user="ja")
    assert (out.counts.added, out.counts.replaced, out.counts.unchanged) == (1, 2, 0)


def test_replace_mode_never_retires_outside_the_scope(engine):
    march = csv(("G-1", GUDONG, 1), ("W-1", WANGZHUANG, 2), ("C-1", CHAYUAN, 3), ("C-2", CHAYUAN, 4))
    load(engine, march, scope="3501", user="city")
    out = load(engine, csv(("C-1", CHAYUAN, 3), ("C-9", CHAYUAN, 9)), scope=CHAYUAN_SCOPE,
               user="town", mode="replace")
    assert (out.counts.added, out.counts.retired) == (1, 1)  # C-2 only
    cur = rows(engine)
    assert set(cur["session_id"]) == {"G-1", "W-1", "C-1", "C-9"}
    out = load(engine, csv(("J-5", WANGZHUANG, 5)), scope=JINAN, user="ja", mode="replace")
    assert out.counts.retired == 1 and "G-1" in set(rows(engine)["session_id"])
    # a plan that would retire a row outside the scope is refused, naming the row it would remove
    # (the file's new rows are checked before planning, so this is the last line of defence)
    frame = pd.DataFrame([{"session_id": "X", "region_code": GUDONG, "held_on": dt.date(2024, 3, 9),
                           "topic": "policy", "audience": "exec_member", "mode": "offline",
                           "participants": 1, "hours": None}], index=[7])
    with engine.connect() as conn, pytest.raises(LoadRefused) as err:
        _plan(conn, "training", frame, "replace", JINAN)
    assert err.value.rows == [] and err.value.problems[0]["value"] == "G-1"
    assert "不能删除" in err.value.problems[0]["zh"]


# --- rollback: uploader or covering admin; list filtered in SQL -----------------------------------

def test_rollback_only_by_uploader_or_covering_admin(engine):
    by_admin = load(engine, csv(("A-1", CHAYUAN, 1)), scope=JINAN, user="boss").batch_id
    by_ja2 = load(engine, csv(("B-1", WANGZHUANG, 2)), scope=JINAN, user="ja2").batch_id
    by_ja = load(engine, csv(("C-1", CHAYUAN, 3)), scope=JINAN, user="ja").batch_id
    by_city = load(engine, csv(("D-1", CHAYUAN, 4), ("D-2", GUDONG, 5)), scope="3501",
                   user="city").batch_id
    before = snapshot(engine)
    for bid in (by_admin, by_ja2):
        with pytest.raises(RollbackRefused, match="not uploaded by you"):
            rollback_batch(engine, bid, user="ja", scope=Scope(JINAN), role="analyst")
    with pytest.raises(RollbackRefused, match="not uploaded by you"):
        rollback_batch(engine, by_ja, scope=Scope(JINAN))  # no user: nobody's batch
    with pytest.raises(RollbackRefused, match="Only analysts and admins"):
        rollback_batch(engine, by_ja, user="ja", scope=Scope(JINAN), role="viewer")
    with pytest.raises(RollbackRefused, match="outside your scope"):
        rollback_batch(engine, by_city, user="boss", scope=Scope(JINAN), role="admin")
    with pytest.raises(RollbackRefused, match="outside your scope"):  # a township admin
        rollback_batch(engine, by_ja2, user="t", scope=Scope(CHAYUAN_SCOPE), role="admin")
    assert snapshot(engine) == before
    rollback_batch(engine, by_ja2, user="ja2", scope=Scope(JINAN), role="analyst")
    rollback_batch(engine, by_ja, user="boss", scope=Scope(JINAN), role="admin")
    rollback_batch(engine, by_city, user="mayor", scope=Scope("3501"), role="admin")
    assert set(rows(engine)["session_id"]) == {"A-1"}
    statuses = dict(zip(*list_batches(engine, scope=Scope.everything())[["batch_id", "status"]].T.values))
    assert [statuses[b] for b in (by_ja2, by_ja, by_city)] == ["rolled_back"] * 3
    assert statuses[by_admin] == "loaded"


def test_admin_rollback_checks_rows_of_a_batch_without_region_prefix(engine):
    """Batches from before schema 2 have no region_prefix: the rows decide."""
    bid = load(engine, csv(("D-1", CHAYUAN, 4), ("D-2", GUDONG, 5)), scope="3501",
               user="city").batch_id
    with engine.begin() as conn:
        conn.execute(update(s.upload_batch).values(region_prefix=None))
    with pytest.raises(RollbackRefused, match="outside your scope"):
        rollback_batch(engine, bid, user="boss", scope=Scope(JINAN), role="admin")
    rollback_batch(engine, bid, user="city", scope=Scope("3501"), role="analyst")


def test_batch_list_shows_only_the_callers_scope_even_after_rollback(engine):
    gl = load(engine, csv(("001", GUDONG, 1)), scope=GULOU, user="gl").batch_id
    ja = load(engine, csv(("001", CHAYUAN, 1)), scope=JINAN, user="ja").batch_id
    both = load(engine, csv(("002", GUDONG, 1), ("002", CHAYUAN, 1)), scope="3501",
                user="city").batch_id
    rollback_batch(engine, gl, user="gl", scope=Scope(GULOU))  # no rows left anywhere for this batch

    def listed(scope: str) -> dict[int, tuple]:
        f = list_batches(engine, scope=scope_of(scope))
        return {int(b): (n, u) for b, n, u in f[["batch_id", "filename", "uploaded_by"]].values}

    assert listed(JINAN) == {ja: ("ja.csv", "ja")}
    assert listed(GULOU) == {gl: ("gl.csv", "gl")}
    assert set(listed("3501")) == set(listed("")) == {gl, ja, both}
    assert listed(CHAYUAN_SCOPE) == {ja: ("ja.csv", "ja")}
    assert listed("350111002") == {}
    # batches without region_prefix (before schema 2, the demo) are judged by their rows:
    # rows inside and none outside; a batch with no rows left is shown to no scoped caller
    with engine.begin() as conn:
        conn.execute(update(s.upload_batch).values(region_prefix=None))
    assert set(listed(JINAN)) == {ja} and set(listed(GULOU)) == set()
    assert set(listed("3501")) == {ja, both} and set(listed("")) == {gl, ja, both}


# --- batch ids under concurrency ----------------------------------------------------------------

def test_batch_ids_unique_under_two_concurrent_loads(engine):
    """Two districts load at the same moment, twice (adds, then replacements): every load gets its
    own batch id, and each batch holds exactly its district's rows."""
    seen: list[int] = []
    for round_ in range(2):
        prepared = [prepare_upload(engine, csv((f"{d}-{i}", code, i + 100 * round_)
                                               for i in range(1, 30)), f"{d}.csv", scope=scope_of(scope))
                    for d, code, scope in (("G", GUDONG, GULOU), ("J", CHAYUAN, JINAN))]
        results: list = [None, None]
        barrier = threading.Barrier(2)

        def run(i: int) -> None:
            barrier.wait()
            try:
                results[i] = load_prepared(engine, prepared[i], user=f"u{i}")
            except Exception as exc:  # noqa: BLE001 — reported by the assertion below
                results[i] = exc

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert all(getattr(r, "status", None) == "loaded" for r in results), results
        seen += [r.batch_id for r in results]
        cur = rows(engine)
        for r, prefix in zip(results, (GULOU, JINAN)):
            mine = cur[cur["batch_id"] == r.batch_id]
            assert len(mine) == 29 and set(mine["id_scope"]) == {prefix}
    assert len(set(seen)) == 4
    batches = list_batches(engine, scope=Scope.everything())
    assert sorted(batches["batch_id"]) == sorted(seen)
    assert len(rows(engine, s.training_session_history)) == 58


# --- version 1 → 2 ------------------------------------------------------------------------------

def _v1_metadata() -> MetaData:
    """The schema-1 shape of the tables schema 2 changed, as release 1 created them."""
    m = MetaData()

    def fact(name, key, cols):
        cur = Table(name, m, key(), *cols(), Column("batch_id", Integer, nullable=False))
        k = key()
        hist = Table(f"{name}_history", m, Column(k.name, k.type, nullable=False), *cols(),
                     Column("batch_id", Integer, nullable=False),
                     Column("superseded_by", Integer, nullable=False),
                     Column("superseded_at", DateTime, nullable=False))
        Index(f"ix_{name}_batch", cur.c.batch_id)
        Index(f"ix_{name}_history_sup", hist.c.superseded_by)
        return cur

    org = fact("org_unit", lambda: Column("org_id", String(64), primary_key=True), lambda: [
        Column("region_code", String(12), nullable=False), Column("org_type", String(32),
                                                                  nullable=False),
        Column("sector", String(32)), Column("name", Text), Column("established_on", Date),
        Column("dissolved_on", Date), Column("exec_members", Integer),
        Column("last_activity_on", Date)])
    Index("ix_org_unit_region", org.c.region_code)
    tr = fact("training_session", lambda: Column("session_id", String(64), primary_key=True),
              lambda: [Column("region_code", String(12), nullable=False),
                       Column("held_on", Date, nullable=False),
                       Column("topic", String(32), nullable=False),
                       Column("audience", String(32), nullable=False),
                       Column("mode", String(16), nullable=False),
                       Column("participants", Integer, nullable=False), Column("hours", Float)])
    Index("ix_training_region_date", tr.c.region_code, tr.c.held_on)
    Index("ix_training_held_on", tr.c.held_on).ddl_if(dialect="postgresql")
    jf = fact("job_fair", lambda: Column("fair_id", String(64), primary_key=True), lambda: [
        Column("region_code", String(12), nullable=False), Column("held_on", Date, nullable=False),
        Column("fair_type", String(32), nullable=False), Column("employers", Integer),
        Column("positions", Integer), Column("women_attending", Integer),
        Column("intents", Integer), Column("hires", Integer)])
    Index("ix_job_fair_region_date", jf.c.region_code, jf.c.held_on)
    Table("upload_batch", m,
          Column("batch_id", Integer, primary_key=True, autoincrement=False),
          Column("dataset", String(32), nullable=False), Column("filename", Text),
          Column("sha256", String(64)), Column("uploaded_by", Text),
          Column("uploaded_at", DateTime, nullable=False),
          Column("rows_read", Integer, nullable=False, default=0),
          Column("rows_loaded", Integer, nullable=False, default=0),
          Column("rows_rejected", Integer, nullable=False, default=0),
          Column("status", String(16), nullable=False),
          Column("is_demo", Boolean, nullable=False, default=False),
          Column("mode", String(16), nullable=False, default="upsert"))
    return m


def _pk(eng, table: str) -> set[str]:
    if eng.dialect.name == "postgresql":
        return set(inspect(eng).get_pk_constraint(table)["constrained_columns"])
    with eng.connect() as conn:
        return set(conn.execute(text(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = :t AND constraint_type = 'PRIMARY KEY'"), {"t": table}).scalar_one())


def _indexes(eng, table: str) -> set[str]:
    if eng.dialect.name == "postgresql":
        return {i["name"] for i in inspect(eng).get_indexes(table)}
    with eng.connect() as conn:
        return {r[0] for r in conn.execute(text(
            "SELECT index_name FROM duckdb_indexes() WHERE table_name = :t"), {"t": table})}


def _not_null(eng, table: str, column: str) -> bool:
    with eng.connect() as conn:
        return conn.execute(text(
            "SELECT is_nullable FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = :t AND column_name = :c"),
            {"t": table, "c": column}).scalar_one() == "NO"


@pytest.fixture(params=BACKENDS)
def raw_engine(request, tmp_path):
    """An engine on an empty database, schema not yet ensured (so a v1 warehouse can be built)."""
    if request.param == "duckdb":
        eng = create_engine(f"duckdb:///{tmp_path / 'v1.duckdb'}", poolclass=NullPool)
        yield eng
        eng.dispose()
        return
    schema = f"v1_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_version_1_warehouse_upgrades_in_place(raw_engine):
    eng = raw_engine
    v1 = _v1_metadata()
    v1.create_all(eng)
    changed = set(v1.tables)
    s.metadata.create_all(eng, tables=[t for t in s.metadata.sorted_tables
                                       if t.name not in changed])
    at = dt.datetime(2024, 1, 1)
    with eng.begin() as conn:
        conn.execute(insert(s.schema_version).values(version=1, applied_at=at))
        conn.execute(insert(s.data_state).values(id=1, version=3, changed_at=at))
        conn.execute(insert(v1.tables["upload_batch"]), [
            dict(batch_id=1, dataset="training", uploaded_at=at, status="replaced"),
            dict(batch_id=2, dataset="training", uploaded_at=at, status="loaded")])
        conn.execute(insert(v1.tables["training_session"]), [
            dict(session_id="001", region_code=GUDONG, held_on=dt.date(2024, 3, 1), topic="policy",
                 audience="exec_member", mode="offline", participants=5, batch_id=2),
            dict(session_id="002", region_code=CHAYUAN, held_on=dt.date(2024, 3, 2),
                 topic="policy", audience="exec_member", mode="offline", participants=6,
                 batch_id=2)])
        conn.execute(insert(v1.tables["training_session_history"]), [
            dict(session_id="001", region_code=GUDONG, held_on=dt.date(2024, 3, 1), topic="policy",
                 audience="exec_member", mode="offline", participants=4, batch_id=1,
                 superseded_by=2, superseded_at=at)])
        conn.execute(insert(v1.tables["org_unit"]), [
            dict(org_id="o1", region_code="350111001001", org_type="womens_home", batch_id=2)])
        conn.execute(insert(v1.tables["job_fair"]), [
            dict(fair_id="f1", region_code=GUDONG, held_on=dt.date(2024, 2, 1),
                 fair_type="comprehensive", batch_id=2)])

    ensure_schema(eng)
    assert schema_version_of(eng) == s.SCHEMA_VERSION == 2
    cur = rows(eng)
    assert sorted(zip(cur["id_scope"], cur["session_id"], cur["participants"])) == [
        (GULOU, "001", 5), (JINAN, "002", 6)]
    hist = rows(eng, s.training_session_history)
    assert list(zip(hist["id_scope"], hist["participants"], hist["superseded_by"])) == [
        (GULOU, 4, 2)]
    assert list(rows(eng, s.org_unit)["id_scope"]) == [JINAN]
    assert list(rows(eng, s.job_fair)["id_scope"]) == [GULOU]
    for table, id_col in (("org_unit", "org_id"), ("training_session", "session_id"),
                          ("job_fair", "fair_id")):
        assert _pk(eng, table) == {"id_scope", id_col}
        assert f"ix_{table}_batch" in _indexes(eng, table)
        assert f"ix_{table}_history_sup" in _indexes(eng, f"{table}_history")
        assert _not_null(eng, f"{table}_history", "id_scope")
    assert {"ix_training_region_date", "ix_training_session_batch"} <= _indexes(
        eng, "training_session")
    assert "ix_org_unit_region" in _indexes(eng, "org_unit")
    batches = rows(eng, s.upload_batch)
    assert list(batches["batch_id"]) == [1, 2] and batches["region_prefix"].isna().all()
    # the new key in force: the same id in another district is a second row, the same key is not
    with eng.begin() as conn:
        conn.execute(insert(s.training_session).values(
            session_id="002", region_code=GUDONG, held_on=dt.date(2024, 3, 3), topic="policy",
            audience="exec_member", mode="offline", participants=1, batch_id=2))
    with pytest.raises(IntegrityError), eng.begin() as conn:
        conn.execute(insert(s.training_session).values(
            id_scope=JINAN, session_id="002", region_code=WANGZHUANG, held_on=dt.date(2024, 3, 3),
            topic="policy", audience="exec_member", mode="offline", participants=1, batch_id=2))
    # the upgraded warehouse loads and rolls back through the ordinary path; ensure_schema again
    # changes nothing
    frame = pd.DataFrame([{"session_id": "001", "region_code": CHAYUAN,
                           "held_on": dt.date(2024, 3, 1), "topic": "policy",
                           "audience": "exec_member", "mode": "offline", "participants": 9,
                           "hours": None}])
    out = load_batch(eng, {"training": frame}, scope=Scope(JINAN), user="ja")
    assert (out.counts.added, out.counts.replaced, out.batch_id) == (1, 0, 3)
    rollback_batch(eng, 2, user="old", scope=Scope.everything(), role="admin")
    cur = rows(eng)
    assert sorted(zip(cur["id_scope"], cur["session_id"], cur["participants"])) == [
        (GULOU, "001", 4), (JINAN, "001", 9)]
    assert rows(eng, s.training_session_history).empty
    ensure_schema(eng)
    assert schema_version_of(eng) == 2
    with eng.connect() as conn:
        assert conn.execute(select(func.count()).select_from(s.schema_version)).scalar_one() == 2


# --- the upload page ----------------------------------------------------------------------------

def test_upload_page_shows_the_refused_file_rows_and_lists_only_own_scope(engine):
    """A 茶园街道 analyst's file reusing 王庄街道's 培训编号: the dry run is refused on the page with the
    file's row number, no confirm button, nothing written; the history shows no other scope's file."""
    from lib.auth import accounts
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url
    from tests.test_auth import PW

    accounts.create_user(engine, "boss", PW, "admin", "350100000000")
    accounts.create_user(engine, "town", PW, "analyst", CHAYUAN, by="boss")
    load(engine, csv(("J-1", WANGZHUANG, 30)), scope=JINAN, user="ja")
    load(engine, csv(("G-1", GUDONG, 30)), scope=GULOU, user="gl")
    own = load(engine, csv(("C-1", CHAYUAN, 3)), scope=CHAYUAN_SCOPE, user="town").batch_id
    before = snapshot(engine)
    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False, auth=True):
        at = run_page()
        at.text_input(key="login_user").input("town")
        at.text_input(key="login_password").input(PW)
        at.button(key="login_submit").click().run()
        at.switch_page("views/upload.py")
        at.run()
        at.file_uploader(key="up_file").upload(
            "茶园.csv", csv(("C-2", CHAYUAN, 1), ("J-1", CHAYUAN, 2)), "text/csv").run()
    assert not at.exception, at.exception
    assert any("未写入任何数据" in e.value for e in at.error)
    problems = next(d for d in at.dataframe if "problem_zh" in d.value.columns)
    assert list(problems.value["row"]) == ["3"] and list(problems.value["value"]) == ["J-1"]
    assert "王庄街道" in problems.value["problem_zh"].iloc[0]
    assert [b for b in at.button if b.key == "up_confirm"] == []
    assert snapshot(engine) == before
    history = next(d for d in at.dataframe if "batch_id" in d.value.columns)
    assert list(history.value["batch_id"]) == [own]
    assert set(history.value["filename"]) == {"town.csv"}


def test_cli_rollback_runs_as_the_named_account(tmp_path, capsys):
    """``python -m lib.ingest rollback N --user NAME`` has that account's role and scope; without
    --user (the operator at the shell) it acts as an admin of --scope."""
    from lib.auth import accounts
    from lib.ingest.__main__ import main
    from lib.warehouse import bootstrap
    from lib.warehouse.engine import dispose_engine
    from tests.test_auth import PW

    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    try:
        engine = bootstrap.open_warehouse(url)
        accounts.create_user(engine, "ja", PW, "analyst", "350111000000")
        accounts.create_user(engine, "ja2", PW, "analyst", "350111000000")
        accounts.create_user(engine, "gladmin", PW, "admin", "350102000000")
        path = tmp_path / "j.csv"
        path.write_bytes(csv(("J-1", CHAYUAN, 3)))
        assert main(["load", str(path), "--dataset", "training", "--db", url, "--user", "ja"]) == 0
        bid = str(int(list_batches(engine, scope=Scope.everything())["batch_id"].iloc[0]))
        capsys.readouterr()
        assert main(["rollback", bid, "--db", url, "--user", "ja2"]) == 2
        assert "not uploaded by you" in capsys.readouterr().err
        assert main(["rollback", bid, "--db", url, "--user", "gladmin"]) == 2
        assert "outside your scope" in capsys.readouterr().err
        assert main(["rollback", bid, "--db", url, "--scope", "350102"]) == 2
        assert total(engine, JINAN) == 3
        assert main(["rollback", bid, "--db", url, "--user", "ja"]) == 0
        assert total(engine, JINAN) == 0
    finally:
        dispose_engine(url)
