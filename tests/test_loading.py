"""lib.warehouse.loading and batches, through lib.ingest.api: on DuckDB and PostgreSQL (conftest engine).

Every test compares warehouse state itself (row counts, history, statuses), never a printed summary.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from lib.ingest import load_prepared, prepare_upload, rollback_batch, RollbackRefused
from lib.warehouse import schema as s
from lib.warehouse.batches import list_batches
from lib.warehouse.loading import LoadRefused, load_batch
from lib.warehouse.scope import Scope
from tests.conftest import scope_of

FIX = Path(__file__).resolve().parent / "fixtures_ingest"
HEAD = "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次\n"
ROWS = ["茶园,2024-03-05,家庭教育,执委,线下,5", "鼓山,2024-03-06,健康知识,执委,线上,7",
        "王庄,2024-04-01,维权普法,妇女群众,线下,20"]


def csv(*rows: str) -> bytes:
    return (HEAD + "\n".join(rows) + "\n").encode("gbk")


def load(engine, data: bytes, name="t.csv", *, scope="350111", mode="upsert", dry_run=False,
         **kw):
    p = prepare_upload(engine, data, name, scope=scope_of(scope))
    return load_prepared(engine, p, mode=mode, user="ana", dry_run=dry_run, **kw)


def snapshot(engine) -> dict[str, list]:
    """Every fact and history table's rows, sorted: 'exactly the same state' means equal snapshots."""
    out = {}
    with engine.connect() as conn:
        for t in [*s.FACT_TABLES.values(), *s.HISTORY_TABLES.values(), s.upload_batch]:
            rows = conn.execute(select(t)).all()
            out[t.name] = sorted(tuple(str(v) for v in r) for r in rows)
    return out


def facts(engine, table=s.training_session) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(table)).mappings().all())


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_gbk_file_loads_and_reload_changes_nothing(engine):
    first = load(engine, (FIX / "training_gbk_title_total.csv").read_bytes())
    assert first.status == "loaded" and first.counts.added == 3
    before = snapshot(engine)
    again = load(engine, (FIX / "training_gbk_title_total.csv").read_bytes())
    assert again.status == "unchanged" and again.counts.unchanged == 3 and again.batch_id is None
    assert snapshot(engine) == before
    got = facts(engine).sort_values("held_on")
    assert list(got["participants"]) == [45, 1200, 30]
    assert set(got["batch_id"]) == {first.batch_id}


def test_dry_run_counts_without_writing(engine):
    load(engine, csv(*ROWS[:2]))
    before = snapshot(engine)
    plan = load(engine, csv(ROWS[0], ROWS[1].replace(",7", ",8"), ROWS[2]), dry_run=True)
    assert plan.status == "dry_run"
    assert (plan.counts.added, plan.counts.replaced, plan.counts.unchanged) == (1, 1, 1)
    assert snapshot(engine) == before


def test_corrected_extract_replaces_and_keeps_history(engine):
    b1 = load(engine, csv(*ROWS)).batch_id
    out = load(engine, csv(ROWS[0], ROWS[1].replace(",7", ",9"), ROWS[2]))
    assert (out.counts.added, out.counts.replaced, out.counts.unchanged) == (0, 1, 2)
    cur = facts(engine)
    assert sorted(cur["participants"]) == [5, 9, 20] and len(cur) == 3
    hist = facts(engine, s.training_session_history)
    assert list(hist["participants"]) == [7] and list(hist["superseded_by"]) == [out.batch_id]
    assert list(hist["batch_id"]) == [b1]


def test_replace_mode_retires_missing_rows_in_the_files_months_and_regions(engine):
    load(engine, csv(*ROWS))
    other = load(engine, csv("鼓山,2024-05-02,家庭教育,执委,线下,3"))  # another month: untouched
    out = load(engine, csv(ROWS[0], ROWS[2]), mode="replace")
    # ROWS[1] (鼓山, March) is in the file's months (3, 4) but not its regions (茶园, 王庄): kept
    assert out.status == "unchanged"
    out = load(engine, csv(ROWS[0], "鼓山,2024-03-20,家庭教育,执委,线下,4"), mode="replace")
    assert (out.counts.added, out.counts.retired) == (1, 1)
    cur = facts(engine)
    assert len(cur) == 4 and 7 not in set(cur["participants"])
    assert 3 in set(cur["participants"]) and other.batch_id in set(cur["batch_id"])
    assert list(facts(engine, s.training_session_history)["participants"]) == [7]


def test_rollback_restores_exactly_and_in_order(engine):
    load(engine, csv(*ROWS))
    s1 = snapshot(engine)
    b2 = load(engine, csv(ROWS[0].replace(",5", ",6"), ROWS[1]), mode="replace").batch_id
    s2 = snapshot(engine)
    b3 = load(engine, csv(ROWS[0].replace(",5", ",60"))).batch_id
    with pytest.raises(RollbackRefused, match=f"roll back {b3} first"):
        rollback_batch(engine, b2, user="ana", scope=Scope.everything())
    assert snapshot(engine)["training_session"] != s2["training_session"]
    rollback_batch(engine, b3, user="ana", scope=Scope.everything())
    assert _without_batches(snapshot(engine)) == _without_batches(s2)
    rollback_batch(engine, b2, user="ana", scope=Scope.everything())
    assert _without_batches(snapshot(engine)) == _without_batches(s1)
    statuses = dict(zip(*list_batches(engine, scope=Scope.everything())[["batch_id", "status"]].T.values))
    assert statuses[b2] == statuses[b3] == "rolled_back"
    with pytest.raises(RollbackRefused, match="already"):
        rollback_batch(engine, b2, user="ana", scope=Scope.everything())


def _without_batches(snap: dict) -> dict:
    return {k: v for k, v in snap.items() if k != "upload_batch"}


def test_batch_status_replaced_when_all_rows_superseded(engine):
    b1 = load(engine, csv(ROWS[0])).batch_id
    b2 = load(engine, csv(ROWS[0].replace(",5", ",8"))).batch_id
    statuses = dict(zip(*list_batches(engine, scope=Scope.everything())[["batch_id", "status"]].T.values))
    assert statuses[b1] == "replaced" and statuses[b2] == "loaded"
    rollback_batch(engine, b2, user="ana", scope=Scope.everything())
    statuses = dict(zip(*list_batches(engine, scope=Scope.everything())[["batch_id", "status"]].T.values))
    assert statuses[b1] == "loaded"


def test_out_of_scope_rows_write_nothing(engine):
    before = snapshot(engine)
    out = load(engine, csv(ROWS[0], "鼓东街道,2024-03-05,家庭教育,执委,线下,5"), scope="350111")
    assert out.status == "refused" and list(out.problems["row"]) == [3]
    assert snapshot(engine) == before
    frame = prepare_upload(engine, csv(ROWS[0]), "t.csv", scope=Scope.everything()).frame
    with pytest.raises(LoadRefused):
        load_batch(engine, {"training": frame}, scope=Scope("350102"))
    assert snapshot(engine) == before


@pytest.mark.parametrize("name", ["personal_data.csv", "corrupt.xlsx", "empty.csv", "junk.bin"])
def test_refused_files_leave_the_warehouse_unchanged_but_audited(engine, name):
    before = snapshot(engine)
    n_audit = count(engine, s.audit_event)
    out = load(engine, (FIX / name).read_bytes(), name)
    assert out.status == "refused" and len(out.problems)
    assert snapshot(engine) == before
    assert count(engine, s.audit_event) == n_audit + 1


def test_failure_half_way_leaves_nothing(engine):
    load(engine, csv(ROWS[0]))
    before = snapshot(engine)
    with pytest.raises(RuntimeError, match="injected"):
        load(engine, csv(*ROWS), fail_after_rows=1)
    assert snapshot(engine) == before


def test_demo_rows_are_superseded_like_any_others(engine):
    frame = prepare_upload(engine, csv(*ROWS), "demo.csv", scope=Scope.everything()).frame
    demo = load_batch(engine, {"training": frame}, is_demo=True, dataset_label="demo",
                      scope=Scope.everything()).batch_id
    real = load(engine, csv(ROWS[0].replace(",5", ",50")))
    assert real.counts.replaced == 1
    hist = facts(engine, s.training_session_history)
    assert list(hist["batch_id"]) == [demo]
    assert list_batches(engine, scope=Scope.everything()).set_index("batch_id").loc[demo, "is_demo"]


def test_screening_composite_keys_and_audit(engine):
    data = (FIX / "screening_gb18030.csv").read_bytes()
    b1 = load(engine, data).batch_id
    out = load(engine, data.replace("120".encode(), "121".encode()))
    assert out.counts.replaced == 1 and out.counts.unchanged == 2
    rollback_batch(engine, out.batch_id, user="ana", scope=Scope.everything())
    assert sorted(facts(engine, s.screening)["screened"]) == [60, 90, 120]
    assert set(facts(engine, s.screening)["batch_id"]) == {b1}
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(select(s.audit_event.c.action)
                                              .order_by(s.audit_event.c.id))]
    assert actions == ["load", "load", "rollback"]


def test_concurrent_loads_do_not_interleave(engine):
    files = [csv(ROWS[0], ROWS[1]), csv(ROWS[0].replace(",5", ",55"), ROWS[2])]
    prepared = [prepare_upload(engine, f, "t.csv", scope=Scope("350111")) for f in files]
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def run(i):
        barrier.wait()
        try:
            results[i] = load_prepared(engine, prepared[i], user=f"u{i}")
        except Exception as exc:  # a clear LoadConflict is acceptable; a half-write is not
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    loaded = [r for r in results if not isinstance(r, Exception)]
    assert loaded, results
    batches = list_batches(engine, scope=Scope.everything())
    assert len(batches) == len(loaded) and batches["batch_id"].is_unique
    cur = facts(engine)
    assert cur["session_id"].is_unique
    # every current row belongs to a recorded batch, and history points at a recorded batch
    assert set(cur["batch_id"]) <= set(batches["batch_id"])
    hist = facts(engine, s.training_session_history)
    if len(hist):
        assert set(hist["superseded_by"]) <= set(batches["batch_id"])
    if len(loaded) == 2:
        assert len(cur) == 3 and len(hist) == 1


@pytest.mark.parametrize("most_statements", [0, 10_000])  # 0: always the staged join
def test_superseded_rows_are_deleted_alike_by_in_lists_and_by_a_staged_join(engine, monkeypatch,
                                                                             most_statements):
    from lib.warehouse import loading

    monkeypatch.setattr(loading, "MAX_STATEMENTS", most_statements)
    load(engine, csv(*ROWS))
    out = load(engine, csv(ROWS[0].replace(",5", ",6"), ROWS[1].replace(",7", ",9"), ROWS[2]))
    assert (out.counts.added, out.counts.replaced, out.counts.unchanged) == (0, 2, 1)
    cur = facts(engine)
    assert sorted(cur["participants"]) == [6, 9, 20] and len(cur) == 3
    assert sorted(facts(engine, s.training_session_history)["participants"]) == [5, 7]
