"""Templates from the CLI: a real CSV for .csv (UTF-8 with BOM, which Excel opens in Chinese), an
XLSX for .xlsx, and a clear refusal for any other suffix; each loads as it is."""
from __future__ import annotations

import csv
import io

import pytest

from lib.ingest import prepare
from lib.warehouse.scope import Scope
from lib.ingest.__main__ import main
from lib.ingest.specs import DATASETS


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_csv_template_is_csv_text_and_loads(tmp_path, capsys, dataset, engine):
    from lib.warehouse.reference import indicators_frame, regions_frame

    out = tmp_path / f"{dataset}.csv"
    assert main(["template", dataset, str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbfPK")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[0][0] == "乡镇（街道）"
    p = prepare(data, out.name, regions=regions_frame(engine), dataset=dataset,
                indicators=indicators_frame(engine), scope=Scope.everything())
    assert p.problems.empty, p.problems.to_string()


def test_xlsx_template_is_a_workbook(tmp_path):
    out = tmp_path / "t.XLSX"
    assert main(["template", "training", str(out)]) == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"


@pytest.mark.parametrize("name", ["t.txt", "t", "t.xls"])
def test_other_suffixes_are_refused_and_nothing_written(tmp_path, capsys, name):
    out = tmp_path / name
    assert main(["template", "training", str(out)]) == 2
    err = capsys.readouterr().err
    assert ".csv" in err and ".xlsx" in err
    assert not out.exists()
