"""Cell normalisers: full-width digits, thousands separators, percentages and every date form a
ledger uses (2024-03-05, 2024/3/5, 2024年3月5日, 2024.03, 2024年3月, an Excel serial).

Pure functions of one cell (raising ValueError on what cannot be read), plus a column helper that
applies them once per distinct value, so a million-row ledger with a few hundred dates stays fast.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.ingest.columns import PY_WHITESPACE, arrow_strings, distinct, map_distinct, spread

EMPTY = {"", "-", "—", "－", "/", "无", "nan", "none", "null", "n/a", "#n/a"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(份)?$")
_COMPACT_DAY = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def clean_text(value: object) -> str:
    """NFKC (full-width digits, ％, ，, （） → ASCII), trimmed; empty markers become ''."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    s = unicodedata.normalize("NFKC", str(value)).strip().replace("\u3000", " ")
    return "" if s.lower() in EMPTY else s


def is_empty(value: object) -> bool:
    return clean_text(value) == ""


def parse_number(value: object) -> float | None:
    """'1,234' → 1234.0, '85%' / '85.0％' → 85.0 (percent units kept), '' → None."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        if isinstance(value, float) and math.isinf(value):
            raise ValueError(value)
        return float(value)
    s = clean_text(value)
    if not s:
        return None
    s = s.replace(",", "").replace(" ", "").replace("'", "")
    if s.endswith("%"):
        s = s[:-1]
    if not _NUMBER.match(s):
        raise ValueError(value)
    out = float(s)
    if math.isinf(out) or math.isnan(out):
        raise ValueError(value)
    return out


def is_percent(value: object) -> bool:
    """'85%' / '８５％': a cell written as a percentage (NFKC folds the full-width sign)."""
    return isinstance(value, str) and clean_text(value).endswith("%")


def parse_count(value: object) -> int | None:
    """A whole number (12 or '12.0' or '1,200'); 12.5 is not a count, nor is '85%' (a rate typed
    into a column of people would otherwise load as 85 people)."""
    if is_percent(value):
        raise ValueError(value)
    num = parse_number(value)
    if num is None:
        return None
    if not num.is_integer() or abs(num) > 2**31 - 1:
        raise ValueError(value)
    return int(num)


def _serial(num: float) -> dt.date:
    if not (1 <= num < 2958466) or not float(num).is_integer():
        raise ValueError(num)
    return EXCEL_EPOCH + dt.timedelta(days=int(num))


def parse_date(value: object) -> dt.date | None:
    """2024-03-05, 2024/3/5, 2024年3月5日, 20240305, an Excel serial, or a month (→ its first day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        if 1900 <= value < 2100 and not float(value).is_integer():
            # Excel keeps a typed-in 2024.03 as the number 2024.03: year and month, not a serial
            year, month = int(value), round((value - int(value)) * 100)
            return dt.date(year, month, 1)
        return _serial(value)
    s = _TIME_TAIL.sub("", clean_text(value))
    if not s:
        return None
    for pattern in (_DAY, _COMPACT_DAY):
        m = pattern.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    for pattern in (_MONTH, _COMPACT_MONTH):
        m = pattern.match(s)
        if m:
            return dt.date(int(m[1]), int(m[2]), 1)
    if s.isdigit() and len(s) == 5:
        return _serial(int(s))
    raise ValueError(value)


def parse_month(value: object) -> dt.date | None:
    """Any date form, reduced to the first day of its month."""
    day = parse_date(value)
    return None if day is None else day.replace(day=1)


def parse_year(value: object) -> int | None:
    """2024, '2024', '2024年', '２０２４年度' → 2024."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    s = clean_text(value)
    if not s:
        return None
    s = re.sub(r"年度?$", "", s)
    num = parse_number(s)
    if num is None or not num.is_integer() or not (1000 <= num <= 9999):
        raise ValueError(value)
    return int(num)


def enum_lookup(values: dict[str, str]) -> dict[str, str]:
    """Label or identifier (NFKC, no spaces, lower case) → identifier."""
    out = {}
    for label, ident in values.items():
        out[_key(label)] = ident
        out[_key(ident)] = ident
    return out


def _key(value: object) -> str:
    return "".join(clean_text(value).lower().split())


def parse_enum(value: object, lookup: dict[str, str]) -> str | None:
    s = _key(value)
    if not s:
        return None
    if s not in lookup:
        raise ValueError(value)
    return lookup[s]


PARSERS = {"date": parse_date, "month": parse_month, "year": parse_year, "count": parse_count,
           "number": parse_number}
DTYPES = {"count": "Int64", "year": "Int64", "number": "Float64", "date": "object",
          "month": "object", "text": "object", "id": "object", "enum": "object",
          "indicator": "object"}


def normalise_column(series: pd.Series, kind: str, lookup: dict[str, str] | None = None
                     ) -> tuple[pd.Series, pd.Series]:
    """The typed column and a mask of cells that could not be read (left empty in the result).

    Each distinct value is parsed once and the results are spread back to the cells, so a million
    rows with a few hundred dates cost a few hundred parses. Identifiers and free text, which are
    mostly distinct, are cleaned column-wise instead (``clean_texts``).
    """
    if kind in ("text", "id"):
        cleaned = clean_texts(series)
        out = np.where(cleaned == "", None, cleaned)
        return pd.Series(out, index=series.index, dtype=object), _no_bad(series)
    if kind in ("enum", "indicator"):
        parse = lambda v: parse_enum(v, lookup or {})  # noqa: E731
    else:
        parse = PARSERS[kind]
    codes, values = distinct(series)
    parsed, bad = [], []
    for v in [*values, None]:  # the last one stands for the missing cells
        try:
            parsed.append(parse(v))
            bad.append(False)
        except (ValueError, TypeError, OverflowError):
            parsed.append(None)
            bad.append(True)
    *parsed, missing = parsed
    *bad, missing_bad = bad
    bad_cells = pd.Series(spread(codes, bad, missing_bad, dtype=bool), index=series.index)
    if kind in ("count", "year", "number"):
        typed = pd.array([*parsed, missing], dtype=DTYPES[kind]).take(
            np.where(codes < 0, len(parsed), codes))
        return pd.Series(typed, index=series.index), bad_cells
    return pd.Series(spread(codes, parsed, missing), index=series.index, dtype=object), bad_cells


def _no_bad(series: pd.Series) -> pd.Series:
    return pd.Series(np.zeros(len(series), dtype=bool), index=series.index)


def clean_texts(series: pd.Series) -> np.ndarray:
    """``clean_text`` of every cell, as an object array.

    For ASCII cells (codes, identifiers) NFKC changes nothing, so ``clean_text`` is ``str.strip``
    plus the empty markers: done in Arrow for the whole column. Only the other cells (Chinese names,
    full-width digits) go through ``clean_text`` itself, once per distinct value.
    """
    arr = arrow_strings(series)
    if arr is None:
        return map_distinct(series, clean_text, missing="")
    ascii_ = pc.fill_null(pc.string_is_ascii(arr), True)
    stripped = pc.utf8_trim(arr, characters=PY_WHITESPACE)
    marker = pc.is_in(pc.ascii_lower(stripped), value_set=pa.array(sorted(EMPTY), stripped.type))
    fast = pc.if_else(pc.fill_null(marker, True), "", pc.fill_null(stripped, ""))
    out = fast.to_numpy(zero_copy_only=False).astype(object)
    slow = np.flatnonzero(~np.asarray(ascii_.to_numpy(zero_copy_only=False), dtype=bool))
    if len(slow):
        out[slow] = map_distinct(series.iloc[slow], clean_text, missing="")
    return out

