"""Bytes → a frame of raw cells indexed by the file's own row numbers, header row found below titles.

CSV is decoded as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a superset of GBK) and
never guessed as latin-1: a wrong guess would load mojibake silently. XLSX goes through openpyxl in
read-only mode. Everything that is not a readable table becomes an IngestRefused, never a traceback.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from lib.ingest.columns import blank_mask
from lib.ingest.errors import IngestRefused
from lib.ingest.specs import all_headers, norm_header

HEADER_SEARCH_ROWS = 30
BARE_CR = re.compile(r"\r(?!\n)")


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
    if not data or data.isspace():
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
    source = _as_utf8(data)
    return source.text(), source.encoding


@dataclass(frozen=True)
class Utf8Source:
    """A text upload as UTF-8 bytes: the upload itself when it is UTF-8, else re-encoded."""
    data: bytes
    codec: str  # utf-8-sig when ``data`` starts with the upload's own BOM, else utf-8
    encoding: str  # as reported: utf-8 / utf-8-sig / utf-16 / gbk/gb18030
    head: str  # the first characters and lines, for the header search

    def text(self) -> str:
        return self.data.decode(self.codec)


def _candidates(data: bytes) -> list[str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return ["utf-8-sig"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf-16"]
    if b"\x00" in data[:65536]:
        raise IngestRefused.single("binary")
    return ["utf-8", "gb18030"]


def _as_utf8(data: bytes) -> Utf8Source:
    """The upload by the rules of ``decode_text``, as UTF-8 bytes.

    Decoded in slices, so a large upload is never held as one Python string: UTF-8 is only
    validated and handed on as it is (no copy), other encodings are re-encoded slice by slice.
    """
    for enc in _candidates(data):
        try:
            utf8 = _transcode(data, enc)
        except UnicodeDecodeError:
            continue
        codec = "utf-8-sig" if enc == "utf-8-sig" else "utf-8"
        head = _head_text(utf8, codec, 65536)
        if _looks_binary(head):
            raise IngestRefused.single("binary")
        return Utf8Source(utf8, codec, "gbk/gb18030" if enc == "gb18030" else enc, head)
    raise IngestRefused.single("bad_encoding")


def _transcode(data: bytes, enc: str, step: int = 8 * 2**20) -> bytes:
    """``data`` decoded strictly as ``enc`` (raises UnicodeDecodeError), as UTF-8 bytes."""
    decoder = codecs.getincrementaldecoder(enc)("strict")
    view = memoryview(data)
    utf8_already = enc in ("utf-8", "utf-8-sig")
    parts: list[bytes] = []
    for start in range(0, len(view), step):
        text = decoder.decode(view[start:start + step], final=start + step >= len(view))
        if not utf8_already:
            parts.append(text.encode("utf-8"))
    return data if utf8_already else b"".join(parts)


def _head_text(utf8: bytes, codec: str, chars: int, lines: int = HEADER_SEARCH_ROWS) -> str:
    """At least the first ``chars`` characters and ``lines`` complete lines (or all the text)."""
    size = 4 * chars
    while True:
        text = codecs.getincrementaldecoder(codec)("strict").decode(utf8[:size], final=False)
        if size >= len(utf8) or (len(text) >= chars and len(text.splitlines()) > lines):
            return text
        size *= 4


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
    source = _as_utf8(data)
    head_lines = source.head.splitlines()[:HEADER_SEARCH_ROWS]
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
    frame = _parse_arrow(source, delim, idx, rows[idx], head_lines[:idx])
    if frame is None:
        frame = _parse_pandas(source, delim, idx)
    head = [None if pd.isna(h) else h for h in frame.iloc[0]]
    body = _tidy(frame.iloc[1:], head, idx + 1)
    titles = [" ".join(c for c in r if c).strip() for r in rows[:idx]]
    return RawTable(body, idx + 1, "csv", encoding=source.encoding,
                    title_lines=[t for t in titles if t])


def _parse_pandas(source: Utf8Source, delim: str, skip: int) -> pd.DataFrame:
    """The general reader (ragged rows, blank lines; an unbalanced quote is refused): objects."""
    try:
        frame = pd.read_csv(io.StringIO(source.text()), sep=delim, skiprows=skip,
                            header=None, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise IngestRefused.single("bad_csv", detail=str(exc)[:200]) from None
    return frame.astype(object)


def _parse_arrow(source: Utf8Source, delim: str, skip: int, header: list[str],
                 titles: list[str]) -> pd.DataFrame | None:
    """A rectangular file, read by Arrow's CSV reader into Arrow-backed text columns; None when the
    file needs the general reader.

    Arrow reads the same cells as pandas' parser for rectangular files (tests/test_ingest_columns.py
    compares them on the quoting corner cases) in a fraction of the time and memory: the cells never
    become Python strings. What it would read differently goes to ``_parse_pandas``: rows of another
    width and blank-looking lines (Arrow raises), a quote left open at the end of the file (pandas
    refuses it, Arrow would read on to the end), quotes in the title lines, old-Mac line ends (a
    lone CR, which pandas counts differently when skipping title lines), or another header than the
    one the header search found.
    """
    if any('"' in line for line in titles) or BARE_CR.search(source.head):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(source.data),
            read_options=pa_csv.ReadOptions(skip_rows=skip, column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows == 0 or table.slice(0, 1).to_pylist()[0] != dict(zip(names, header)):
        return None
    if source.codec != "utf-8-sig" and source.data.startswith(b"\xef\xbb\xbf"):
        return None  # a U+FEFF that is text, not a BOM: Arrow would drop it
    if _open_quote_at_end(source.data, table):
        return None
    dtype = text_dtype()
    return table.to_pandas(types_mapper=lambda t: dtype if t == pa.large_string() else None)


def _open_quote_at_end(utf8: bytes, table: pa.Table) -> bool:
    """Whether the last cell may be a quote left open: it would then run to the end of the file,
    taking the final line break with it (or the file would end without one)."""
    if b'"' not in utf8:
        return False
    last = table.column(table.num_columns - 1)[-1].as_py() or ""
    return "\n" in last or "\r" in last or utf8[-1:] not in (b"\n", b"\r")


def text_dtype() -> pd.StringDtype:
    """Arrow-backed text with NaN for missing: what ``read_csv(dtype=str)`` gives in pandas 3."""
    try:
        return pd.StringDtype("pyarrow", na_value=float("nan"))
    except TypeError:  # pandas < 2.3
        return pd.StringDtype("pyarrow")


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
    frame = frame.set_axis(range(width), axis=1).set_axis(
        pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row"), axis=0)
    blank = {c: blank_mask(frame[c]) for c in frame.columns}
    blank_rows = np.logical_and.reduce(list(blank.values())) if blank else np.zeros(0, bool)
    if blank_rows.any():
        frame = frame[~blank_rows]
    keep = [i for i in range(width) if names[i] != f"(第{i + 1}列)" or not blank[i].all()]
    frame = frame[keep]
    frame.columns = [names[i] for i in keep]
    return frame
