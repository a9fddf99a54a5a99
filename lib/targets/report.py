"""The annual monitoring report: an XLSX with one sheet per domain, a warning sheet and notes."""
from __future__ import annotations

import io
import math
import re
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from lib.targets import labels as L
from lib.targets.assess import Assessment, warnings

COLUMNS = ["code", "name", "region_code", "unit", "direction", "baseline_year", "baseline_value",
           "latest_year", "latest_value", "latest_as_of", "target_value", "target_year",
           "time_progress", "attainment_progress", "slope", "projected_value", "projected_low",
           "projected_high", "status", "volatile", "shortfall", "reason"]
_PERCENT_COLUMNS = {"time_progress", "attainment_progress"}
# Values in the indicator's own unit: rounded as the page shows them (one decimal; counts whole).
_UNIT_COLUMNS = {"baseline_value", "latest_value", "target_value", "slope", "projected_value",
                 "projected_low", "projected_high", "shortfall"}
_STATUS_FILL = {"achieved": "C6EFCE", "on_track": "DDEBF7", "at_risk": "FFEB9C",
                "off_track": "FFC7CE", "insufficient_data": "EDEDED"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula (= + - @, also after tab/CR) gets a quote."""
    if isinstance(value, str) and value and value.lstrip("\t\r\n ")[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def _digits(unit: str) -> int:
    return 0 if unit == "count" else 1


def _rounded(x, digits: int):
    """A number as displayed (still a number): 4.724999999999909 → 4.7; None and NaN stay empty."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), digits) if digits else int(round(float(x)))


def _row(a: Assessment, lang: str) -> list:
    d = a.to_dict()
    for c in _UNIT_COLUMNS:
        d[c] = _rounded(d[c], _digits(a.unit))
    for c in _PERCENT_COLUMNS:
        d[c] = _rounded(d[c], 3)  # 0.1 % of a share
    d["name"] = a.name_zh if lang == "zh" else a.name_en
    d["latest_as_of"] = a.latest_label(lang)  # 截至2026年11月30日 / 2025年末, as the reading says
    d["unit"] = L.UNIT_LABELS.get(a.unit, {}).get(lang, a.unit)
    d["direction"] = L.DIRECTION_LABELS.get(a.direction, {}).get(lang, a.direction)
    d["status"] = L.status_label(a.status, lang)
    d["volatile"] = L.VOLATILE_LABEL[lang] if a.volatile else ""
    d["reason"] = L.reason_text(a.reason, lang, n=a.n_years)
    return [safe_cell(d[c]) for c in COLUMNS]


def _sheet_title(text: str, used: set[str]) -> str:
    title = _BAD_SHEET_CHARS.sub("_", text)[:31] or "Sheet"
    base, i = title, 2
    while title in used:
        title = f"{base[:28]}_{i}"
        i += 1
    used.add(title)
    return title


def _write(ws, assessments: list[Assessment], lang: str) -> None:
    ws.append([L.REPORT_COLUMNS[c][lang] for c in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    status_col = COLUMNS.index("status") + 1
    for a in assessments:
        ws.append(_row(a, lang))
        r = ws.max_row
        ws.cell(r, status_col).fill = PatternFill("solid", fgColor=_STATUS_FILL[a.status])
        for c in _PERCENT_COLUMNS:
            ws.cell(r, COLUMNS.index(c) + 1).number_format = "0.0%"
        for c in _UNIT_COLUMNS:
            ws.cell(r, COLUMNS.index(c) + 1).number_format = "0.0" if _digits(a.unit) else "#,##0"
    ws.freeze_panes = "C2"
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 14


def monitoring_report_xlsx(assessments: Iterable[Assessment], lang: str = "zh") -> bytes:
    """The report as XLSX bytes: one sheet per domain (catalog order), then 预警, then 说明."""
    items = list(assessments)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    order = list(L.DOMAIN_LABELS)
    domains = sorted(dict.fromkeys(a.domain for a in items),
                     key=lambda d: (order.index(d) if d in order else len(order), d))
    for domain in domains:
        ws = wb.create_sheet(_sheet_title(L.domain_label(domain, lang) or "-", used))
        _write(ws, [a for a in items if a.domain == domain], lang)
    ws = wb.create_sheet(_sheet_title(L.WARNINGS_SHEET[lang], used))
    _write(ws, warnings(items), lang)
    notes = wb.create_sheet(_sheet_title(L.NOTES_SHEET[lang], used))
    for line in L.REPORT_NOTES[lang]:
        notes.append([safe_cell(line)])
    notes.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
