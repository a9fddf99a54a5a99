"""Progress tables (进度表 / 进度公示) as federations publish them → cumulative progress rows.

The published shape is not a ledger: a title row carrying the as-of date (截至2024年10月31日), a
two-row merged header (宫颈癌 / 乳腺癌 over 任务数 / 累计完成 / 完成率), the 合计 row first, a 注：
footnote last, and one row per district, functional zones (经开区, 高新区) included. The ledger reader
refuses it ("no header row"), so it has its own reader here. Counts are cumulative to the as-of date
and completion is capped at 100 % while counts may exceed the quota; the reader keeps the counts
and recomputes the rate, so nothing capped is ever stored.

Published tables are read as they are: the region column under 地区, 市县名, 县市区, 区县, 单位 and
the like (no such header refuses the file naming the headers it has — never another column's
numbers read as names), total rows named 合计, 总计, 全市合计, 全县合计 or 全区合计 (also in the 序号
cell), and a quota column before the kind groups (目标人群数(按33%比例)) shared by both kinds.

Region names are matched with and without their 区/县/市 suffix (county-level cities such as 福清市
beside districts and counties), and only then through the warehouse's ``region_alias`` rows (an
admin adds 经开区 → a code); an unknown or ambiguous name refuses the file with its row number. The
stated 合计 is checked against the rows' sum (a warning, not a refusal).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from lib.ingest.api import Outcome
from lib.ingest.errors import IngestRefused
from lib.ingest.messages import problems_frame
from lib.ingest.normalise import clean_text, is_percent, parse_number
from lib.ingest.readers import Limits, decode_text, open_workbook, refuse_uncached_formulas
from lib.ingest.warnings import WARNING_COLUMNS
from lib.warehouse.batches import audit_only
from lib.warehouse.loading import Counts, LoadRefused
from lib.warehouse.progress_store import aliases_frame, load_progress
from lib.warehouse.reference import regions_frame
from lib.warehouse.scope import Scope

KIND_WORDS = {"宫颈癌": "cervical", "乳腺癌": "breast"}
KIND_LABELS = {"cervical": "宫颈癌", "breast": "乳腺癌"}
MEASURE_WORDS = (  # checked in order: 完成率 before 完成, 任务 before 完成
    ("rate", ("完成率", "完成比例", "完成进度", "进度")),
    ("quota", ("任务数", "目标任务", "任务", "目标数", "目标人群", "目标人数", "计划数", "计划")),
    ("done", ("累计完成", "累计筛查", "完成数", "已完成", "完成", "筛查数", "累计")),
)
# the region column's header, as federations write it, once brackets, 、 and a trailing 名/名称 are
# dropped: 市县名 → 市县, 县（市、区） → 县市区, 单位名称 → 单位
REGION_HEADERS = ("地区", "区县", "县区", "市县", "县市", "市县区", "县市区", "区县市", "市区县", "县区市",
                  "县", "区", "市", "区域", "行政区", "区划", "单位", "名称", "乡镇", "乡镇街道", "街道")
_HEADER_NOISE = re.compile(r"[\s()（）、,，/]")
# a total row: 合计/总计, optionally after 全市/全县/全区 (全市合计), or 全市/全县/全区 alone
TOTAL = re.compile(r"^(全[市县区])?(合计|总计)$|^全[市县区]$")
SHARED = "shared"  # a quota column standing before the kind groups: the quota of every kind
FOOTER = re.compile(r"^(注|备注|说明|填表|制表|审核|数据来源)")
DATE_PATTERNS = (
    re.compile(r"(?:截至|截止|截止到|截至到|统计至|数据截至)[^0-9]{0,6}(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?:截至|截止|截止到|统计至|截止日期|截至日期|数据截至)[^0-9]{0,6}(\d{4})[-./](\d{1,2})[-./](\d{1,2})"),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
)
SUFFIX = re.compile(r"(区|县|市)$")
HEADER_SEARCH = 15
MAX_ROWS = 5000  # a progress table has one row per district or township: thousands is already odd
MAX_COLUMNS = 200

MESSAGES = {
    "no_progress_header": ("未找到进度表表头：前 {n} 行中没有「宫颈癌」「乳腺癌」列组及其「任务数」「累计完成」等列。",
                           "No progress-table header: none of the first {n} rows has 宫颈癌/乳腺癌 column "
                           "groups with 任务数/累计完成 columns."),
    "no_region_column": ("未找到地区列：表头{headers}都不是地区列名"
                         "（可用「地区」「市县名」「县市区」「区县」「单位」等）。",
                         "No region column: none of the headers {headers} names regions (use 地区, "
                         "市县名, 县市区, 区县 or 单位)."),
    "no_as_of": ("未找到截至日期：请在标题中写明「截至X年X月X日」，或填写截至日期。",
                 "No as-of date: the title should say 截至YYYY年M月D日, or give the date."),
    "unknown_region": ("无法识别的地区「{name}」：请核对名称，或请管理员添加地区别名。",
                       "Unknown region '{name}': check the name, or ask an admin to add a region alias."),
    "ambiguous_region": ("地区「{name}」对应多个区划：{candidates}。",
                         "Region '{name}' matches several regions: {candidates}."),
    "duplicate_region": ("地区「{name}」重复出现（同第 {first} 行）。",
                         "Region '{name}' appears twice (as on row {first})."),
    "bad_count": ("不是非负整数。", "Not a whole non-negative number."),
    "no_done": ("缺少「累计完成」数。", "The cumulative count (累计完成) is missing."),
    "no_rows": ("表中没有地区数据行。", "The table has no region rows."),
    "too_many_rows": ("行数 {rows} 超过进度表上限 {limit}。",
                      "{rows} rows exceed the progress-table limit of {limit}."),
    "too_many_columns": ("列数 {n} 超过上限 {limit}。", "{n} columns exceed the limit of {limit}."),
    "total_mismatch": ("合计行{kind}{measure}为 {stated}，各地区之和为 {summed}。",
                       "The total row's {kind} {measure} is {stated}; the regions sum to {summed}."),
    "rate_mismatch": ("{kind}完成率写为 {stated}，按任务数和累计完成计算应为 {computed}（超过100%按100%计）。",
                      "{kind} completion is given as {stated}; the counts give {computed} (capped at 100 %)."),
    "no_total": ("表中没有合计行。", "The table has no total (合计) row."),
}
MEASURE_ZH = {"quota": "任务数", "done": "累计完成"}


def _msg(key: str, **values) -> tuple[str, str]:
    zh, en = MESSAGES[key]
    return zh.format(**values), en.format(**values)


def _problem(row: int | None, column: str, value: object, key: str, **values) -> dict:
    zh, en = _msg(key, **values)
    return {"row": row, "column": column, "value": "" if value is None else str(value),
            "problem_zh": zh, "problem_en": en}


@dataclass
class ProgressTable:
    """A parsed progress table: one row per (file row, kind), the as-of date, and what was noticed.

    ``rows`` columns: row (the file's 1-based row), name (as written), region_code, kind, quota
    (nullable), done. ``warnings`` rows: row, problem_zh, problem_en (they do not block a load).
    """
    as_of: dt.date
    rows: pd.DataFrame
    title: str = ""
    kinds: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)


def looks_like_progress(data: bytes, filename: str = "", sheet: str | None = None) -> bool:
    """Whether an upload has the progress-table shape (for auto-detection before the ledger reader)."""
    try:
        grid = _head_grid(data, filename, sheet)
    except Exception:  # unreadable here: the ledger reader says why
        return False
    return _find_header(grid) is not None


def _head_grid(data: bytes, filename: str, sheet: str | None = None) -> list[list[object]]:
    """The first rows only, cheaply: a 300 MB ledger is not decoded to find out it is a ledger."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        wb = open_workbook(data)  # bounded: a zip bomb is refused before openpyxl parses it
        try:
            ws = wb[sheet] if sheet in wb.sheetnames else wb.worksheets[0]
            return [list(r)[:MAX_COLUMNS] for r in ws.iter_rows(max_row=HEADER_SEARCH + 2,
                                                                values_only=True)]
        finally:
            wb.close()
    head = data[:65536]
    for enc in ("utf-8-sig", "utf-16", "gb18030") if head[:2] in (b"\xff\xfe", b"\xfe\xff") \
            else ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(enc)("strict").decode(head, final=False)
            break
        except UnicodeDecodeError:
            continue
    else:
        return []
    return _csv_grid("\n".join(text.splitlines()[:HEADER_SEARCH + 2]))


# reading -------------------------------------------------------------------------------------------

def read_grid(data: bytes, filename: str = "", *, sheet: str | None = None,
              limits: Limits = Limits()) -> list[list[object]]:
    """Every cell of the first (or named) sheet, or of the CSV, as rows of raw values."""
    if not data or data.isspace():
        raise IngestRefused.single("empty_file")
    if len(data) > limits.max_bytes:
        raise IngestRefused.single("too_large", size=round(len(data) / 2**20, 1),
                                   limit=round(limits.max_bytes / 2**20))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_grid(data, sheet, limits)
    else:
        text, _enc = decode_text(data)
        rows = _csv_grid(text)
    if len(rows) > MAX_ROWS:
        raise _refuse("too_many_rows", rows=len(rows), limit=MAX_ROWS)
    return rows


def _refuse(key: str, **values) -> IngestRefused:
    return IngestRefused(problems_frame([_problem(None, "", "", key, **values)]))


def _xlsx_grid(data: bytes, sheet: str | None, limits: Limits) -> list[list[object]]:
    wb = open_workbook(data, limits)  # parts bounded and scanned, as for ledgers
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise IngestRefused.single("no_sheet", sheet=sheet, sheets="、".join(wb.sheetnames))
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        refuse_uncached_formulas(wb, ws.title)
        rows: list[list[object]] = []
        try:
            for r in ws.iter_rows(values_only=True):  # read-only: merged cells' others are None
                if len(rows) >= MAX_ROWS + 1:
                    break
                if len(r) > MAX_COLUMNS:
                    raise _refuse("too_many_columns", n=len(r), limit=MAX_COLUMNS)
                rows.append(list(r))
        except IngestRefused:
            raise
        except (zipfile.BadZipFile, Exception) as exc:
            raise IngestRefused.single("corrupt_xlsx", detail=type(exc).__name__) from None
    finally:
        wb.close()
    return rows


def _csv_grid(text: str) -> list[list[object]]:
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise _refuse("too_many_rows", rows=len(lines), limit=MAX_ROWS)
    head = lines[:HEADER_SEARCH]
    delim = max((",", "\t", ";"), key=lambda d: sum(line.count(d) for line in head))
    rows = [list(r) for r in csv.reader(lines, delimiter=delim)]
    if any(len(r) > MAX_COLUMNS for r in rows):
        raise _refuse("too_many_columns", n=max(len(r) for r in rows), limit=MAX_COLUMNS)
    return rows


# header --------------------------------------------------------------------------------------------

def _kind_of(cell: object) -> str | None:
    s = clean_text(cell).replace(" ", "")
    for word, kind in KIND_WORDS.items():
        if word in s:
            return kind
    return None


def _measure_of(cell: object) -> str | None:
    s = clean_text(cell).replace(" ", "")
    for measure, words in MEASURE_WORDS:
        if any(w in s for w in words):
            return measure
    return None


@dataclass
class _Header:
    last_row: int  # 0-based index of the header's last row
    columns: dict[int, tuple[str, str]]  # column → (kind or SHARED, measure)
    region_col: int
    texts: list[str] = field(default_factory=list)  # the headers outside the kind groups


def _find_header(grid: list[list[object]]) -> _Header | None:
    """The (kind, measure) of every column: a kind row above a measure row (merged kind cells are
    filled rightwards), or one row whose cells name both (宫颈癌任务数)."""
    for i, row in enumerate(grid[:HEADER_SEARCH]):
        if not any(_kind_of(c) for c in row):
            continue
        columns: dict[int, tuple[str, str]] = {}
        one_row = {j: (_kind_of(c), _measure_of(c)) for j, c in enumerate(row)}
        for j, (k, m) in one_row.items():
            if k and m:
                columns[j] = (k, m)
            elif m == "quota":  # 目标人群数 with no kind: one quota for both
                columns[j] = (SHARED, m)
        last = i
        filled = sum(1 for c in row if clean_text(c))
        if not any(m == "done" for _, m in columns.values()) and i + 1 < len(grid) and filled > 1:
            # (a row with one filled cell is a title that names the kinds, not a group row)
            below, kind, columns = grid[i + 1], None, {}
            for j in range(max(len(row), len(below))):
                cell = row[j] if j < len(row) else None
                if clean_text(cell):
                    kind = _kind_of(cell)  # a new group starts; a non-kind cell ends the group
                m = _measure_of(below[j]) if j < len(below) else None
                own = _kind_of(below[j]) if j < len(below) else None  # 乳腺癌任务数 names its kind
                if (own or kind) and m:
                    columns[j] = (own or kind, m)
                elif not (own or kind) and (m or _measure_of(cell)) == "quota":
                    # 目标人群数(按33%比例) before the groups, merged over both header rows: the
                    # quota of every kind
                    columns[j] = (SHARED, "quota")
            last = i + 1
        if not any(m == "done" for _, m in columns.values()):
            continue
        region = _region_col(grid[i:last + 1], min(columns))
        return _Header(last, columns, -1 if region is None else region,
                       _header_texts(grid[i:last + 1], columns))
    return None


def _region_col(header_rows: list[list[object]], first_value_col: int) -> int | None:
    """The column headed by a region word before the value columns; None when no header names
    regions (guessing one would read another column's numbers as region names)."""
    for row in header_rows:
        for j, c in enumerate(row[:first_value_col]):
            if _region_header(c):
                return j
    return None


def _region_header(cell: object) -> bool:
    text = _HEADER_NOISE.sub("", clean_text(cell))
    if text in REGION_HEADERS:
        return True
    for tail in ("名称", "名"):
        if text.endswith(tail) and text[:-len(tail)] in REGION_HEADERS:
            return True
    return False


def _header_texts(header_rows: list[list[object]], columns: dict[int, tuple[str, str]]
                  ) -> list[str]:
    """The header cells outside the kind groups (序号, 目标人群数…), for a refusal to name."""
    out: list[str] = []
    for row in header_rows:
        for j, c in enumerate(row):
            text = clean_text(c)
            if text and not _kind_of(c) and (j not in columns or columns[j][0] == SHARED) \
                    and text not in out:
                out.append(text)
    return out


def as_of_from(texts: list[str]) -> dt.date | None:
    """The date a 截至… phrase names (2024年10月31日, 2024-10-31, 2024.10.31), else any full date."""
    for pattern in DATE_PATTERNS:
        for t in texts:
            m = pattern.search(clean_text(t).replace(" ", ""))
            if m:
                try:
                    return dt.date(int(m[1]), int(m[2]), int(m[3]))
                except ValueError:
                    continue
    return None


# rows ----------------------------------------------------------------------------------------------

def _count(value: object) -> int | None:
    """'1,234' / 1234.0 → 1234; '' → None; raises ValueError for anything else ('85%' too)."""
    if is_percent(value):
        raise ValueError(value)
    n = parse_number(value)
    if n is None:
        return None
    if n < 0 or n != int(n):
        raise ValueError(value)
    return int(n)


def _rate(value: object) -> float | None:
    """'85.3%' → 0.853, 0.853 → 0.853, 85.3 → 0.853; None when blank or not a number."""
    s = clean_text(value)
    try:
        n = parse_number(value)
    except ValueError:
        return None
    if n is None:
        return None
    return n / 100 if s.endswith("%") or n > 1.5 else n


def capped_rate(done: float, quota: float | None) -> float | None:
    """Completion as published: done / quota, capped at 100 %; None without a quota."""
    if not quota:
        return None
    return min(done / quota, 1.0)


def parse_progress(data: bytes, filename: str, regions: pd.DataFrame,
                   aliases: pd.DataFrame | None = None, *, as_of: dt.date | None = None,
                   sheet: str | None = None, limits: Limits = Limits()) -> ProgressTable:
    """Read a progress table; raises IngestRefused with row numbers on anything it cannot load.

    ``regions`` is the warehouse's region frame (code, name, level, aliases); ``aliases`` the
    region_alias rows (alias, region_code). ``as_of`` overrides the date in the title.
    """
    grid = read_grid(data, filename, sheet=sheet, limits=limits)
    header = _find_header(grid)
    if header is None:
        raise _refuse("no_progress_header", n=HEADER_SEARCH)
    if header.region_col < 0:
        raise _refuse("no_region_column", headers="".join(f"「{h}」" for h in header.texts))
    above = [" ".join(clean_text(c) for c in r if clean_text(c)) for r in grid[:header.last_row + 1]]
    title = next((t for t in above if t and not _kind_of(t)), "")
    body = grid[header.last_row + 1:]
    footnotes = [" ".join(clean_text(c) for c in r if clean_text(c)) for r in body
                 if r and FOOTER.match(_first_text(r))]
    when = as_of or as_of_from([t for t in above if t] + footnotes)
    if when is None:
        raise _refuse("no_as_of")
    matcher = RegionMatcher(regions, aliases)
    problems: list[dict] = []
    warnings: list[dict] = []
    records: list[dict] = []
    totals: dict[tuple[str, str], tuple[int, int | None]] = {}
    rates: list[tuple[int, str, float, str]] = []
    seen: dict[str, int] = {}
    kinds = sorted({k for k, _ in header.columns.values() if k != SHARED},
                   key=list(KIND_LABELS).index)
    col_name = {j: f"{KIND_LABELS.get(k, '')}{MEASURE_ZH.get(m, '完成率')}"
                for j, (k, m) in header.columns.items()}
    first_value = min(header.columns)
    for offset, row in enumerate(body):
        line = header.last_row + 2 + offset  # 1-based file row
        name_cell = row[header.region_col] if header.region_col < len(row) else None
        name = clean_text(name_cell).replace(" ", "")
        if not any(clean_text(c) for c in row) or FOOTER.match(_first_text(row)):
            continue
        values: dict[tuple[str, str], object] = {}
        for j, (k, m) in header.columns.items():
            cell = row[j] if j < len(row) else None
            if m == "rate":
                r = _rate(cell)
                if r is not None:
                    rates.append((line, k, r, clean_text(cell)))
                continue
            try:
                values[(k, m)] = _count(cell)
            except ValueError:
                problems.append(_problem(line, col_name[j], cell, "bad_count"))
        # a total row's label may sit in 序号 (全市合计 merged across 序号 and 市县名)
        label = name or _first_text(row[:first_value]).replace(" ", "")
        if TOTAL.match(label):
            totals = {km: (line, v) for km, v in values.items()}
            rates = [x for x in rates if x[0] != line]
            continue
        if not name:
            continue
        code, err = matcher.match(name)
        if err is not None:
            problems.append(_problem(line, "地区", name_cell, err[0], **err[1]))
            continue
        if code in seen:
            problems.append(_problem(line, "地区", name_cell, "duplicate_region", name=name,
                                     first=seen[code]))
            continue
        seen[code] = line
        for k in kinds:
            done = values.get((k, "done"))
            quota = values.get((k, "quota"), values.get((SHARED, "quota")))
            if done is None and quota is None:
                continue
            if done is None:
                problems.append(_problem(line, f"{KIND_LABELS[k]}累计完成", "", "no_done"))
                continue
            records.append({"row": line, "name": name, "region_code": code, "kind": k,
                            "quota": quota, "done": done})
    if problems:
        raise IngestRefused(problems_frame(problems))
    frame = pd.DataFrame(records, columns=["row", "name", "region_code", "kind", "quota", "done"])
    if frame.empty:
        raise _refuse("no_rows")
    frame["quota"] = frame["quota"].astype("Int64")
    frame["done"] = frame["done"].astype("int64")
    warnings += _check_totals(frame, totals)
    warnings += _check_rates(frame, rates)
    return ProgressTable(when, frame, title, kinds, warnings, footnotes)


def _key(name: object) -> str:
    return re.sub(r"\s+", "", clean_text(name))


def _first_text(row: list[object]) -> str:
    return next((clean_text(c) for c in row if clean_text(c)), "")


def _check_totals(frame: pd.DataFrame, totals: dict) -> list[dict]:
    if not totals:
        zh, en = _msg("no_total")
        return [{"row": None, "problem_zh": zh, "problem_en": en}]
    out = []
    for (k, m), (line, stated) in sorted(totals.items()):
        # a shared quota is written once per region row, however many kinds the row holds
        part = frame.drop_duplicates("row")[m] if k == SHARED else frame.loc[frame["kind"] == k, m]
        summed = int(part.dropna().sum())
        if stated is not None and stated != summed:
            zh, en = _msg("total_mismatch", kind=KIND_LABELS.get(k, ""), measure=MEASURE_ZH[m],
                          stated=stated, summed=summed)
            out.append({"row": line, "problem_zh": zh, "problem_en": en})
    return out


def _check_rates(frame: pd.DataFrame, rates: list[tuple[int, str, float, str]]) -> list[dict]:
    """A stated completion that is not the capped ratio of the row's counts (off by > 0.1 pp)."""
    out = []
    by = {(r.row, r.kind): r for r in frame.itertuples(index=False)}
    for line, kind, stated, raw in rates:
        r = by.get((line, kind))
        computed = capped_rate(r.done, None if r is None or pd.isna(r.quota) else r.quota) \
            if r is not None else None
        if computed is not None and abs(computed - stated) > 0.001:
            zh, en = _msg("rate_mismatch", kind=KIND_LABELS[kind], stated=raw,
                          computed=f"{computed:.1%}")
            out.append({"row": line, "problem_zh": zh, "problem_en": en})
    return out


# regions -------------------------------------------------------------------------------------------

class RegionMatcher:
    """District (and township) names → region codes: the full name, the region's own aliases, the
    name without its 区/县/市 suffix on either side, and only then the admin's aliases (functional
    zones). District names win over township names (马尾区 the district, not 马尾镇); a name two
    regions share is refused."""

    def __init__(self, regions: pd.DataFrame, aliases: pd.DataFrame | None = None):
        self.exact: dict[str, set[str]] = {}
        self.short: dict[str, set[str]] = {}
        self.names = dict(zip(regions["code"], regions["name"]))
        for level in ("district", "township"):
            part = regions[regions["level"] == level]
            for code, name, extra in zip(part["code"], part["name"], part.get(
                    "aliases", pd.Series([None] * len(part), index=part.index))):
                key = _key(name)
                self.exact.setdefault(f"{level}:{key}", set()).add(code)
                for a in str(extra or "").split("|"):
                    if _key(a):
                        self.short.setdefault(f"{level}:{_key(a)}", set()).add(code)
                short = SUFFIX.sub("", key)
                if len(short) >= 2:
                    self.short.setdefault(f"{level}:{short}", set()).add(code)
        self.alias: dict[str, str] = {}
        if aliases is not None:
            for a, code in zip(aliases["alias"], aliases["region_code"]):
                self.alias[_key(a)] = str(code)

    def match(self, name: str) -> tuple[str | None, tuple[str, dict] | None]:
        """(code, None), or (None, (problem key, its values)) for the refusal."""
        key = _key(name)
        short = SUFFIX.sub("", key)
        for table, probe in ((self.exact, key), (self.short, key), (self.short, short)):
            for level in ("district", "township"):
                codes = table.get(f"{level}:{probe}")
                if not codes:
                    continue
                if len(codes) == 1:
                    return next(iter(codes)), None
                cands = "、".join(f"{self.names.get(c, c)}（{c}）" for c in sorted(codes)[:5])
                return None, ("ambiguous_region", {"name": name, "candidates": cands})
        # Only a name no region answers to reaches the aliases: an alias stored under a real name
        # (鼓楼区 → 晋安区's code) can never redirect that region's figures.
        for probe in (key, short):
            if probe in self.alias:
                return self.alias[probe], None
        return None, ("unknown_region", {"name": name})


# upload (page and CLI) ------------------------------------------------------------------------------

def upload_progress(engine, data: bytes, filename: str, *, scope: Scope, user: str | None = None,
                    dry_run: bool = False, strict: bool = False, as_of: dt.date | None = None,
                    sheet: str | None = None, limits: Limits = Limits()):
    """Read a progress table against this warehouse and load it (or count what a load would do).

    Returns the ingest ``Outcome`` the upload page and the CLI already show: a refusal carries the
    problems by row; the 合计 and completion checks come back as warnings (refusals with ``strict``).
    """
    import hashlib

    def refused(problems: pd.DataFrame) -> Outcome:
        if not dry_run:
            audit_only(engine, user, "refusal", {"filename": filename, "dataset": "progress",
                                                 "problems": len(problems),
                                                 "first": problems["problem_en"].head(3).tolist()})
        return Outcome("refused", None, Counts(), problems,
                       f"文件未载入：发现 {len(problems)} 个问题。",
                       f"Not loaded: {len(problems)} problems.")

    try:
        # names resolve against every alias (as against every region); a row that resolves
        # outside ``scope`` is refused by the load below
        table = parse_progress(data, filename, regions_frame(engine),
                               aliases_frame(engine, Scope.everything()), as_of=as_of,
                               sheet=sheet, limits=limits)
    except IngestRefused as exc:
        return refused(exc.problems)
    warned = pd.DataFrame([{"row": w["row"], "column": "", "value": "", "region_code": None,
                            "region_name": "", "reason": "total", "warning_zh": w["problem_zh"],
                            "warning_en": w["problem_en"]} for w in table.warnings],
                          columns=WARNING_COLUMNS)
    if strict and len(warned):
        return refused(problems_frame([{"row": w["row"], "column": "", "value": "",
                                        "problem_zh": w["problem_zh"],
                                        "problem_en": w["problem_en"]} for w in table.warnings]))
    try:
        result = load_progress(engine, table.rows, table.as_of, scope=scope, user=user,
                               filename=filename, sha256=hashlib.sha256(data).hexdigest(),
                               rows_read=int(table.rows["row"].nunique()), dry_run=dry_run)
    except LoadRefused as exc:
        return refused(problems_frame([{"row": r, "column": "地区", "value": "",
                                        "problem_zh": exc.zh, "problem_en": exc.en}
                                       for r in sorted(set(exc.rows))]))
    counts = Counts(added=result.added, replaced=result.replaced, unchanged=result.unchanged)
    day = f"{table.as_of.year}年{table.as_of.month}月{table.as_of.day}日"
    zh = {"loaded": f"已载入截至{day}的进度（批次 {result.batch_id}）：新增 {result.added} 行，"
                    f"更新 {result.replaced} 行，未变 {result.unchanged} 行。",
          "unchanged": f"截至{day}的进度与已有数据相同，未写入。",
          "dry_run": f"试运行：截至{day}的进度将新增 {result.added} 行，更新 {result.replaced} 行，"
                     f"未变 {result.unchanged} 行。"}[result.status]
    en = {"loaded": f"Loaded progress as of {table.as_of} (batch {result.batch_id}): "
                    f"{result.added} added, {result.replaced} updated, {result.unchanged} unchanged.",
          "unchanged": f"Progress as of {table.as_of} is already stored; nothing written.",
          "dry_run": f"Dry run: progress as of {table.as_of} would add {result.added}, update "
                     f"{result.replaced}, leave {result.unchanged} unchanged."}[result.status]
    out = Outcome(result.status, result.batch_id, counts, problems_frame([]), zh, en)
    out.warnings, out.warnings_total = warned, len(warned)
    return out
