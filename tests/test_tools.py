"""The linters the repository configures (pyproject.toml) pass: ruff on every Python file, mypy on
lib/. Run here so that the README's one test command is the whole check, in CI as on a laptop."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900)


def test_ruff_passes():
    done = _run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_passes_on_lib():
    # the configuration (files, level, the modules still excused) is pyproject.toml's
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success" in done.stdout
