"""Keep the garbage collector off the long-lived heap of a running server.

After the first page run a server process holds ~270,000 container objects it keeps for its whole
life (modules of Streamlit, pandas, Altair, SQLAlchemy, …). CPython's full (generation-2)
collection scans all of them: ~110 ms, in about every second cold page run at national scale, paid
by whichever user happens to be waiting. ``gc.freeze()`` moves what exists after that first run
out of the collector's sight, so a full collection scans only what pages allocate since (~5 ms).
Objects frozen are never collected; a full collection first frees the first run's garbage.
"""
from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_settled = False


def settle_once() -> bool:
    """Collect, then freeze, the heap; once per process (True the time it happens)."""
    global _settled
    if _settled:
        return False
    with _lock:
        if _settled:
            return False
        gc.collect()
        gc.freeze()
        _settled = True
        return True
