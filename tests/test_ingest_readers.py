"""lib.ingest.readers and the file-level refusals: the awkward corpus in tests/fixtures_ingest/."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lib.ingest.errors import IngestRefused
from lib.ingest.readers import Limits, decode_text, read_table

FIX = Path(__file__).resolve().parent / "fixtures_ingest"


@pytest.mark.parametrize("name,encoding,header_row,first_row,n_rows", [
    ("training_gbk_title_total.csv", "gbk/gb18030", 3, 4, 5),  # 3 rows + 合计 + footer
    ("job_fair_bom_fullwidth.csv", "utf-8-sig", 1, 2, 2),
    ("screening_gb18030.csv", "gbk/gb18030", 1, 2, 3),
    ("job_fair_merged_title.xlsx", None, 3, 4, 4),
])
def test_reads_corpus(name, encoding, header_row, first_row, n_rows):
    table = read_table((FIX / name).read_bytes(), name)
    assert table.encoding == encoding
    assert table.header_row == header_row
    assert table.frame.index[0] == first_row
    assert len(table.frame) == n_rows


def test_title_lines_are_kept_for_the_preview():
    table = read_table((FIX / "training_gbk_title_total.csv").read_bytes(), "t.csv")
    assert table.title_lines[0] == "2024年晋安区妇联培训台账"
    assert list(table.frame.columns)[:2] == ["乡镇（街道）", "培训日期"]


def test_xlsx_named_sheet_and_missing_sheet():
    data = (FIX / "job_fair_merged_title.xlsx").read_bytes()
    assert read_table(data, "f.xlsx", sheet="招聘会").sheet == "招聘会"
    with pytest.raises(IngestRefused) as exc:
        read_table(data, "f.xlsx", sheet="nope")
    assert "招聘会" in exc.value.problems["problem_zh"][0]


@pytest.mark.parametrize("name,data,fragment", [
    ("empty.csv", None, "empty"),
    ("blank.csv", b"  \n\n", "empty"),
    ("junk.bin", None, "Unrecognised"),
    ("corrupt.xlsx", None, "corrupt"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "xls"),
    ("latin.csv", "乡镇,日期\n".encode("utf-8") + b"\xff\xfe\xfa\n", "encoding"),
    ("nohead.csv", "a,b,c\n1,2,3\n".encode(), "No header row"),
    ("only_header.csv", "乡镇（街道）,培训日期,参训人次\n".encode(), "no data rows"),
])
def test_refusals_are_messages_not_tracebacks(name, data, fragment):
    payload = data if data is not None else (FIX / name).read_bytes()
    with pytest.raises(IngestRefused) as exc:
        read_table(payload, name)
    assert fragment.lower() in exc.value.problems["problem_en"][0].lower()
    assert exc.value.problems["problem_zh"][0]


def test_limits():
    data = "乡镇（街道）,培训日期\n茶园,2024-01-01\n王庄,2024-01-02\n".encode()
    with pytest.raises(IngestRefused, match="limit"):
        read_table(data, "x.csv", limits=Limits(max_rows=1))
    with pytest.raises(IngestRefused, match="too large"):
        read_table(data, "x.csv", limits=Limits(max_bytes=10))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_decode_never_latin1(encoding):
    text = "乡镇（街道）,培训日期\n鼓山镇,2024年3月5日\n"
    decoded, _ = decode_text(text.encode(encoding))
    assert decoded.lstrip("\ufeff") == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_random_bytes_only_refuse(data):
    for name in ("x.csv", "x.xlsx"):
        try:
            read_table(data, name)
        except IngestRefused:
            pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False,
                                                                                 allow_infinity=False),
                                   st.none()), min_size=1, max_size=6), min_size=1, max_size=8))
def test_random_cells_in_a_real_workbook(rows):
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = Workbook()
    ws = wb.active
    ws.append(["乡镇（街道）", "培训日期", "培训主题"])
    try:
        for r in rows:
            ws.append(r)
    except IllegalCharacterError:
        return
    buf = io.BytesIO()
    wb.save(buf)
    try:
        table = read_table(buf.getvalue(), "r.xlsx")
    except IngestRefused:
        return
    assert table.header_row >= 1
