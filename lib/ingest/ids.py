"""Deterministic ids from natural keys, so the same ledger row uploaded twice is the same row.

A row without its own id gets ``<prefix>-`` + sha1 of its natural key (region|date|topic|…). Rows of one
file that share a natural key (two sessions on one day with the same topic and audience) are told apart
by their order of appearance, which a re-upload of the same ledger reproduces.
"""
from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd

PREFIX = {"training": "trn", "job_fair": "fair", "org_unit": "org"}


def key_text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def derive_ids(frame: pd.DataFrame, dataset: str, natural_key: tuple[str, ...]
               ) -> tuple[pd.Series, int]:
    """An id per row (sha1 of the natural key and occurrence) and how many rows shared a key."""
    joined = pd.Series("", index=frame.index, dtype=object)
    for i, col in enumerate(natural_key):
        values = frame[col].astype(object)
        uniq = {v: key_text(v) for v in pd.unique(values)}
        text = values.map(uniq).astype(object)
        joined = text if i == 0 else joined + "|" + text
    occurrence = joined.groupby(joined).cumcount()
    shared = int(joined.duplicated(keep=False).sum())
    text = joined.where(occurrence == 0, joined + "#" + occurrence.astype(str))
    prefix = PREFIX[dataset]
    ids = pd.Series([f"{prefix}-{hashlib.sha1(t.encode('utf-8')).hexdigest()[:24]}" for t in text],
                    index=frame.index, dtype=object)
    return ids, shared
