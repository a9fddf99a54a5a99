"""Bytes → a frame of raw cells indexed by the file's own row numbers, header row found below titles.

CSV is decoded as UTF-8 (with or without BOM), UTF-16 (with BOM, or without one when the NUL bytes
say so), GB18030 (a superset of GBK) or Big5, and never guessed as latin-1: a wrong guess would load
mojibake silently. XLSX goes through openpyxl in read-only mode. Everything that is not a readable
table becomes an IngestRefused, never a traceback.

The limits (``Limits``) are checked while reading, never after loading it all (a 3 MB
XLSX of 2.5 M repeated rows took 370 s and 2.2 GB before the row limit refused it): an XLSX's
decompressed size is read from the zip directory before any part is opened (a part never inflates
past its declared size), its XML elements are counted from the stream before openpyxl parses them
(``_scan_part``), its rows are streamed and refused at the first row over a limit; a CSV's
header search sees at most ``HEAD_CAP`` characters, its header width is checked before any parser
sees the body, and the body is read by Arrow in batches, refused at the batch that passes a limit.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

from lib.ingest.columns import blank_mask
from lib.ingest.errors import IngestRefused
from lib.ingest.messages import problem, problems_frame
from lib.ingest.specs import all_headers, norm_header

HEADER_SEARCH_ROWS = 30
HEAD_CAP = 2**20  # characters the CSV header search may look at (a ledger's header is < 10 KB)
BARE_CR = re.compile(r"\r(?!\n)")


@dataclass(frozen=True)
class Limits:
    """What one upload may hold; each is checked while the file is read (see the module doc)."""
    max_bytes: int = 300 * 1024 * 1024
    max_rows: int = 2_000_000
    max_columns: int = 200
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_xlsx_unpacked: int = 64 * 2**20  # all parts of a workbook, decompressed (~200k rows)
    max_xlsx_parts: int = 1_000
    max_xlsx_rows: int = 250_000  # openpyxl reads ~10^5 cells a second: larger ledgers load as CSV


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
        table = _read_xlsx(data, sheet, limits)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise IngestRefused.single("xls_legacy")
    else:
        table = _read_csv(data, limits)
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
    # as reported: utf-8 / utf-8-sig / utf-16 / utf-16-le / utf-16-be / gbk/gb18030 / big5
    encoding: str
    head: str  # the first characters and lines, for the header search
    head_whole: bool = True  # False when ``head`` stops at HEAD_CAP (its last line may be cut off)

    def text(self) -> str:
        return self.data.decode(self.codec)


ENCODING_NAMES = {"gb18030": "gbk/gb18030", "cp950": "big5"}


def _candidates(data: bytes) -> list[str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return ["utf-8-sig"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf-16"]
    if b"\x00" in data[:65536]:
        bare = _utf16_without_bom(data[:65536])
        if bare is None:
            raise IngestRefused.single("binary")
        return [bare]
    return ["utf-8", *_cjk_order(data[:262144])]


def _utf16_without_bom(sample: bytes) -> str | None:
    """utf-16-le / utf-16-be when the NULs sit on one side of the byte pairs (the high byte of
    ASCII digits, commas and line breaks), as in a UTF-16 file saved without a BOM; else None."""
    pairs = len(sample) // 2
    if pairs < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.2 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.2 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _plausible_share(sample: bytes, codec: str, simplified: bool) -> float | None:
    """Share of the non-ASCII characters that read as Chinese text in ``codec``; None when the
    sample is not valid in it. Simplified text must be in GB2312 (the 6,763 common characters)."""
    try:
        text = codecs.getincrementaldecoder(codec)("strict").decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    wide = [ch for ch in text if ord(ch) > 127]
    if not wide:
        return 1.0
    ok = 0
    for ch in wide:
        o = ord(ch)
        chinese = (0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF
                   or ch in "·—…“”‘’")
        if chinese and simplified:
            try:
                ch.encode("gb2312")
            except UnicodeEncodeError:
                chinese = False
        ok += chinese
    return ok / len(wide)


def _cjk_order(sample: bytes) -> list[str]:
    """GB18030 first, unless the bytes read as Big5 text and as GBK garbage.

    Big5 bytes are mostly valid GBK too (a Big5 file loaded as GB18030 mojibake), but
    they decode to kana, Greek, box drawing and rare GBK-extension characters instead of common
    simplified ones; GBK text read as Big5 gives traditional characters, so GB2312 decides."""
    if sample.isascii():
        return ["gb18030"]
    gb = _plausible_share(sample, "gb18030", simplified=True)
    big5 = _plausible_share(sample, "cp950", simplified=False)
    if big5 is not None and big5 >= 0.9 and (gb is None or gb < 0.9):
        return ["cp950", "gb18030"]
    return ["gb18030", "cp950"]


def _as_utf8(data: bytes) -> Utf8Source:
    """The upload by the rules of ``decode_text``, as UTF-8 bytes.

    Decoded in slices, so a large upload is never held as one Python string: UTF-8 is only
    validated and handed on as it is (no copy), other encodings are re-encoded slice by slice.
    """
    candidates = _candidates(data)
    for enc in candidates:
        try:
            utf8 = _transcode(data, enc)
        except UnicodeDecodeError:
            continue
        codec = "utf-8-sig" if enc == "utf-8-sig" else "utf-8"
        head, whole = _head_text(utf8, codec, 65536)
        if _looks_binary(head):
            raise IngestRefused.single("binary")
        return Utf8Source(utf8, codec, ENCODING_NAMES.get(enc, enc), head, whole)
    if candidates[0].startswith("utf-16"):  # NULs said UTF-16, yet it does not decode as such
        raise IngestRefused.single("bad_utf16")
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


def _head_text(utf8: bytes, codec: str, chars: int, lines: int = HEADER_SEARCH_ROWS,
               cap: int = HEAD_CAP) -> tuple[str, bool]:
    """(text, whole): at least the first ``chars`` characters and ``lines`` complete lines, or all
    the text (whole=True), but never more than about ``cap`` characters (whole=False): a file of
    100,000 columns must not be decoded and split before its width is known."""
    size = 4 * chars
    while True:
        text = codecs.getincrementaldecoder(codec)("strict").decode(utf8[:size], final=False)
        if len(text) > cap:
            return text[:cap], False
        if size >= len(utf8):
            return text, True
        if len(text) >= chars and len(text.splitlines()) > lines:
            return text, False
        size = min(size * 4, 4 * cap)


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


def _refused_at(key: str, row: int, column: object = "", **values) -> IngestRefused:
    """A refusal that names the file's row (and column) in the problems frame and in its text."""
    return IngestRefused(problems_frame([problem(row, str(column), "", key, line=row, col=column,
                                                 **values)]))


def _width(cells) -> int:
    """Cells up to the last non-blank one (trailing empty cells are Excel's padding, not columns)."""
    n = len(cells)
    while n and cells[n - 1] in (None, ""):
        n -= 1
    return n


def _read_csv(data: bytes, limits: Limits = Limits()) -> RawTable:
    source = _as_utf8(data)
    head_lines = source.head.splitlines()
    if not source.head_whole:
        head_lines = head_lines[:-1]  # the last line may be cut off at HEAD_CAP
        if not head_lines:
            raise _refused_at("line_too_long", row=1, limit=HEAD_CAP)
    head_lines = head_lines[:HEADER_SEARCH_ROWS]
    best: tuple[int, str, list[list[str]]] | None = None
    error = None
    for delim in (",", "\t", ";"):
        try:
            rows = list(csv.reader(head_lines, delimiter=delim))
        except csv.Error as exc:
            error = exc
            continue
        # a row is scored on its first cells only: 100,000 cells need not be looked up
        score = max((header_score(r[:limits.max_columns + 1]) for r in rows), default=0)
        if best is None or score > best[0]:
            best = (score, delim, rows)
    if best is None:
        raise IngestRefused.single("bad_csv", detail=str(error)[:200])
    _, delim, rows = best
    idx = find_header(rows)
    for i, r in enumerate(rows):  # the header and the rows in view, before any parser sees the body
        if _width(r) > limits.max_columns:
            raise _refused_at("too_many_columns", row=i + 1, n=_width(r), limit=limits.max_columns)
    frame = _parse_arrow(source, delim, idx, rows[idx], head_lines[:idx], limits)
    if frame is None:
        _scan_csv(source, delim, idx, limits)
        frame = _parse_pandas(source, delim, idx)
    head = [None if pd.isna(h) else h for h in frame.iloc[0]]
    body = _tidy(frame.iloc[1:], head, idx + 1)
    titles = [" ".join(c for c in r if c).strip() for r in rows[:idx]]
    return RawTable(body, idx + 1, "csv", encoding=source.encoding,
                    title_lines=[t for t in titles if t])


def _scan_csv(source: Utf8Source, delim: str, skip: int, limits: Limits) -> None:
    """Width, cell size and row count of every record, streamed, before the general reader (which
    builds Python objects for every cell) is allowed near the file."""
    text = io.TextIOWrapper(io.BytesIO(source.data), encoding=source.codec, newline="")
    reader = csv.reader(text, delimiter=delim)
    row = skip
    try:
        for _ in range(skip):
            next(reader, None)
        for cells in reader:
            row += 1
            if row - skip - 1 > limits.max_rows:
                raise IngestRefused.single("too_many_rows_read", limit=limits.max_rows)
            if len(cells) > limits.max_columns and _width(cells) > limits.max_columns:
                raise _refused_at("too_many_columns", row=row, n=_width(cells),
                                  limit=limits.max_columns)
            for j, cell in enumerate(cells):
                if len(cell) > limits.max_cell_chars:
                    raise _refused_at("cell_too_large", row=row, column=j + 1,
                                      n=len(cell), limit=limits.max_cell_chars)
    except csv.Error as exc:  # e.g. a field past the csv module's own limit (an open quote)
        raise IngestRefused.single("bad_csv", detail=str(exc)[:200]) from None
    finally:
        text.detach()


def _parse_pandas(source: Utf8Source, delim: str, skip: int) -> pd.DataFrame:
    """The general reader (ragged rows, blank lines; an unbalanced quote is refused): objects."""
    try:
        frame = pd.read_csv(io.StringIO(source.text()), sep=delim, skiprows=skip,
                            header=None, dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise IngestRefused.single("bad_csv", detail=str(exc)[:200]) from None
    return frame.astype(object)


def _parse_arrow(source: Utf8Source, delim: str, skip: int, header: list[str],
                 titles: list[str], limits: Limits = Limits()) -> pd.DataFrame | None:
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
        reader = pa_csv.open_csv(
            pa.py_buffer(source.data),
            read_options=pa_csv.ReadOptions(skip_rows=skip, column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delim, newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.large_string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
        batches, seen = [], 0
        for batch in reader:  # streamed: a limit refuses at the batch that passes it
            _check_batch(batch, skip + 1 + seen, header, limits)
            seen += batch.num_rows
            if seen - 1 > limits.max_rows:
                raise IngestRefused.single("too_many_rows_read", limit=limits.max_rows)
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=reader.schema)
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


def _check_batch(batch: pa.RecordBatch, first_row: int, header: list[str], limits: Limits) -> None:
    """Refuse a cell longer than the limit, naming its row (``first_row`` = the batch's first)."""
    import pyarrow.compute as pc

    for j, column in enumerate(batch.columns):
        lengths = pc.utf8_length(column)
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.max_cell_chars:
            at = pc.index(pc.greater(lengths, limits.max_cell_chars), True).as_py()
            raise _refused_at("cell_too_large", row=first_row + at,
                              column=header[j] or j + 1, n=lengths[at].as_py(),
                              limit=limits.max_cell_chars)


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


def _check_zip(data: bytes, limits: Limits) -> dict[str, list[str]]:
    """Refuse a workbook whose parts would inflate past the limit, from the zip directory alone.

    The directory's size is read from the end record first (a directory of millions of entries is
    refused before Python builds one object per entry); then the declared sizes are summed. A part
    never inflates past its declared size (zipfile stops there), so the sum bounds what openpyxl
    can read. Returns, per worksheet part, the cells holding a formula without a saved result.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        raise IngestRefused.single("corrupt_xlsx", detail="BadZipFile")
    entries, directory = struct.unpack("<HI", data[end + 10:end + 16])
    if entries > limits.max_xlsx_parts or directory > limits.max_xlsx_parts * 1024:
        raise IngestRefused.single("xlsx_parts", n=entries, limit=limits.max_xlsx_parts)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            unpacked = sum(info.file_size for info in zf.infolist())
            if unpacked > limits.max_xlsx_unpacked:
                raise IngestRefused.single("xlsx_unpacked", size=round(unpacked / 2**20, 1),
                                           limit=round(limits.max_xlsx_unpacked / 2**20))
            uncached = {}
            for info in zf.infolist():
                refs = _scan_part(zf, info, limits)
                if refs:
                    uncached[info.filename] = refs
            return uncached
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None


XML_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# elements that live inside a cell (or a shared string) and are freed with it while parsing
INNER = frozenset(b"v f is t r rPr rPh phoneticPr rFont b i u strike outline shadow condense "
                  b"extend sz color family charset scheme vertAlign".split())
MAX_ROW_CELLS = 16_384  # Excel's own column limit
MAX_ELEMENTS = 500_000  # other elements of one part (shared strings, merged cells, …)


CELL_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]{1,7})"')
MAX_UNCACHED = 5  # formula cells named in the refusal


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> list[str]:
    """Count a part's XML elements, streamed in 1 MB pieces, before openpyxl parses it.

    openpyxl's parsers clear each row (and shared string) once read but keep the emptied element
    on its parent: ~200 bytes each, so 64 MB of ``<row/>`` would cost 2 GB. Rows, cells per row and
    other elements are bounded here; a cell's own parts (value, text runs) are freed with it.

    It also returns the first cells that hold a formula (``<f>``) but no saved result (``<v>``):
    openpyxl reads those as empty, so a workbook written by a program that never calculated it
    (or saved with calculation off) would load blanks where the ledger has figures."""
    rows = cells = others = 0
    tail = b""
    uncached: list[str] = []
    ref, has_f, has_v = None, False, False
    with zf.open(info) as part:
        while True:
            chunk = part.read(2**20)
            buf = tail + chunk
            cut = buf.rfind(b"<") if chunk else len(buf)
            if cut < 0:
                cut = len(buf)
            for m in XML_TAG.finditer(buf, 0, cut):
                name = m.group(1)
                if name in (b"c", b"row") and has_f and not has_v and len(uncached) < MAX_UNCACHED:
                    uncached.append(ref or "?")
                if name == b"f":
                    has_f = True
                elif name == b"v":  # openpyxl writes an empty <v></v> beside an uncalculated formula
                    gt = buf.find(b">", m.end())
                    has_v = has_v or (gt > 0 and buf[gt - 1:gt] != b"/"
                                      and buf[gt + 1:gt + 3] != b"</")
                elif name == b"c":
                    end_tag = buf.find(b">", m.end(), cut)
                    found = CELL_REF.search(buf, m.end(), end_tag if end_tag > 0 else cut)
                    ref = found.group(1).decode() if found else None
                    has_f = has_v = False
                    cells += 1
                    if cells > MAX_ROW_CELLS:
                        raise _refused_at("too_many_columns", row=rows, n=f">{MAX_ROW_CELLS}",
                                          limit=limits.max_columns)
                elif name == b"row":
                    rows, cells = rows + 1, 0
                    if rows > limits.max_xlsx_rows + HEADER_SEARCH_ROWS:
                        raise IngestRefused.single("xlsx_rows", limit=limits.max_xlsx_rows,
                                                   csv_limit=limits.max_rows)
                elif name not in INNER:
                    others += 1
                    if others > MAX_ELEMENTS:
                        raise IngestRefused.single("xlsx_elements", part=info.filename,
                                                   limit=MAX_ELEMENTS)
            tail = buf[cut:]
            if not chunk:
                if has_f and not has_v and len(uncached) < MAX_UNCACHED:
                    uncached.append(ref or "?")
                return uncached


def open_workbook(data: bytes, limits: Limits = Limits()):
    """openpyxl's read-only workbook, after the zip's parts were bounded and scanned; every reader
    of an uploaded workbook (ledgers, progress tables, the sheet list) opens it here."""
    from openpyxl import load_workbook

    uncached = _check_zip(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        wb.uncached_formulas = _by_sheet_title(data, uncached)
        return wb
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None
    except Exception as exc:  # openpyxl raises many types on malformed parts
        raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None


def refuse_uncached_formulas(wb, title: str) -> None:
    """Refuse a sheet (of a workbook from ``open_workbook``) whose formulas have no saved result."""
    cells = getattr(wb, "uncached_formulas", {}).get(title)
    if cells:
        raise IngestRefused.single("formula_uncached", sheet=title, cells="、".join(cells))


def _by_sheet_title(data: bytes, uncached: dict[str, list[str]]) -> dict[str, list[str]]:
    """{sheet title: cells with unsaved formulas}, the parts named as the workbook names them."""
    if not uncached:
        return {}
    import xml.etree.ElementTree as ET

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", ns)}
    out: dict[str, list[str]] = {}
    for sheet in book.iterfind("m:sheets/m:sheet", ns):
        target = targets.get(sheet.get(f"{{{ns['r']}}}id"), "").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if part in uncached:
            out[sheet.get("name")] = uncached[part]
    return out


class _Rows:
    """Rows kept as they stream in: the first ones as tuples (for the header search), the rest in
    blocks of object arrays, so a row costs its cells' pointers rather than a tuple and a list
    entry; equal texts (township names, dates, choices) are kept once."""

    BLOCK = 65_536

    def __init__(self, head: int = HEADER_SEARCH_ROWS):
        self.head_size = head
        self.head: list[tuple[int, tuple]] = []
        self.blocks: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending: list[tuple] = []
        self.numbers: list[int] = []
        self.texts: dict[str, str] = {}
        self.width = 0
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return bool(self.head)

    def append(self, n: int, row: tuple) -> None:
        self.count += 1
        if len(self.head) < self.head_size:
            self.head.append((n, row))
            return
        texts = self.texts
        self.pending.append(tuple(texts.setdefault(v, v) if type(v) is str and len(v) < 64 else v
                                  for v in row))
        self.numbers.append(n)
        self.width = max(self.width, len(row))
        if len(self.pending) >= self.BLOCK:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        block = np.empty((len(self.pending), max(len(r) for r in self.pending)), dtype=object)
        for i, r in enumerate(self.pending):
            block[i, :len(r)] = r
        self.blocks.append((block, np.asarray(self.numbers, dtype=np.int64)))
        self.pending, self.numbers = [], []

    def body(self, after: int) -> tuple[np.ndarray, np.ndarray]:
        """(cells, row numbers) of the rows after the ``after``-th one, padded to one width."""
        self._flush()
        first = self.head[after + 1:]
        width = max([self.width] + [len(r) for _, r in first] + [1])
        total = len(first) + sum(len(b) for b, _ in self.blocks)
        cells = np.empty((total, width), dtype=object)
        numbers = np.empty(total, dtype=np.int64)
        for i, (n, r) in enumerate(first):
            cells[i, :len(r)], numbers[i] = r, n
        at = len(first)
        while self.blocks:
            block, nums = self.blocks.pop(0)  # each block freed once copied
            cells[at:at + len(block), :block.shape[1]] = block
            numbers[at:at + len(block)] = nums
            at += len(block)
        return cells, numbers


def _sheet_rows(ws, limits: Limits, first: int | None = None) -> _Rows:
    """The sheet's non-blank rows with their 1-based row numbers (cells up to the last non-blank
    one), streamed and refused at the first row over a limit; only the first ``first`` rows if
    given.

    Blank rows are never kept (a sheet formatted down to row 1,048,576 costs no memory). The sheet's
    declared dimension is ignored: ``A1:XFD1048576`` would pad every row to 16,384 cells."""
    from openpyxl.utils import get_column_letter

    out = _Rows()
    if not hasattr(ws, "iter_rows"):  # a chart sheet
        return out
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    try:
        for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if first is not None and n > first:
                break
            width = _width(row)
            if not width:
                continue
            if width > limits.max_columns:
                raise _refused_at("too_many_columns", row=n, n=width, limit=limits.max_columns)
            for j in range(width):
                v = row[j]
                if isinstance(v, str) and len(v) > limits.max_cell_chars:
                    raise _refused_at("cell_too_large", row=n, column=get_column_letter(j + 1),
                                      n=len(v), limit=limits.max_cell_chars)
            out.append(n, row[:width])
            if len(out) > limits.max_rows + HEADER_SEARCH_ROWS:
                raise IngestRefused.single("too_many_rows_read", limit=limits.max_rows)
            if len(out) > limits.max_xlsx_rows + HEADER_SEARCH_ROWS:
                raise IngestRefused.single("xlsx_rows", limit=limits.max_xlsx_rows,
                                           csv_limit=limits.max_rows)
    except IngestRefused:
        raise
    except Exception as exc:  # malformed sheet XML
        raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None
    return out


def _sheet_kinds(wb, limits: Limits) -> dict[str, str]:
    """Each worksheet as "table" (a header among its first rows), "data" (something else) or
    "empty": a bounded look at the first rows only."""
    kinds = {}
    for ws in wb.worksheets:
        try:
            rows = _sheet_rows(ws, limits, first=HEADER_SEARCH_ROWS)
        except IngestRefused:
            kinds[ws.title] = "data"  # it holds something, even if it cannot be loaded
            continue
        if not rows:
            kinds[ws.title] = "empty"
            continue
        try:
            find_header([list(r) for _, r in rows.head])
            kinds[ws.title] = "table"
        except IngestRefused:
            kinds[ws.title] = "data"
    return kinds


def _sheets_with_data(wb, limits: Limits) -> list[str]:
    """Names of the worksheets with a non-blank cell among their first rows."""
    return [name for name, kind in _sheet_kinds(wb, limits).items() if kind != "empty"]


def xlsx_sheets(data: bytes, limits: Limits = Limits()) -> list[tuple[str, bool, bool]]:
    """Every sheet of a workbook as (name, holds data, has a ledger header), for the sheet choice
    (upload page); raises IngestRefused when the file is no readable workbook or passes a limit."""
    wb = open_workbook(data, limits)
    try:
        kinds = _sheet_kinds(wb, limits)
        return [(name, kinds.get(name, "empty") != "empty", kinds.get(name) == "table")
                for name in wb.sheetnames]
    finally:
        wb.close()


def _read_xlsx(data: bytes, sheet: str | None, limits: Limits = Limits()) -> RawTable:
    wb = open_workbook(data, limits)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise IngestRefused.single("no_sheet", sheet=sheet, sheets="、".join(wb.sheetnames))
        if sheet is None and not wb.worksheets:  # chart sheets only
            raise IngestRefused.single("empty_file")
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        title = ws.title
        refuse_uncached_formulas(wb, title)
        probe = _sheet_rows(ws, limits, first=HEADER_SEARCH_ROWS)  # a sheet without a header
        try:                                                        # is not read any further
            if not probe:
                raise IngestRefused.single("empty_file")
            find_header([list(r) for _, r in probe.head])
        except IngestRefused:
            others = [n for n in _sheets_with_data(wb, limits) if n != title]
            if others:  # the data is elsewhere: say where, and how to choose it
                raise IngestRefused.single("no_header_sheets", sheet=title,
                                           n=HEADER_SEARCH_ROWS, sheets="、".join(others)) from None
            raise
        rows = _sheet_rows(ws, limits)
        idx = find_header([list(r) for _, r in rows.head])
    finally:
        wb.close()
    header_row, head = rows.head[idx]
    titles = [" ".join(str(c) for c in r if c not in (None, "")).strip()
              for _, r in rows.head[:idx]]
    cells, index = rows.body(idx)
    del rows
    width = max(cells.shape[1], len(head))
    if cells.shape[1] < width:
        pad = np.full((len(cells), width - cells.shape[1]), None, dtype=object)
        cells = np.hstack([cells, pad])
    frame = pd.DataFrame(cells, columns=range(width), copy=False)
    table = _tidy(frame, list(head) + [None] * (width - len(head)), header_row, index=index)
    return RawTable(table, header_row, "xlsx", sheet=title, title_lines=[t for t in titles if t])


def _tidy(frame: pd.DataFrame, head: list[object], header_row: int,
          index=None) -> pd.DataFrame:
    """Data rows indexed by their 1-based row number (``index``, else counted from the header);
    blank rows and blank unnamed columns dropped."""
    width = frame.shape[1]
    head = list(head) + [None] * (width - len(head))
    names = [("" if h is None else str(h).strip()) or f"(第{i + 1}列)" for i, h in enumerate(head)]
    rows = (pd.Index(index, name="row", dtype="int64") if index is not None
            else pd.RangeIndex(header_row + 1, header_row + 1 + len(frame), name="row"))
    frame = frame.set_axis(range(width), axis=1).set_axis(rows, axis=0)
    blank = {c: blank_mask(frame[c]) for c in frame.columns}
    blank_rows = np.logical_and.reduce(list(blank.values())) if blank else np.zeros(0, bool)
    if blank_rows.any():
        frame = frame[~blank_rows]
    keep = [i for i in range(width) if names[i] != f"(第{i + 1}列)" or not blank[i].all()]
    frame = frame[keep]
    frame.columns = [names[i] for i in keep]
    return frame
