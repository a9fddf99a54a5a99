"""Repeated timings and their median / 95th percentile, in milliseconds."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np


def measure(fn: Callable[[], object], reps: int, *, before: Callable[[], None] | None = None
            ) -> list[float]:
    """Milliseconds of ``reps`` calls of ``fn`` (``before`` runs untimed ahead of each call)."""
    out = []
    for _ in range(max(1, reps)):
        if before:
            before()
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p50(ms: list[float]) -> float:
    return round(float(np.percentile(ms, 50)), 1)


def p95(ms: list[float]) -> float:
    return round(float(np.percentile(ms, 95)), 1)


def log(msg: str) -> None:
    """Progress goes to stderr so ``--json`` keeps stdout to one object."""
    print(msg, file=sys.stderr, flush=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (its threads included): the server's
    own cost of a page view, apart from the browser's on the same cores."""
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system
