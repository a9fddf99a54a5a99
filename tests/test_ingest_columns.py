"""The million-row fast paths (lib.ingest.columns, the Arrow CSV reader, column-wise normalisers)
give exactly what the plain per-cell code gives: same cells, same problems, same rows."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lib.ingest import readers
from lib.ingest.columns import PY_WHITESPACE, blank_mask, distinct, might_match
from lib.ingest.normalise import clean_text, clean_texts, normalise_column
from lib.ingest.personal import find_personal_data
from lib.ingest.readers import read_table, text_dtype

HEAD = "乡镇（街道）,培训日期,培训主题,培训对象,培训方式,参训人次"
CELLS = ["", " ", "None", " None\u3000", "\x1c", "a", " a ", "\u2028x\u2029", "ＡＢ", "N/A", "-",
         "茶园 ", "１，２００", "1,200", "2024年3月5日", "12", "\u200b", "#n/a", "NULL"]


def test_py_whitespace_is_what_str_strip_removes():
    assert set(PY_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def _both(values: list) -> list[pd.Series]:
    """The same cells as an object column (XLSX, irregular CSV) and an Arrow column (CSV)."""
    index = pd.RangeIndex(2, 2 + len(values))
    return [pd.Series(values, dtype=object, index=index),
            pd.Series([None if v is None else str(v) for v in values], dtype=text_dtype(),
                      index=index)]


@pytest.mark.parametrize("col", _both(CELLS + [None]))
def test_clean_texts_is_clean_text_of_each_cell(col):
    assert list(clean_texts(col)) == [clean_text(v) for v in col.astype(object)]


@pytest.mark.parametrize("col", _both(CELLS + [None]))
def test_blank_mask(col):
    expected = [pd.isna(v) or str(v).strip() in ("", "None") for v in col.astype(object)]
    assert list(blank_mask(col)) == expected


@pytest.mark.parametrize("col", _both(["b", "a", None, "b", "c", "a"]))
def test_distinct_in_order_of_first_appearance(col):
    codes, values = distinct(col)
    assert list(values) == ["b", "a", "c"] and list(codes) == [0, 1, -1, 0, 2, 1]


def test_might_match_gates_skip_columns_that_cannot_match():
    col = _both(["abc", "12345"])[1]
    assert not might_match(col, r"\d", min_chars=6).any()
    assert not might_match(col, r"\d", non_ascii=True).any()
    assert list(might_match(col, r"\d", min_chars=5)) == [False, True]


@pytest.mark.parametrize("kind", ["text", "id", "count", "number", "date", "month", "year"])
def test_normalise_column_same_for_object_and_arrow_cells(kind):
    obj, arrow = _both(CELLS + ["2024-03-05", "45", "-5", None])
    a, a_bad = normalise_column(obj, kind)
    b, b_bad = normalise_column(arrow, kind)
    assert a.dtype == b.dtype and a.astype(object).where(a.notna(), None).tolist() == \
        b.astype(object).where(b.notna(), None).tolist()
    assert a_bad.tolist() == b_bad.tolist()


def _general(data: bytes, monkeypatch) -> pd.DataFrame:
    monkeypatch.setattr(readers, "_parse_arrow", lambda *a, **k: None)
    return read_table(data, "f.csv").frame


@pytest.mark.parametrize("body", [
    'a,"b""c",d,e,f,1', 'a,b"c,d,e,f,1', 'a,"b"c,d,e,f,1', '"a\nb",c,d,e,f,1', 'a,"b" ,c,d,e,1',
    ' "a",b,c,d,e,1', 'a,,c,,,', 'a, b ,c,d,e,1\r\nx,y,z,w,v,2', 'a,b,c,d,e,1\n\nx,y,z,w,v,2',
    'a,b,c,d,e,1\n,,,,,\nx,y,z,w,v,2', '"",b,c,d,e,1', 'a,b,c,d,e,"1\r\n2"', 'None,,,, ,\nx,y,z,w,v,2',
])
def test_arrow_reader_reads_what_the_general_reader_reads(body, monkeypatch):
    for data in ((HEAD + "\n" + body + "\n").encode("utf-8"),
                 ("标题\n" + HEAD + "\n" + body).encode("gbk"),
                 ("\ufeff" + HEAD + "\n" + body + "\n").encode("utf-8")):
        fast = read_table(data, "f.csv")
        general = _general(data, monkeypatch)
        monkeypatch.undo()
        assert list(fast.frame.columns) == list(general.columns)
        assert list(fast.frame.index) == list(general.index)
        assert fast.frame.astype(object).values.tolist() == general.values.tolist()


def test_old_mac_line_ends_read_as_before(monkeypatch):
    data = ("\r" + HEAD + "\r茶园,2024-03-05,家庭教育,执委,线下,5\r鼓山,2024-03-05,家庭教育,执委,线下,6\r"
            ).encode()
    fast = read_table(data, "f.csv").frame
    general = _general(data, monkeypatch)
    assert list(fast.columns) == list(general.columns) and list(fast.index) == list(general.index)


@pytest.mark.parametrize("tail", ['x,"open\n', 'x,y,z,w,v,"1""\n', 'x,y,z,w,v,"1'])
def test_a_quote_left_open_is_still_refused(tail):
    from lib.ingest.errors import IngestRefused

    with pytest.raises(IngestRefused, match="malformed"):
        read_table((HEAD + "\n茶园,2024-03-05,家庭教育,执委,线下,5\n" + tail).encode(), "f.csv")


def test_arrow_reader_keeps_cells_as_arrow_text():
    table = read_table((HEAD + "\n茶园,2024-03-05,家庭教育,执委,线下,5\n").encode(), "f.csv")
    assert all(isinstance(d, pd.StringDtype) for d in table.frame.dtypes)


def test_personal_data_every_cell_first_row_in_file_order():
    notes = ["晴"] * 300_000  # past the 200,000 cells the check once sampled
    notes[250_001] = "编号110105194912310021"  # the checksum says: not an ID number
    notes[260_000] = "证件11010519491231002X"
    notes[270_000] = "证件11010519491231002X"
    raw = pd.DataFrame({"备注": notes}, index=pd.RangeIndex(2, 2 + len(notes)), dtype=text_dtype())
    found = find_personal_data(raw)
    assert [(p["row"], p["column"]) for p in found] == [(260_002, "备注")]
    assert "ID-card" in found[0]["problem_en"]


def test_mobile_inside_a_longer_number_is_not_personal():
    raw = pd.DataFrame({"编号": ["x139123456780", "13912345678"]}, index=[2, 3],
                       dtype=text_dtype())
    assert [(p["row"], p["problem_en"][:24]) for p in find_personal_data(raw)] == \
        [(3, "This column holds mobile")]
    assert find_personal_data(raw.iloc[:1]) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.text(alphabet='0123456789,.-年月日"茶园鼓山 \t\r\n', max_size=8),
                         min_size=6, max_size=6), min_size=1, max_size=6))
def test_random_files_read_the_same_either_way(rows):
    import csv
    import io

    buf = io.StringIO()
    buf.write(HEAD + "\n")
    csv.writer(buf).writerows(rows)
    data = buf.getvalue().encode()
    try:
        fast = read_table(data, "f.csv").frame
    except Exception as exc:  # refusals must match too
        fast = type(exc).__name__
    original = readers._parse_arrow
    readers._parse_arrow = lambda *a, **k: None
    try:
        general = read_table(data, "f.csv").frame
    except Exception as exc:
        general = type(exc).__name__
    finally:
        readers._parse_arrow = original
    if isinstance(fast, str) or isinstance(general, str):
        assert fast == general
        return
    assert list(fast.index) == list(general.index)
    assert np.array_equal(fast.astype(object).values, general.values)
