"""Downloads that leave halfsky: the problems workbook and CSV-injection-safe cells.

A cell starting with = + - @ (or a tab/CR) is a formula to Excel; prefixing ' keeps it text, so a
hostile value in an upload cannot run when an analyst opens our export.
"""
from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """'=1+1' → \"'=1+1\"; numbers (including negative ones) and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise_cell(c) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise_cell)
    return out


def problems_by_row(problems: pd.DataFrame) -> dict[int, str]:
    """File row → one 问题说明 text joining that row's problems ('列: 问题')."""
    out: dict[int, list[str]] = {}
    for p in problems.itertuples(index=False):
        if pd.isna(p.row):
            continue
        out.setdefault(int(p.row), []).append(f"{p.column}：{p.problem_zh}" if p.column
                                              else p.problem_zh)
    return {r: "；".join(v) for r, v in out.items()}


def export_problems_xlsx(original: pd.DataFrame, problems: pd.DataFrame) -> bytes:
    """The file as uploaded with a 问题说明 column next to each bad row, plus a sheet of all problems."""
    from openpyxl.styles import PatternFill

    notes = problems_by_row(problems)
    sheet = original.copy()
    sheet.insert(0, "行号", sheet.index)
    sheet.insert(1, "问题说明", [notes.get(int(r), "") for r in sheet.index])
    listing = problems.rename(columns={"row": "行号", "column": "列", "value": "值",
                                       "problem_zh": "问题说明", "problem_en": "problem"})
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_frame(sheet).to_excel(writer, sheet_name="数据", index=False)
        neutralise_frame(listing).to_excel(writer, sheet_name="问题清单", index=False)
        ws = writer.sheets["数据"]
        fill = PatternFill("solid", fgColor="FFF2CC")
        for i, r in enumerate(sheet.index, start=2):
            if notes.get(int(r)):
                for cell in ws[i]:
                    cell.fill = fill
        ws.column_dimensions["B"].width = 60
    return buf.getvalue()
