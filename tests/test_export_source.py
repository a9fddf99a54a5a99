"""A download's source line: no internal path, and which part is demo when real uploads sit beside it."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lib.ui.dashboard import source_text

AT = dt.datetime(2026, 11, 30, 9, 0)


def _fresh(*rows: tuple[str, bool]) -> pd.DataFrame:
    return pd.DataFrame([(d, AT, int(demo)) for d, demo in rows],
                        columns=["dataset", "last_upload", "is_demo"])


def test_the_demo_alone_says_demo_without_naming_a_file():
    text = source_text(_fresh(("demo", True)), ("training",), "zh")
    assert "示例数据" in text and "lib/" not in text and ".py" not in text
    assert ".py" not in source_text(_fresh(("demo", True)), ("training",), "en")


def test_real_ledgers_beside_the_demo_are_named_and_the_rest_is_demo():
    fresh = _fresh(("demo", True), ("screening", False), ("training", False))
    zh = source_text(fresh, ("screening", "screening_target"), "zh")
    assert "两癌筛查" in zh and "示例数据" in zh and "培训" not in zh
    en = source_text(fresh, ("screening", "screening_target"), "en")
    assert "demo" in en and "not real" in en


def test_real_uploads_only_name_the_page_s_ledgers():
    text = source_text(_fresh(("training", False)), ("training",), "zh")
    assert "示例" not in text and "培训" in text and "各地妇联上报" in text
    assert source_text(_fresh(), (), "zh") == "各地妇联上报台账"
