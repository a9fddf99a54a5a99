"""Limits checked while reading: hostile uploads are refused by name, with bounded
memory; Big5 and UTF-16 without a BOM are read right; the sheet holding the data is named.

The hostile files are built in tmp_path. Memory is measured in a subprocess (peak RSS, which counts
Arrow's and openpyxl's allocations too); nothing here is timed.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lib.ingest.errors import IngestRefused
from lib.ingest.readers import Limits, read_table, xlsx_sheets

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT_MB = 500

HEADER = ["乡镇（街道）", "培训日期", "参训人次"]

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
</Types>"""  # noqa: E501 (the part as Excel writes it, one element a line)
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""  # noqa: E501 (as Excel writes it)
NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def _cell(value: object) -> str:
    if isinstance(value, (int, float)):
        return f"<c><v>{value}</v></c>"
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def _row(values: list[object]) -> str:
    return "<row>" + "".join(_cell(v) for v in values) + "</row>"


def write_xlsx(path: Path, sheets: dict[str, list[str | tuple[str, int]]],
               dimension: str | None = None) -> Path:
    """A minimal workbook written by hand, each sheet's XML streamed from pieces: a string is
    written once, (piece, n) n times, so millions of rows cost no memory to build."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets="".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
            f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(len(names)))))
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", f"<workbook {NS}><sheets>" + "".join(
            f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
            + "</sheets></workbook>")
        zf.writestr("xl/_rels/workbook.xml.rels",
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships">' + "".join(
                        f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/'
                        f'officeDocument/2006/relationships/worksheet" '
                        f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
                    + "</Relationships>")
        for i, pieces in enumerate(sheets.values()):
            with zf.open(f"xl/worksheets/sheet{i + 1}.xml", "w", force_zip64=True) as out:
                dim = f'<dimension ref="{dimension}"/>' if dimension else ""
                out.write(f"<worksheet {NS}>{dim}<sheetData>".encode())
                for piece in pieces:
                    text, times = piece if isinstance(piece, tuple) else (piece, 1)
                    chunk = text.encode()
                    for _ in range(times):
                        out.write(chunk)
                out.write(b"</sheetData></worksheet>")
    return path


def repeated_rows_xlsx(path: Path, rows: int) -> Path:
    """The issue's case: a small XLSX of millions of identical rows."""
    block = _row(["茶园街道", "2024-03-05", 30]) * 10_000
    return write_xlsx(path, {"Sheet1": [_row(HEADER), (block, rows // 10_000)]})


def wide_csv(path: Path, columns: int, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(HEADER + [f"列{i}" for i in range(columns - len(HEADER))]) + "\n")
        line = ",".join(["茶园街道", "2024-03-05", "30"] + ["1"] * (columns - 3)) + "\n"
        for _ in range(rows):
            out.write(line)
    return path


def refusal(data: bytes, name: str, **kwargs) -> tuple[str, str]:
    with pytest.raises(IngestRefused) as exc:
        read_table(data, name, **kwargs)
    first = exc.value.problems.iloc[0]
    return first["problem_zh"], first["problem_en"]


def peak_refusal(path: Path) -> dict:
    """Read ``path`` in a fresh interpreter: the refusal's text and the process's peak RSS (MB)."""
    code = f"""
import json, resource, sys
from pathlib import Path
from lib.ingest.errors import IngestRefused
from lib.ingest.readers import read_table
path = Path({str(path)!r})
try:
    read_table(path.read_bytes(), path.name)
    out = {{"refused": None}}
except IngestRefused as exc:
    out = {{"refused": exc.problems.iloc[0]["problem_en"]}}
# VmHWM: this process's own peak. (ru_maxrss would carry the forking pytest worker's peak over
# exec on Linux, so a long test session would read as this reader's memory.)
hwm = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:")]
out["peak_mb"] = (int(hwm[0].split()[1]) if hwm else
                  resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- hostile inputs: refused by name, memory bounded ------------------------------------------------

def test_xlsx_of_millions_of_repeated_rows_is_refused_from_the_zip_directory(tmp_path):
    path = repeated_rows_xlsx(tmp_path / "bomb.xlsx", 2_500_000)
    assert path.stat().st_size < 5 * 2**20  # a small upload …
    with zipfile.ZipFile(path) as zf:  # … that unpacks past the limit
        assert sum(i.file_size for i in zf.infolist()) > Limits().max_xlsx_unpacked
    out = peak_refusal(path)
    assert out["refused"] and "unpacks to" in out["refused"] and "limit of 64 MB" in out["refused"]
    assert out["peak_mb"] < MEMORY_LIMIT_MB


def test_csv_of_100000_columns_is_refused_before_parsing(tmp_path):
    path = wide_csv(tmp_path / "wide.csv", 100_000, 20)
    out = peak_refusal(path)
    assert out["refused"] == "Row 1 has 100000 columns; the limit is 200."
    assert out["peak_mb"] < MEMORY_LIMIT_MB


def test_csv_with_a_header_line_past_the_cap_is_refused(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(",".join(HEADER) + "," + "x" * (3 * 2**20) + "\n茶园街道,2024-03-05,30\n",
                    encoding="utf-8")
    zh, en = refusal(path.read_bytes(), path.name)
    assert en.startswith("Row 1 is longer than 1048576 characters")
    assert "第 1 行" in zh


def test_csv_wide_data_row_under_a_narrow_header_is_refused_naming_the_row():
    lines = [",".join(HEADER), "茶园街道,2024-03-05,30", ",".join(["1"] * 5000), "王庄街道,2024-03-06,3"]
    zh, en = refusal("\n".join(lines).encode(), "w.csv")
    assert en == "Row 3 has 5000 columns; the limit is 200."
    assert zh == "第 3 行有 5000 列，超过上限 200 列。"


def test_csv_rows_and_cells_are_refused_while_streaming():
    body = "".join(f"茶园街道,2024-03-{d % 28 + 1:02d},{d}\n" for d in range(5000))
    data = (",".join(HEADER) + "\n" + body).encode()
    zh, en = refusal(data, "rows.csv", limits=Limits(max_rows=1000))
    assert en == "Over the limit of 1000 data rows: reading stopped there."
    big = (",".join(HEADER) + "\n茶园街道,2024-03-05,30\n王庄街道,2024-03-05," + "9" * 40_000
           + "\n").encode()
    zh, en = refusal(big, "cell.csv")
    assert en == ("The cell in row 3, column 参训人次 holds 40000 characters; "
                  "the limit is 32767.")


def test_xlsx_rows_columns_and_cells_are_refused_while_streaming(tmp_path):
    rows = repeated_rows_xlsx(tmp_path / "rows.xlsx", 50_000)
    zh, en = refusal(rows.read_bytes(), "rows.xlsx", limits=Limits(max_rows=10_000))
    assert en == "Over the limit of 10000 data rows: reading stopped there."
    wide = write_xlsx(tmp_path / "wide.xlsx", {"S": [_row(HEADER), _row(["茶园街道"] + [1] * 300)]})
    zh, en = refusal(wide.read_bytes(), "wide.xlsx")
    assert en == "Row 2 has 301 columns; the limit is 200."
    cell = write_xlsx(tmp_path / "cell.xlsx", {"S": [_row(HEADER), _row(["茶园街道", "x" * 40_000])]})
    zh, en = refusal(cell.read_bytes(), "cell.xlsx")
    assert en == "The cell in row 2, column B holds 40000 characters; the limit is 32767."


def test_xlsx_of_a_million_empty_rows_is_refused_before_openpyxl_keeps_them(tmp_path):
    """openpyxl keeps each parsed row element (emptied) on its parent, ~200 bytes a ``<row/>``:
    the rows are counted from the XML stream first."""
    path = write_xlsx(tmp_path / "blank.xlsx", {"S": [_row(HEADER), ("<row/>" * 10_000, 100)]})
    out = peak_refusal(path)
    assert out["refused"] == ("The Excel file has more than 250000 rows; reading stopped: "
                              "save it as CSV (up to 2000000 rows).")
    assert out["peak_mb"] < MEMORY_LIMIT_MB


def test_xlsx_row_of_more_cells_than_excel_allows_and_swarms_of_elements_are_refused(tmp_path):
    wide = write_xlsx(tmp_path / "cells.xlsx", {"S": [_row(HEADER), "<row>" + "<c/>" * 20_000
                                                      + "</row>"]})
    zh, en = refusal(wide.read_bytes(), "cells.xlsx")
    assert en == "Row 2 has >16384 columns; the limit is 200."
    swarm = write_xlsx(tmp_path / "swarm.xlsx", {"S": [_row(HEADER), ("<x/>" * 10_000, 60)]})
    zh, en = refusal(swarm.read_bytes(), "swarm.xlsx")
    assert en == ("The Excel file has an abnormal structure (xl/worksheets/sheet1.xml holds more "
                  "than 500000 elements): save it as CSV.")


def test_xlsx_declaring_a_huge_dimension_is_read_at_its_real_size(tmp_path):
    """``A1:XFD1048576`` would pad every row to 16,384 cells; the real cells are what counts."""
    path = write_xlsx(tmp_path / "dim.xlsx", {"S": [_row(HEADER), _row(["茶园街道", "2024-03-05", 30])]},
                      dimension="A1:XFD1048576")
    table = read_table(path.read_bytes(), "dim.xlsx")
    assert list(table.frame.columns) == HEADER
    assert table.frame.loc[2].tolist() == ["茶园街道", "2024-03-05", 30]


def test_xlsx_with_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(50):
            zf.writestr(f"p{i}.xml", "<x/>")
    zh, en = refusal(path.read_bytes(), "parts.xlsx", limits=Limits(max_xlsx_parts=20))
    assert en == "The Excel file has an abnormal structure (50 parts, limit 20) and cannot be read."


# --- encodings ---------------------------------------------------------------------------------------

TRADITIONAL = "region_name,held_on,participants,topic\n茶園街道,2024-03-05,30,婦女權益與家庭教育講座\n" \
              "王莊街道,2024-03-06,12,創業技能培訓（電子商務）\n"


def test_big5_with_ascii_headers_is_read_as_big5_not_gb18030():
    table = read_table(TRADITIONAL.encode("big5"), "big5.csv")
    assert table.encoding == "big5"
    assert table.frame["topic"].tolist() == ["婦女權益與家庭教育講座", "創業技能培訓（電子商務）"]
    assert table.frame["region_name"].tolist() == ["茶園街道", "王莊街道"]


def test_gbk_stays_gbk_next_to_big5():
    simplified = "乡镇（街道）,培训日期,参训人次,培训主题\n茶园街道,2024-03-05,30,妇女权益与家庭教育讲座\n"
    table = read_table(simplified.encode("gbk"), "gbk.csv")
    assert table.encoding == "gbk/gb18030"
    assert table.frame["培训主题"].tolist() == ["妇女权益与家庭教育讲座"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_with_or_without_bom_is_read(codec):
    text = "乡镇（街道）,培训日期,参训人次\n茶园街道,2024-03-05,30\n王庄街道,2024-03-06,12\n"
    table = read_table(text.encode(codec), "u16.csv")
    assert table.encoding == codec
    assert table.frame["乡镇（街道）"].tolist() == ["茶园街道", "王庄街道"]


def test_utf16_that_does_not_decode_is_refused_by_name():
    # a lone surrogate after the text
    broken = "乡镇（街道）,培训日期\n茶园街道,2024-03-05\n".encode("utf-16-le") + b"\x3d\xd8\x41\x00"
    zh, en = refusal(broken, "bad16.csv")
    assert "UTF-16" in en and "UTF-16" in zh


# --- sheets ------------------------------------------------------------------------------------------

def _two_sheets(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "two.xlsx", {
        "说明": [_row(["本表由各乡镇填报"])],
        "空白": [],
        "培训台账": [_row(["乡镇（街道）", "培训日期", "培训主题", "培训对象", "培训方式", "参训人次"]),
                     _row(["茶园街道", "2024-03-05", "家庭教育", "妇女群众", "线下", 30])]})


def test_data_on_another_sheet_is_refused_naming_the_sheets_that_hold_data(tmp_path):
    data = _two_sheets(tmp_path).read_bytes()
    zh, en = refusal(data, "two.xlsx")
    assert "「说明」" in zh and "含数据的工作表：培训台账。" in zh and "--sheet" in zh
    assert "Sheets holding data: 培训台账." in en
    assert xlsx_sheets(data) == [("说明", True, False), ("空白", False, False), ("培训台账", True, True)]
    table = read_table(data, "two.xlsx", sheet="培训台账")
    assert table.sheet == "培训台账" and table.frame.index.tolist() == [2]


def test_cli_sheet_option_loads_the_named_sheet(tmp_path, capsys):
    from lib.ingest.__main__ import main
    from lib.warehouse.engine import dispose_engine

    path = _two_sheets(tmp_path)
    url = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    try:
        assert main(["load", str(path), "--dataset", "training", "--db", url, "--dry-run"]) == 2
        assert "培训台账" in capsys.readouterr().err
        assert main(["load", str(path), "--dataset", "training", "--db", url, "--dry-run",
                     "--sheet", "培训台账"]) == 0
        assert "Dry run: 1 to add" in capsys.readouterr().out
    finally:
        dispose_engine(url)


def test_upload_page_offers_the_sheets_and_reads_the_chosen_one(engine, tmp_path):
    """The page's 工作表 choice: the ledger sheet preselected, the empty sheet marked; choosing the
    notes sheet is refused naming the sheet with data (AppTest; on DuckDB and PostgreSQL)."""
    from tests.apptest_util import app_env, run_page
    from tests.test_app import _url

    url, schema = _url(engine)
    with app_env(url, schema=schema, demo=False):
        at = run_page("views/upload.py")
        at.file_uploader(key="up_file").upload(
            "two.xlsx", _two_sheets(tmp_path).read_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
        assert not at.exception, at.exception
        box = at.selectbox(key="up_sheet")
        assert box.options == ["说明", "空白（空）", "培训台账"] and box.value == "培训台账"
        assert not at.error
        assert any("试运行：新增 1 行" in m.value for m in at.markdown)
        at.selectbox(key="up_sheet").select("说明").run()
    assert not at.exception, at.exception
    assert any("含数据的工作表：培训台账" in e.value for e in at.error)
