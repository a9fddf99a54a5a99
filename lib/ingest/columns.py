"""Column helpers that keep a million-row upload out of per-cell Python.

Two patterns carry the pipeline:

* **distinct values** — a ledger column has few distinct values (hundreds of dates, a handful of
  topics, tens of thousands of townships), so a cell function runs once per distinct value and the
  result is spread back to the cells with one array take;
* **vectorised pre-filter, exact check** — one Arrow pass over the whole column finds the few cells
  that *might* need the Python rule (a possible ID number, say); only those go through it, so the
  answer is exactly the Python rule's.

CSV columns arrive Arrow-backed (see ``readers``); XLSX and irregular CSV columns arrive as objects.
Both work here: Arrow columns take the fast paths, object columns the plain ones.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Exactly the characters ``str.strip()`` removes (``str.isspace``), so ``pc.utf8_trim`` with them is
#: ``str.strip`` done in Arrow. tests/test_ingest_columns.py checks the list against Python's.
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
                 "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def arrow_strings(series: pd.Series) -> pa.ChunkedArray | None:
    """The column's Arrow text when it is Arrow-backed text (no copy), else None."""
    dtype = series.dtype
    arrow_backed = (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow") or (
        isinstance(dtype, pd.ArrowDtype) and (pa.types.is_string(dtype.pyarrow_dtype)
                                              or pa.types.is_large_string(dtype.pyarrow_dtype)))
    if not arrow_backed:
        return None
    arr = pa.array(series)
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def distinct(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, values): ``values[codes]`` is the column, code −1 a missing cell (None/NaN/NA/NaT).

    Values come in order of first appearance (so the first value that matches something is the one
    of the first row that does), as Python objects in an object array.
    """
    arr = arrow_strings(series)
    if arr is None:
        codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
        return np.asarray(codes, dtype=np.intp), np.asarray(uniques, dtype=object)
    encoded = pc.dictionary_encode(arr.combine_chunks())
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, encoded.dictionary.to_numpy(zero_copy_only=False)


def spread(codes: np.ndarray, per_value: list | np.ndarray, missing: object,
           dtype: object = object) -> np.ndarray:
    """One result per cell from one result per distinct value; missing cells (−1) get ``missing``."""
    table = np.empty(len(per_value) + 1, dtype=dtype)
    table[:len(per_value)] = per_value
    table[-1] = missing
    return table[codes]  # −1 takes the last slot: the missing cells' result


def map_distinct(series: pd.Series, fn: Callable[[object], object], missing: object = None,
                 dtype: object = object) -> np.ndarray:
    """``fn`` of every cell, computed once per distinct value (missing cells get ``missing``)."""
    codes, values = distinct(series)
    return spread(codes, [fn(v) for v in values], missing, dtype)


def might_match(series: pd.Series, re2_pattern: str, *, min_chars: int = 0,
                non_ascii: bool = False) -> np.ndarray:
    """Cells whose text matches an RE2 pattern, as a boolean mask (missing cells: False).

    Object columns are matched on ``str(value)``. Used as a pre-filter, the pattern must accept
    every cell the exact Python check could accept, since the cells it rejects are not looked at
    again. Cheaper gates skip the pattern for a column none of whose cells could match: a pattern
    needing ``min_chars`` characters, or (``non_ascii``) a character outside ASCII.
    """
    arr = arrow_strings(series)
    if arr is None:
        arr = pa.array([None if _missing(v) else str(v) for v in series.astype(object)],
                       type=pa.large_string())
    gates = []
    if min_chars:
        gates.append(pc.greater_equal(pc.utf8_length(arr), min_chars))
    if non_ascii:
        gates.append(pc.invert(pc.string_is_ascii(arr)))
    if any(not pc.any(g.fill_null(False)).as_py() for g in gates):
        return np.zeros(len(arr), dtype=bool)
    hit = pc.match_substring_regex(arr, re2_pattern).fill_null(False)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def blank_mask(series: pd.Series) -> np.ndarray:
    """Cells that are missing, empty after ``str.strip()``, or the text 'None' (an empty XLSX cell
    that went through ``str``)."""
    missing = np.asarray(series.isna(), dtype=bool)
    arr = arrow_strings(series)
    if arr is None:
        text = series.astype(object).map(lambda v: "" if _missing(v) else str(v).strip())
        return missing | np.asarray(text.isin(["", "None"]), dtype=bool)
    stripped = pc.utf8_trim(arr, characters=PY_WHITESPACE)
    hit = pc.is_in(stripped, value_set=pa.array(["", "None"], stripped.type)).fill_null(False)
    return missing | np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)
