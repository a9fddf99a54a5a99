"""Table downloads: CSV as UTF-8 with BOM (so Excel opens Chinese correctly) and XLSX, both
neutralised against CSV injection; charts as PNG through vl-convert.

Every table the app offers for download goes through ``csv_bytes`` / ``xlsx_bytes`` (the admin's
audit log included), so every one is neutralised by ``neutralise_formulas``.
"""
from __future__ import annotations

import io

import pandas as pd

from lib.ingest.exports import neutralise_cell


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` in which no text cell or column name starts a formula.

    Excel and WPS run a cell that starts with = + - @ (or a tab / CR) as a formula — e.g. an audit
    detail "=HYPERLINK(...)" typed as a user name or label. Such text gets a leading ' (shown as
    text, not executed). Numbers, including negative ones, dates and missing values are kept as they
    are; text inside categorical columns is neutralised as well. The input is never changed.
    """
    out = frame.copy()
    out.columns = [neutralise_cell(c) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype(object)
        elif not (col.dtype == object or pd.api.types.is_string_dtype(col)):
            continue
        out.isetitem(i, col.map(neutralise_cell))
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def chart_png(chart, scale: float = 2.0) -> bytes:
    """An Altair chart as PNG; vl-convert finds the system's Noto CJK fonts for Chinese labels."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_json(), scale=scale)
