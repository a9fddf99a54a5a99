"""A load's memory does not grow with the warehouse: the same training file, loaded into a small
warehouse and into one ten times larger (ten times the regions, ten times the stored rows), peaks
within 1.3× in both. Each load runs in a fresh child through ``lib.bench.child``, which reports the
child's own peak (VmHWM), so neither this test process nor the build leaks into the figure.

The warehouses are built cheaply: the demo city's regions, relabelled into nine more cities for the
large one, and synthetic training rows written by ``bulk_insert`` (rollups rebuilt once). The file
re-uploads stored rows (a tenth of them changed: the merge path, with deletes) and adds new ones
(the first-load path's inserts), so every step of a load that could read a whole table runs.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.warehouse import divisions
from lib.bench.child import parse_peak
from lib.bench.load import HEADER
from lib.ingest.specs import DATASETS
from lib.warehouse import rollups
from lib.warehouse import schema as s
from lib.warehouse.bootstrap import open_warehouse
from lib.warehouse.bulk import bulk_insert
from lib.warehouse.engine import dispose_engine, write_transaction
from lib.warehouse.reference import replace_regions

ROOT = Path(__file__).resolve().parents[1]
STORED = 40_000  # training rows of the small warehouse; the large one holds ten times as many
FILE_ROWS = 40_000  # half of them stored rows (a tenth of those changed), half new
RATIO = 1.3


def _regions(copies: int) -> pd.DataFrame:
    """The demo city's regions, plus ``copies - 1`` relabelled cities (codes 3502…, 3503…)."""
    base = divisions.read_division_files(divisions.DEFAULT_TOWNSHIPS, divisions.DEFAULT_VILLAGES)
    below = base[base["level"] != "province"]
    parts = [base]
    for k in range(2, copies + 1):
        prefix = f"35{k:02d}"
        part = below.copy()
        part["code"] = prefix + part["code"].str[4:]
        is_city = part["level"] == "city"
        part.loc[~is_city, "parent_code"] = prefix + part.loc[~is_city, "parent_code"].str[4:]
        part.loc[is_city, "name"] = part.loc[is_city, "name"] + f"{k}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _towns(regions: pd.DataFrame) -> np.ndarray:
    return regions.loc[regions["level"] == "township", "code"].to_numpy()


def _training(ids: list[str], towns: np.ndarray, start: int, *, stored: bool = True,
              since: str = "2024-01-01", days: int = 700) -> pd.DataFrame:
    """Training rows, their values a function of their number (so both warehouses agree): as
    stored (the enums' codes) or as a ledger writes them (their Chinese labels)."""
    n = np.arange(start, start + len(ids))
    frame = pd.DataFrame({
        "session_id": ids, "region_code": towns[n % len(towns)],
        "held_on": (pd.Timestamp(since) + pd.to_timedelta(n % days, unit="D")).date,
        "topic": np.array(["家庭教育", "维权普法", "技能培训", "健康知识"])[n % 4],
        "audience": np.array(["妇女群众", "农村妇女", "女大学生"])[n % 3],
        "mode": np.array(["线下", "线上"])[n % 2],
        "participants": 10 + n % 290, "hours": np.array([2.0, 3.0, 4.0, 8.0])[n % 4]})
    if stored:
        for col in ("topic", "audience", "mode"):
            frame[col] = frame[col].map(DATASETS["training"].col(col).values)
    return frame


def _build(path: Path, copies: int) -> str:
    """A warehouse of ``copies`` cities holding ``copies * STORED`` training rows; the first STORED
    rows (ids WH-…) are the same in every size, and the first FILE_ROWS / 2 of them are the file's."""
    url = f"duckdb:///{path}"
    engine = open_warehouse(url, load_default_regions=False)
    regions = _regions(copies)
    replace_regions(engine, regions)
    home = _towns(regions[regions["code"].str[:4] == "3501"])
    half = FILE_ROWS // 2
    # the rows the file re-uploads, then the rest, dated in the year before the file's first
    # month: the history its outlier warnings compare with
    rows = [_training([f"WH-{i:08d}" for i in range(half)], home, 0),
            _training([f"WH-{i:08d}" for i in range(half, STORED)], home, half,
                      since="2023-01-01", days=365)]
    if copies > 1:
        rows.append(_training([f"WH-{i:08d}" for i in range(STORED, copies * STORED)],
                              _towns(regions), STORED, since="2023-01-01", days=365))
    with write_transaction(engine) as conn:
        conn.execute(s.upload_batch.insert().values(
            batch_id=1, dataset="training", filename="synthetic", uploaded_by="test",
            uploaded_at=pd.Timestamp("2026-11-30").to_pydatetime(), rows_read=0, rows_loaded=0,
            rows_rejected=0, status="loaded", is_demo=False, mode="upsert"))
        for frame in rows:
            bulk_insert(conn, s.training_session, frame.assign(batch_id=1))
        rollups.rebuild(conn)
    dispose_engine(url)
    return url


def _file(path: Path) -> Path:
    """Half stored rows (every tenth with one more participant), half new rows, shuffled."""
    home = _towns(_regions(1))
    half = FILE_ROWS // 2
    stored = _training([f"WH-{i:08d}" for i in range(half)], home, 0, stored=False)
    stored.loc[::10, "participants"] += 1
    new = _training([f"NEW-{i:08d}" for i in range(half)], home, 7, stored=False)
    frame = pd.concat([stored, new], ignore_index=True)
    frame = frame.iloc[np.random.default_rng(0).permutation(len(frame))]
    frame.rename(columns=HEADER).to_csv(path, index=False)
    return path


def _load(csv: Path, url: str) -> tuple[int, str]:
    """(peak KiB, stdout) of ``python -m lib.ingest load`` in a fresh child."""
    done = subprocess.run([sys.executable, "-m", "lib.bench.child", "lib.ingest", "load", str(csv),
                           "--dataset", "training", "--db", url], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    peak, err = parse_peak(done.stderr)
    assert done.returncode == 0, err[-2000:]
    assert peak is not None
    return peak, done.stdout


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_a_load_peaks_alike_in_a_warehouse_ten_times_larger(tmp_path):
    csv = _file(tmp_path / "training.csv")
    small = _build(tmp_path / "small.duckdb", 1)
    large = _build(tmp_path / "large.duckdb", 10)
    (small_peak, small_out), (large_peak, large_out) = _load(csv, small), _load(csv, large)
    print(f"peak: small {small_peak / 1024:.0f} MB, ten times larger {large_peak / 1024:.0f} MB")
    expected = f"{FILE_ROWS // 2} added, {FILE_ROWS // 20} replaced"
    assert expected in small_out and expected in large_out
    assert large_peak <= RATIO * small_peak, (small_peak, large_peak)
