"""lib.bench.child: a load's peak memory is the child's own, whatever its parent holds."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lib.bench.child import PEAK_MARK, parse_peak

ROOT = Path(__file__).resolve().parents[1]
BALLAST_MB = 600


def _child(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lib.bench.child", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_the_child_reports_its_own_peak_not_its_parents():
    ballast = bytearray(BALLAST_MB * 2**20)
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))  # touched: resident here
    done = _child("lib.settings", "--markdown")
    del ballast
    peak, err = parse_peak(done.stderr)
    assert done.returncode == 0, err
    assert "HALFSKY_DUCKDB_MEMORY_LIMIT" in done.stdout  # the module really ran
    assert peak is not None and peak < BALLAST_MB / 2 * 1024, peak  # an interpreter, not 600 MB
    assert PEAK_MARK not in err


def test_the_modules_exit_code_passes_through():
    done = _child("lib.settings", "--no-such-option")
    peak, err = parse_peak(done.stderr)
    assert done.returncode == 2 and "--no-such-option" in err
    assert peak is not None and peak > 0


def test_parse_peak_without_the_launchers_line():
    assert parse_peak("a\nb") == (None, "a\nb")
    assert parse_peak(f"a\n{PEAK_MARK} 1234\n") == (1234, "a")
