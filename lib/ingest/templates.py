"""Templates: the Chinese headers of one dataset and one example row, as XLSX or CSV, ready to fill in."""
from __future__ import annotations

import io

import pandas as pd

from lib.ingest.specs import DATASETS


def template_frame(dataset: str) -> pd.DataFrame:
    """One example row under the first Chinese header of each column (region by township name)."""
    spec = DATASETS[dataset]
    row: dict[str, object] = {"乡镇（街道）": "茶园街道"}
    for col in spec.columns:
        if col.kind == "id":
            continue
        header = col.aliases[0] if col.aliases else col.name
        row[header] = col.example if col.example is not None else ""
    return pd.DataFrame([row])


def template_xlsx(dataset: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        template_frame(dataset).to_excel(writer, sheet_name=DATASETS[dataset].label_zh, index=False)
        ws = writer.sheets[DATASETS[dataset].label_zh]
        for letter in "ABCDEFGHIJ":
            ws.column_dimensions[letter].width = 16
    return buf.getvalue()


def template_csv(dataset: str) -> bytes:
    """The template as CSV text: UTF-8 with a BOM, so Excel opens the Chinese headers as they are."""
    return template_frame(dataset).to_csv(index=False).encode("utf-8-sig")


# suffix → writer: the file's name says what it holds (an XLSX in a .csv opens as garbage)
TEMPLATE_WRITERS = {".csv": template_csv, ".xlsx": template_xlsx}
