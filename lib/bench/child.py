"""``python -m lib.bench.child MODULE [ARGS…]``: run ``python -m MODULE ARGS…`` in this process,
then print this process's own peak resident memory on stderr.

Why a launcher: the benchmark starts its loads from a process that may hold gigabytes (the national
warehouse it has just built, its frames). ``ru_maxrss`` of a child, as ``wait4`` or
``getrusage`` report it, is not the child's alone on Linux: exec folds the high-water mark of the
address space it replaces into the process's rusage, and a child forked (or vforked, as
``subprocess`` does) from the benchmark replaces a copy of the benchmark's. One benchmark run
reported a 4.9 GB load that way. ``VmHWM`` in /proc/self/status belongs to the address space exec
created, so read here, after the module ran, it is the load's own peak.
"""
from __future__ import annotations

import argparse
import resource
import runpy
import sys
from pathlib import Path

from lib import cli

PEAK_MARK = "halfsky-child-peak-kb:"
STATUS = Path("/proc/self/status")


def peak_kb() -> int:
    """This process's peak resident set in KiB: VmHWM where /proc has it, else ru_maxrss (which
    may include what the process was before its exec)."""
    if STATUS.exists():
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage  # macOS counts bytes


def parse_peak(stderr: str) -> tuple[int | None, str]:
    """(peak KiB, the child's stderr without the launcher's line) from what a child printed."""
    peak = None
    kept = []
    for line in stderr.splitlines():
        if line.startswith(PEAK_MARK):
            peak = int(line[len(PEAK_MARK):].strip())
        else:
            kept.append(line)
    return peak, "\n".join(kept)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser("lib.bench.child", "Run python -m MODULE ARGS in this process, then print "
                                           "its peak resident memory (VmHWM) on stderr as "
                                           f"'{PEAK_MARK} N' (KiB): how the benchmark measures a "
                                           "load in a fresh child.")
    parser.add_argument("module", help="the module to run, e.g. lib.ingest")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments, as given")
    parsed = parser.parse_args(argv)
    module, rest = parsed.module, parsed.args
    sys.argv = [module, *rest]
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_code(exc.code)
    finally:
        sys.stdout.flush()
        print(f"{PEAK_MARK} {peak_kb()}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
