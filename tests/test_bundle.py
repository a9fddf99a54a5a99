"""The offline bundle installs with no package index and no network, and the app it holds starts.

Built from this checkout's committed files (``python -m lib.bundle``), unpacked into a folder of its
own, installed by its ``install.sh`` inside a network namespace with nothing but loopback (when this
process may make one: root, as in CI), then served by ``streamlit run serve.py`` from that folder.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import urllib.request

import pytest

from lib import bundle
from tests.browser_util import streamlit_process
from tests.conftest import ROOT


def _offline(cmd: list[str]) -> list[str]:
    """``cmd`` in a network namespace of its own when one can be made, so a download would fail."""
    unshare = shutil.which("unshare")
    if os.geteuid() == 0 and unshare and subprocess.run([unshare, "-n", "true"]).returncode == 0:
        return [unshare, "-n", *cmd]
    return cmd


def test_app_files_leave_out_tests_and_keep_what_runs():
    files = bundle.app_files()
    assert {"app.py", "serve.py", "requirements.txt", ".streamlit/config.toml"} <= set(files)
    assert any(f.startswith("views/") for f in files) and any(f.startswith("data/") for f in files)
    assert not [f for f in files if f.startswith(("tests/", ".ci/"))]


def test_refuses_an_archive_name_it_would_not_write(tmp_path, capsys):
    assert bundle.main([str(tmp_path / "halfsky.zip")]) == 2
    assert "tar.gz" in capsys.readouterr().err
    assert not (tmp_path / "halfsky.zip").exists()


def test_the_wheelhouse_lock_pins_each_wheel_by_its_own_hash(tmp_path):
    a = tmp_path / "prcoords-1.0.2-py3-none-any.whl"
    b = tmp_path / "psycopg_binary-3.3.9-cp311-cp311-manylinux_2_28_x86_64.whl"
    a.write_bytes(b"built here from the sdist")
    b.write_bytes(b"downloaded")
    lines = bundle.wheelhouse_lock([b, a]).splitlines()[1:]
    assert lines == [f"prcoords==1.0.2 --hash=sha256:{hashlib.sha256(a.read_bytes()).hexdigest()}",
                     f"psycopg_binary==3.3.9 --hash=sha256:{hashlib.sha256(b.read_bytes()).hexdigest()}"]


def test_bundle_installs_offline_and_serves(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("a bundle packs committed files: this copy is not a git checkout")
    out = tmp_path / "halfsky-offline.tar.gz"
    made = bundle.build(out, say=lambda _line: None)
    assert made.wheels >= 30 and made.size > 10 * 2**20
    target = tmp_path / "server"
    target.mkdir()
    with tarfile.open(out) as tar:
        names = tar.getnames()
        assert {"install.sh", "requirements.txt", "wheelhouse/requirements.txt"} <= set(names)
        lock = tar.extractfile("wheelhouse/requirements.txt").read().decode()
        assert len([line for line in lock.splitlines() if "--hash=sha256:" in line]) == made.wheels
        assert not [n for n in names if n.startswith("tests/")]
        tar.extractall(target, filter="tar")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "HALFSKY_", "VIRTUAL_ENV"))}
    env["PYTHON"] = os.path.realpath(sys.executable)  # this interpreter, not this test venv's
    done = subprocess.run(_offline(["./install.sh"]), cwd=target, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert done.returncode == 0, done.stdout + done.stderr
    python = target / ".venv" / "bin" / "python"
    assert python.exists()
    serve_env = {"HALFSKY_NO_DEMO": "1", "HALFSKY_SETUP_CODE": "bundle-test-setup-code",
                 "HALFSKY_DB_URL": f"duckdb:///{target / 'data' / 'warehouse.duckdb'}"}
    with streamlit_process(serve_env, python=str(python), root=target) as server:
        with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as answer:
            assert answer.read() == b"ok"
        with urllib.request.urlopen(server.url, timeout=10) as answer:
            assert answer.status == 200
        assert "Traceback" not in server.log()
