"""Bytes → a frame of raw cells indexed by the file's own row numbers, header row found below titles.

CSV is decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a superset of GBK) and
never guessed as latin-1: a wrong guess would load mojibake silently. XLSX goes through openpyxl in
read-only mode. Everything that is not a readable table becomes an IngestRefused, never a traceback.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from lib.ingest.errors import IngestRefused
from lib.ingest.specs import all_headers, norm_header

HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 300 * 1024 * 1024
    max_rows: int = 2_000_000


@dataclass
class RawTable:
    """Cells as read (str for CSV; str/number/datetime for XLSX), columns = the file's own headers."""
    frame: pd.DataFrame
    header_row: int  # 1-based row of the header, as the analyst sees it
    source: str  # csv / xlsx
    encoding: str | None = None
    sheet: str | None = None
    title_lines: list[str] = field(default_factory=list)


def read_table(data: bytes, filename: str = "", *, sheet: str | None = None,
               limits: Limits = Limits()) -> RawTable:
    """Read a CSV or XLSX upload; raises IngestRefused with a plain message on anything unreadable."""
    if not data or not data.strip():
        raise IngestRefused.single("empty_file")
    if len(data) > limits.max_bytes:
        raise IngestRefused.single("too_large", size=round(len(data) / 2**20, 1),
                                   limit=round(limits.max_bytes / 2**20))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(data, sheet)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IngestRefused.single("xls_legacy")
    else:
        table = _read_csv(data)
    if table.frame.empty:
        raise IngestRefused.single("no_rows")
    if len(table.frame) > limits.max_rows:
        raise IngestRefused.single("too_many_rows", rows=len(table.frame), limit=limits.max_rows)
    return table


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOMs first, then strict UTF-8, then strict GB18030; else refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data[:65536]:
            raise IngestRefused.single("binary")
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise IngestRefused.single("binary")
        return text, ("gbk/gb18030" if enc == "gb18030" else enc)
    raise IngestRefused.single("bad_encoding")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls > max(2, len(sample) // 100)


def header_score(cells: list[object]) -> int:
    known = all_headers()
    return sum(1 for c in cells if c is not None and norm_header(c) in known)


def find_header(rows: list[list[object]]) -> int:
    """Index of the row (among the first ones) naming the most known columns; title lines skipped."""
    scores = [header_score(r) for r in rows[:HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    if best < 2:
        raise IngestRefused.single("no_header", n=min(len(rows), HEADER_SEARCH_ROWS))
    return scores.index(best)


def _read_csv(data: bytes) -> RawTable:
    text, encoding = decode_text(data)
    head_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    best: tuple[int, str, list[list[str]]] | None = None
    for delim in (",", "\t", ";"):
        try:
            rows = list(csv.reader(head_lines, delimiter=delim))
        except csv.Error:
            continue
        score = max((header_score(r) for r in rows), default=0)
        if best is None or score > best[0]:
            best = (score, delim, rows)
    if best is None:
        raise IngestRefused.single("binary")
    _, delim, rows = best
    idx = find_header(rows)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delim, skiprows=idx, header=None, dtype=str,
                            keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise IngestRefused.single("bad_csv", detail=str(exc)[:200]) from None
    head = [None if pd.isna(h) else h for h in frame.iloc[0]]
    body = _tidy(frame.iloc[1:].astype(object), head, idx + 1)
    titles = [" ".join(c for c in r if c).strip() for r in rows[:idx]]
    return RawTable(body, idx + 1, "csv", encoding=encoding, title_lines=[t for t in titles if t])


def _read_xlsx(data: bytes, sheet: str | None) -> RawTable:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None
    except Exception as exc:  # openpyxl raises many types on malformed parts
        raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise IngestRefused.single("no_sheet", sheet=sheet, sheets="、".join(wb.sheetnames))
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        try:
            rows = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
        except Exception as exc:  # malformed sheet XML
            raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None
        title = ws.title
    finally:
        wb.close()
    if not rows:
        raise IngestRefused.single("empty_file")
    idx = find_header(rows)
    width = max(len(r) for r in rows)
    data = pd.DataFrame([r + [None] * (width - len(r)) for r in rows[idx + 1:]], dtype=object,
                        columns=range(width))
    body = _tidy(data, rows[idx] + [None] * (width - len(rows[idx])), idx + 1)
    titles = [" ".join(str(c) for c in r if c not in (None, "")).strip() for r in rows[:idx]]
    return RawTable(body, idx + 1, "xlsx", sheet=title, title_lines=[t for t in titles if t])


def _tidy(frame: pd.DataFrame, head: list[object], header_row: int) -> pd.DataFrame:
    """Data rows indexed by their 1-based row number; blank rows and blank unnamed columns dropped."""
    width = frame.shape[1]
    head = list(head) + [None] * (width - len(head))
    names = [("" if h is None else str(h).strip()) or f"(第{i + 1}列)" for i, h in enumerate(head)]
    frame = frame.copy()
    frame.columns = range(width)
    frame.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row")
    blank = pd.DataFrame({c: _blank(frame[c]) for c in frame.columns}, index=frame.index)
    frame = frame[~blank.all(axis=1)]
    keep = [i for i in range(width) if names[i] != f"(第{i + 1}列)" or not blank[i].all()]
    frame = frame[keep]
    frame.columns = [names[i] for i in keep]
    return frame


def _blank(col: pd.Series) -> pd.Series:
    text = col.astype(str).str.strip()
    return col.isna() | (text == "") | (text == "None")
