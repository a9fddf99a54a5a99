"""Selecting fact rows by their natural key, for loads (which rows a file supersedes) and rollbacks
(which restored keys a later batch took).

Id-keyed facts are keyed by (id_scope, id) since schema 2: the WHERE clauses match one namespace at a
time, so a lookup never reaches a row of another district that happens to share the ledger's number.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pandas as pd
from sqlalchemy import and_

from lib.warehouse.schema import ID_SCOPE

CHUNK = 5000


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
