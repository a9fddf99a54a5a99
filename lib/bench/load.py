"""Loading a 1,000,000-row training CSV through ``python -m lib.ingest load`` in a child process:
wall time and the child's own peak RSS (VmHWM, reported by the ``lib.bench.child`` launcher), twice.

1. ``load_1m``: a first load. Its ids are new to the warehouse, so the loader takes its first-load
   path (nothing to merge).
2. ``load_1m_reload``: the *same* million rows again, 10 % of them with a changed value, in a random
   row order (not sorted by id or region), as an analyst re-uploading a corrected ledger would. Every
   id is now stored, so this goes through the merge path: fetch the stored rows, compare, supersede
   the changed 10 % into history, insert their new versions.

On DuckDB both go into a copy of the benchmark warehouse, so the key checks run against a warehouse
of the benchmark's size and the benchmark warehouse itself never changes. On PostgreSQL
(``pg_load_1m``) they go into a scratch schema holding a copy of the benchmark schema's regions,
dropped afterwards. The rows of the first file are in random region order as well: townships are
drawn at random per row, ids are sequential.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, func, select, text

from lib import settings
from lib.bench.child import parse_peak
from lib.bench.timing import log
from lib.warehouse import schema as s
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.engine import dispose_engine
from lib.warehouse.reference import regions_frame

ROOT = Path(__file__).resolve().parents[2]
HEADER = {"session_id": "培训编号", "region_code": "区划代码", "held_on": "培训日期",
          "topic": "培训主题", "audience": "培训对象", "mode": "培训方式",
          "participants": "参训人次", "hours": "学时"}
CHANGED_SHARE = 0.10


def township_codes(engine: Engine) -> np.ndarray:
    regions = regions_frame(engine)
    return regions[regions["level"] == "township"]["code"].to_numpy()


def training_frame(towns: np.ndarray, rows: int, seed: int = 0) -> pd.DataFrame:
    """A training ledger of ``rows`` rows over ``towns`` (English column names)."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, rows), unit="D")
    return pd.DataFrame({
        "session_id": [f"BENCH-TR-{i:08d}" for i in range(rows)],
        "region_code": towns[rng.integers(0, len(towns), rows)],
        "held_on": days.strftime("%Y-%m-%d"),
        "topic": rng.choice(["家庭教育", "维权普法", "技能培训", "健康知识"], rows),
        "audience": rng.choice(["妇女群众", "农村妇女", "女大学生"], rows),
        "mode": rng.choice(["线下", "线上"], rows),
        "participants": rng.integers(10, 300, rows), "hours": rng.choice([2, 3, 4, 8], rows)})


def revised(frame: pd.DataFrame, share: float = CHANGED_SHARE, seed: int = 1) -> pd.DataFrame:
    """``frame`` re-uploaded: ``share`` of its rows with one more participant, every row shuffled."""
    rng = np.random.default_rng(seed)
    out = frame.copy()
    changed = rng.choice(len(out), size=int(round(len(out) * share)), replace=False)
    out.loc[changed, "participants"] = out.loc[changed, "participants"] + 1
    return out.iloc[rng.permutation(len(out))].reset_index(drop=True)


def write_csv(engine: Engine, path: Path, rows: int, seed: int = 0) -> None:
    """A training ledger of ``rows`` rows over the warehouse's townships, with Chinese headers."""
    training_frame(township_codes(engine), rows, seed).rename(columns=HEADER).to_csv(path,
                                                                                  index=False)


def _cli_load(csv: Path, db: str, env: dict[settings.Setting, str] | None = None) -> dict:
    """{seconds, peak_rss_mb, exit_code, summary} of one ``python -m lib.ingest load``, run in a
    fresh child through ``lib.bench.child``, which reports the child's own peak (VmHWM): never the
    memory the benchmark process itself holds, which a forked child's rusage would count."""
    cmd = [sys.executable, "-m", "lib.bench.child", "lib.ingest", "load", str(csv), "--dataset",
           "training", "--db", db]
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        t0 = time.perf_counter()
        code = subprocess.call(cmd, cwd=ROOT, stdout=out_f, stderr=err_f,
                               env=settings.child_env(env or {}))
        seconds = time.perf_counter() - t0
        out_f.seek(0)
        err_f.seek(0)
        out = out_f.read().decode(errors="replace")
        peak_kb, err = parse_peak(err_f.read().decode(errors="replace"))
    if code != 0:
        log(f"  load failed ({code}): {out[-500:]} {err[-1500:]}")
    summary = out.strip().splitlines()[0] if out.strip() else ""
    peak_mb = None if peak_kb is None else round(peak_kb / 1024, 0)
    log(f"  load: {seconds:.1f} s, peak {peak_mb} MB · {summary}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": peak_mb, "peak_rss_of": "the child (VmHWM)",
            "exit_code": code, "summary": summary}


def _pair(towns: np.ndarray, tmp: Path, rows: int, db: str,
          env: dict[settings.Setting, str] | None = None) -> tuple[dict, dict]:
    frame = training_frame(towns, rows)
    first, again = tmp / "training_1m.csv", tmp / "training_1m_revised.csv"
    frame.rename(columns=HEADER).to_csv(first, index=False)
    revised(frame).rename(columns=HEADER).to_csv(again, index=False)
    del frame
    log(f"  load: {rows:,} rows, CSV {first.stat().st_size / 1e6:.0f} MB; then the same rows, "
        f"{CHANGED_SHARE:.0%} changed, shuffled")
    load = {**_cli_load(first, db, env), "rows": rows, "path": "first load"}
    reload = {**_cli_load(again, db, env), "rows": rows, "changed_rows": int(rows * CHANGED_SHARE),
              "path": "merge", "order": "random"}
    return load, reload


def run_load(url: str, engine: Engine, rows: int = 1_000_000) -> tuple[dict | None, dict | None]:
    """(load_1m, load_1m_reload) on a copy of the DuckDB warehouse; (None, None) when the
    warehouse is not a DuckDB file."""
    if not url.startswith("duckdb:///"):
        log("  load_1m: skipped (measured on a DuckDB file, loaded into a copy)")
        return None, None
    src = Path(url.split("///", 1)[1])
    with tempfile.TemporaryDirectory(prefix="halfsky_bench_") as tmp:
        copy = Path(tmp) / "copy.duckdb"
        towns = township_codes(engine)
        size = warehouse_size(engine)
        dispose_engine(url)  # release the file so the copy is consistent
        shutil.copyfile(src, copy)
        load, reload = _pair(towns, Path(tmp), rows, f"duckdb:///{copy}")
    return {**load, "warehouse": size}, {**reload, "warehouse": size}


def warehouse_size(engine: Engine) -> dict[str, int]:
    """What the loads went into: the warehouse's regions, townships and stored training rows (the
    figures are comparable between scales only with these beside them)."""
    with engine.connect() as conn:
        count = lambda q: int(conn.execute(q).scalar_one())  # noqa: E731
        return {"regions": count(select(func.count()).select_from(s.region)),
                "townships": count(select(func.count()).select_from(s.region)
                                   .where(s.region.c.level == "township")),
                "training_rows": count(select(func.count()).select_from(s.training_session))}


def run_pg_load(pg_url: str, src_schema: str, rows: int = 1_000_000) -> dict | None:
    """{seconds, peak_rss_mb, reload_seconds, reload_peak_rss_mb, ...}: the same two loads into a
    scratch schema of ``pg_url`` that holds a copy of ``src_schema``'s regions (dropped after)."""
    scratch = f"bench_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{scratch}"'))
        engine = open_warehouse(pg_url, pg_schema=scratch, load_default_regions=False)
        cols = ", ".join(f'"{c.name}"' for c in s.region.columns)
        with admin.begin() as conn:
            conn.execute(text(f'INSERT INTO "{scratch}".region ({cols}) '
                              f'SELECT {cols} FROM "{src_schema}".region'))
        towns = township_codes(engine)
        dispose_engine(pg_url, pg_schema=scratch)
        with tempfile.TemporaryDirectory(prefix="halfsky_bench_pg_") as tmp:
            load, reload = _pair(towns, Path(tmp), rows, pg_url, {settings.DB_SCHEMA: scratch})
    finally:
        dispose_engine(pg_url, pg_schema=scratch)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{scratch}" CASCADE'))
        admin.dispose()
    return {**load, "reload_seconds": reload["seconds"],
            "reload_peak_rss_mb": reload["peak_rss_mb"], "reload_exit_code": reload["exit_code"],
            "reload_summary": reload["summary"], "changed_rows": reload["changed_rows"]}
