"""Selecting fact rows by their natural key, for loads (which rows a file supersedes) and rollbacks
(which restored keys a later batch took).

Id-keyed facts are keyed by (id_scope, id) since schema 2: the WHERE clauses match one namespace at a
time, so a lookup never reaches a row of another district that happens to share the ledger's number.

Many keys, or keys spread over many namespaces, are staged in a temporary table instead
(``staged``) and matched by a join: one statement whatever their number, where the IN lists were one
statement per district and chunk, each scanning the fact table (2,850 of them for a national file).
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterable, Iterator

import pandas as pd
from sqlalchemy import Column, Connection, MetaData, String, Table, and_
from sqlalchemy.sql.elements import ColumnElement

from lib.warehouse.bulk import bulk_insert
from lib.warehouse.schema import ID_SCOPE

CHUNK = 5000
# More statements than this (chunks × namespaces) and the keys are staged and joined instead.
MAX_STATEMENTS = 20


def statements(keys: pd.DataFrame, chunk: int = CHUNK) -> int:
    """How many WHERE clauses ``key_conditions`` would yield for ``keys``."""
    cols = list(keys.columns)
    if len(cols) == 1:
        return -(-keys[cols[0]].nunique() // chunk)
    col = next(c for c in cols if c != ID_SCOPE)
    per_scope = keys.groupby(ID_SCOPE, sort=False)[col].nunique()
    return int((-(-per_scope // chunk)).sum())


@contextmanager
def staged(conn: Connection, table: Table, keys: pd.DataFrame
           ) -> Iterator[tuple[Table, ColumnElement]]:
    """``keys`` (text columns of ``table``'s key) bulk-loaded into a temporary table, dropped
    after: yields that table and the condition joining it to ``table``."""
    cols = list(keys.columns)
    tmp = Table(f"_keys_{uuid.uuid4().hex[:12]}", MetaData(),
                *[Column(f"k{i}", String(64)) for i in range(len(cols))], prefixes=["TEMPORARY"])
    tmp.create(conn)
    try:
        bulk_insert(conn, tmp, pd.DataFrame({f"k{i}": keys[c].to_numpy()
                                             for i, c in enumerate(cols)}, dtype=object))
        yield tmp, and_(*[table.c[c] == tmp.c[f"k{i}"] for i, c in enumerate(cols)])
    finally:
        tmp.drop(conn)


def key_conditions(table, keys: pd.DataFrame, chunk: int = CHUNK) -> Iterator:
    """WHERE clauses (at most ``chunk`` keys each) matching exactly the rows of these keys, which are
    one column or (id_scope, id): one ``id_scope = … AND id IN (…)`` per namespace and chunk."""
    cols = list(keys.columns)
    if len(cols) == 1:
        yield from _in_chunks(table.c[cols[0]], list(pd.unique(keys[cols[0]])), chunk)
        return
    if ID_SCOPE not in cols or len(cols) != 2:
        raise ValueError(f"key_conditions takes one column or (id_scope, id), not {cols}")
    col = next(c for c in cols if c != ID_SCOPE)
    for scope_value, group in keys.groupby(ID_SCOPE, sort=True):
        for where in _in_chunks(table.c[col], list(pd.unique(group[col])), chunk):
            yield and_(table.c[ID_SCOPE] == scope_value, where)


def _in_chunks(column, values: list, chunk: int) -> Iterable:
    for i in range(0, len(values), chunk):
        yield column.in_(values[i:i + chunk])
