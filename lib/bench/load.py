"""Loading a 1,000,000-row training CSV through ``python -m lib.ingest load`` in a child process:
wall time and the child's peak RSS. The load goes into a copy of the benchmark warehouse (DuckDB),
so the figures include key checks against a warehouse of the benchmark's size, and the benchmark
warehouse itself is never changed."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from lib.bench.timing import log
from lib.warehouse.reference import regions_frame

ROOT = Path(__file__).resolve().parents[2]
HEADER = {"session_id": "培训编号", "region_code": "区划代码", "held_on": "培训日期",
          "topic": "培训主题", "audience": "培训对象", "mode": "培训方式",
          "participants": "参训人次", "hours": "学时"}


def write_csv(engine: Engine, path: Path, rows: int, seed: int = 0) -> None:
    """A training ledger of ``rows`` rows over the warehouse's townships, with Chinese headers."""
    rng = np.random.default_rng(seed)
    towns = regions_frame(engine)
    towns = towns[towns["level"] == "township"]["code"].to_numpy()
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, rows), unit="D")
    frame = pd.DataFrame({
        "session_id": [f"BENCH-TR-{i:08d}" for i in range(rows)],
        "region_code": towns[rng.integers(0, len(towns), rows)],
        "held_on": days.strftime("%Y-%m-%d"),
        "topic": rng.choice(["家庭教育", "维权普法", "技能培训", "健康知识"], rows),
        "audience": rng.choice(["妇女群众", "农村妇女", "女大学生"], rows),
        "mode": rng.choice(["线下", "线上"], rows),
        "participants": rng.integers(10, 300, rows), "hours": rng.choice([2, 3, 4, 8], rows)})
    frame.rename(columns=HEADER).to_csv(path, index=False)


def run_load(url: str, engine: Engine, rows: int = 1_000_000) -> dict | None:
    """{seconds, peak_rss_mb, rows, exit_code}; None when the warehouse is not a DuckDB file."""
    if not url.startswith("duckdb:///"):
        log("  load_1m: skipped (only measured on a DuckDB file, loaded into a copy)")
        return None
    src = Path(url.split("///", 1)[1])
    with tempfile.TemporaryDirectory(prefix="halfsky_bench_") as tmp:
        csv = Path(tmp) / "training_1m.csv"
        write_csv(engine, csv, rows)
        copy = Path(tmp) / "copy.duckdb"
        from lib.warehouse.engine import dispose_engine
        dispose_engine(url)  # release the file so the copy is consistent
        shutil.copyfile(src, copy)
        log(f"  load: {rows:,} rows, CSV {csv.stat().st_size / 1e6:.0f} MB, into a copy of {src.name}")
        cmd = [sys.executable, "-m", "lib.ingest", "load", str(csv), "--dataset", "training",
               "--db", f"duckdb:///{copy}"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out_r, err_r = proc.stdout, proc.stderr
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in every other child).
        stdout = out_r.read().decode(errors="replace")
        stderr = err_r.read().decode(errors="replace")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t0
    code = proc.returncode
    if code != 0:
        log(f"  load failed ({code}): {stdout[-500:]} {stderr[-1500:]}")
    else:
        log(f"  load: {stdout.strip().splitlines()[0] if stdout.strip() else ''}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 0),
            "rows": rows, "exit_code": code}
