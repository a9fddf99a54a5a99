"""Formula cells: a saved result loads as its value; a formula never calculated (openpyxl and other
programs write none) is refused by sheet and cell instead of loading as a blank."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from lib.ingest.errors import IngestRefused
from lib.ingest.readers import read_table


def _book(second_sheet_formula: bool = False) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "培训"
    ws.append(["乡镇（街道）", "培训日期", "参训人数", "其中女性"])
    ws.append(["鼓山镇", "2026-03-05", 40, 38])
    ws.append(["宦溪镇", "2026-03-06", 30, "=C3-2"])
    other = wb.create_sheet("说明")
    other.append(["合计", "=SUM(1,2)" if second_sheet_formula else 3])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _with_saved_results(data: bytes) -> bytes:
    """The same workbook as Excel saves it: every <f> followed by its cached <v>."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>28</v>", body)
            dst.writestr(info, body)
    return out.getvalue()


def test_unsaved_formula_is_refused_naming_sheet_and_cell():
    with pytest.raises(IngestRefused) as err:
        read_table(_book(), "培训.xlsx")
    text = err.value.problems.iloc[0]["problem_zh"]
    assert "培训" in text and "D3" in text and "保存" in text


def test_saved_formula_loads_its_value():
    table = read_table(_with_saved_results(_book()), "培训.xlsx")
    frame = table.frame
    assert "28" in {str(v).replace(".0", "") for v in frame.iloc[:, 3].tolist()}


def test_formula_on_another_sheet_does_not_block_this_one():
    data = _with_saved_results(_book())  # 培训 calculated; 说明 below still holds a bare formula
    wb_bytes = _book(second_sheet_formula=True)
    src = zipfile.ZipFile(io.BytesIO(wb_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = zipfile.ZipFile(io.BytesIO(data)).read(info.filename)
            dst.writestr(info, body)
    mixed = out.getvalue()
    assert len(read_table(mixed, "培训.xlsx").frame) == 2
    with pytest.raises(IngestRefused) as err:
        read_table(mixed, "培训.xlsx", sheet="说明")
    assert "B1" in err.value.problems.iloc[0]["problem_zh"]


def test_progress_table_reader_refuses_the_same_way():
    from lib.ingest.progress import read_grid

    with pytest.raises(IngestRefused) as err:
        read_grid(_book(), "进度表.xlsx")
    assert "D3" in err.value.problems.iloc[0]["problem_zh"]
    assert any(r[:1] == ["宦溪镇"] for r in read_grid(_with_saved_results(_book()), "进度表.xlsx"))
