"""A long write in many transactions on one DuckDB instance whose memory is capped.

DuckDB closes a database instance when its last connection closes, and the engines here use
NullPool: an engine made elsewhere than ``get_engine`` (which holds its file open) would checkpoint,
close and reopen the file (and forget every setting) between each two transactions of a build.
Holding one idle connection for the whole build keeps the instance, its caches and its settings.
Capping its memory makes DuckDB spill large aggregates to its temporary directory instead of
growing: rebuilding the township rollups of ten million screening rows grew the process by ~1.7 GB
uncapped. PostgreSQL and other dialects are left as they are.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

# DuckDB's buffer pool for a build: its indexes, the row groups it is writing and every join or
# aggregate's hash tables, beside the Python process's own frames.
BUILD_MEMORY_LIMIT = "1GB"


@contextmanager
def held_open(engine: Engine, memory_limit: str = BUILD_MEMORY_LIMIT) -> Iterator[None]:
    """While the block runs, keep ``engine``'s DuckDB instance open with at most ``memory_limit``
    of buffer memory. A connection opened meanwhile sets the configured limit again
    (``HALFSKY_DUCKDB_MEMORY_LIMIT``, lib.warehouse.engine): an operator's choice wins. After the
    block the instance closes with its last connection, or the next connection sets the configured
    limit."""
    if engine.dialect.name != "duckdb":
        yield
        return
    with engine.connect() as keeper:
        keeper.exec_driver_sql(f"SET memory_limit = '{_checked(memory_limit)}'")
        keeper.commit()  # idle, not an open transaction that would pin old row versions
        try:
            yield
        finally:
            keeper.exec_driver_sql("RESET memory_limit")
            keeper.commit()


def _checked(limit: str) -> str:
    """A size DuckDB reads (``1GB``, ``953.6 MiB``), never text that could end the statement."""
    if not limit or any(c not in "0123456789. KMGTPiBb" for c in limit):
        raise ValueError(f"not a memory size: {limit!r}")
    return limit
