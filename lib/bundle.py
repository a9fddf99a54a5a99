"""``python -m lib.bundle OUT.tar.gz``: everything a server without internet needs to run halfsky.

Federation servers often sit on government intranets that reach no package index. The bundle holds
the application as committed (no tests, no local warehouse), a wheelhouse of every runtime
requirement built for this machine's platform and Python, and ``install.sh``, which makes ``.venv``
from those wheels alone. On the target: ``tar xzf OUT.tar.gz && ./install.sh``, then the README's
run command (``.venv/bin/streamlit run serve.py``).

A wheelhouse is specific to the platform and the Python minor version it was built with; the
install script checks the version and says which one the bundle wants. requirements.txt pins every
package with the hashes of its published files, and ``pip wheel`` checks them while it fills the
wheelhouse; a project that publishes only source (prcoords) is then built into a wheel whose hash
no index knows, so the bundle carries its own lock, ``wheelhouse/requirements.txt``: every wheel in
it, pinned with the hash of that very file, which ``install.sh`` installs in pip's hash-checking
mode. A wheel changed or swapped after the build stops the install. To update a server, build a
new bundle from the new release and unpack it over a copy of the old folder's ``data/`` warehouse.
"""
from __future__ import annotations

import hashlib
import io
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lib import cli

ROOT = Path(__file__).resolve().parents[1]
# Committed files that a running server has no use for.
LEFT_OUT = ("tests/", ".ci/", "docs/", "requirements-dev.", "requirements-bench.", ".gitignore")

INSTALL_SH = """#!/bin/sh
# Install halfsky from this bundle's wheels alone: no package index, no network.
set -eu
cd "$(dirname "$0")"
PY="${{PYTHON:-python3}}"
WANT="{python}"
HAVE="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$HAVE" != "$WANT" ]; then
  echo "this bundle was built for Python $WANT ({platform}); $PY is $HAVE (set PYTHON=...)" >&2
  exit 2
fi
"$PY" -m venv .venv
# Ignore any pip configuration of this machine (an index, find-links, constraints): only ./wheelhouse.
env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \\
  .venv/bin/pip install --quiet --no-index --find-links wheelhouse --require-hashes \\
  -r wheelhouse/requirements.txt
echo "installed. start: .venv/bin/streamlit run serve.py"
"""


@dataclass(frozen=True)
class Bundle:
    path: Path
    size: int
    files: int
    wheels: int
    seconds: float


def app_files(root: Path = ROOT) -> list[str]:
    """The committed files a server needs: git's list, less tests and development files."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True,
                                capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"{root} is not a git checkout: a bundle packs committed files only") from exc
    return sorted(f for f in listed if f and not f.startswith(LEFT_OUT) and (root / f).is_file())


def build_wheelhouse(folder: Path, requirements: Path, say: Callable[[str], None]) -> list[Path]:
    """Wheels of every requirement (and theirs) for this platform, built from sdists where a project
    publishes no wheel, so the target needs neither an index nor a compiler."""
    folder.mkdir(parents=True, exist_ok=True)
    say(f"building the wheelhouse from {requirements.name} (pip wheel; this takes a few minutes)")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(folder),
                    "-r", str(requirements)], check=True)
    return sorted(folder.glob("*.whl"))


def wheelhouse_lock(wheels: list[Path]) -> str:
    """A requirements file naming each wheel by its name and version, with its own SHA-256."""
    lines = ["# Every wheel of this bundle's wheelhouse, with the hash of the file itself "
             "(python -m lib.bundle)."]
    for wheel in sorted(wheels, key=lambda w: w.name.lower()):
        name, version = wheel.name.split("-")[:2]
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        lines.append(f"{name}=={version} --hash=sha256:{digest}")
    return "\n".join(lines) + "\n"


def build(out: Path, *, root: Path = ROOT, say: Callable[[str], None] = print) -> Bundle:
    started = time.perf_counter()
    files = app_files(root)
    python = "%d.%d" % sys.version_info[:2]
    with tempfile.TemporaryDirectory(prefix="halfsky-bundle-") as tmp:
        wheels = build_wheelhouse(Path(tmp) / "wheelhouse", root / "requirements.txt", say)
        say(f"packing {len(files)} files and {len(wheels)} wheels into {out}")
        out.parent.mkdir(parents=True, exist_ok=True)
        # wheels are zip files already: a light gzip level packs nearly as small, much sooner
        with tarfile.open(out, "w:gz", compresslevel=1) as tar:
            for name in files:
                tar.add(root / name, arcname=name)
            for wheel in wheels:
                tar.add(wheel, arcname=f"wheelhouse/{wheel.name}")
            _add_text(tar, "wheelhouse/requirements.txt", wheelhouse_lock(wheels), mode=0o644)
            _add_text(tar, "install.sh", INSTALL_SH.format(python=python,
                                                           platform=platform.machine()), mode=0o755)
            _add_text(tar, "BUNDLE.txt", f"python {python}\nplatform {platform.machine()}\n"
                                         f"built {time.strftime('%Y-%m-%d %H:%M')}\n", mode=0o644)
    return Bundle(out, out.stat().st_size, len(files), len(wheels), time.perf_counter() - started)


def _add_text(tar: tarfile.TarFile, name: str, text: str, mode: int) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    tar.addfile(info, io.BytesIO(data))


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.bundle", "Pack the app, a wheelhouse of its requirements for this "
                                      "platform and Python, and install.sh into one archive that "
                                      "installs without network.")
    parser.add_argument("out", type=Path, help="the archive to write, e.g. halfsky-offline.tar.gz")
    args = parser.parse_args(argv)
    if not args.out.name.endswith((".tar.gz", ".tgz")):
        return cli.refuse(f"{args.out} must end in .tar.gz or .tgz")
    try:
        made = build(args.out)
    except RuntimeError as exc:
        return cli.refuse(str(exc))
    except subprocess.CalledProcessError as exc:
        return cli.fail(f"{' '.join(map(str, exc.cmd[:4]))} … exited {exc.returncode}")
    print(f"{made.path}: {made.size / 2**20:,.0f} MiB, {made.files} files, {made.wheels} wheels, "
          f"{made.seconds:,.0f} s")
    return cli.OK


if __name__ == "__main__":
    sys.exit(main())
