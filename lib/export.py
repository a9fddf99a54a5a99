"""Table downloads: CSV as UTF-8 with BOM (so Excel opens Chinese correctly) and XLSX, both
neutralised against CSV injection; charts as PNG through vl-convert."""
from __future__ import annotations

import io

import pandas as pd

from lib.ingest.exports import neutralise_frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_frame(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buf.getvalue()


def chart_png(chart, scale: float = 2.0) -> bytes:
    """An Altair chart as PNG; vl-convert finds the system's Noto CJK fonts for Chinese labels."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart.to_json(), scale=scale)
