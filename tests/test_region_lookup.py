"""RegionLookup (lib/ui/data.py): one code at a time or many at once, the same answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.ui.data import RegionLookup


def _lookup() -> RegionLookup:
    codes = pd.Series(["350100000000", "350102000000", "350111000000", "350111001000"])
    names = pd.Series(["福州市", "鼓楼区", None, np.nan], dtype=object)
    return RegionLookup(codes, names)


def test_prefetched_codes_answer_as_single_lookups():
    one, many = _lookup(), _lookup()
    asked = ["350102000000", "350111000000", "350111001000", "350100000000", "999999999999"]
    many.prefetch(asked + ["350102000000"])  # repeats and unknown codes are fine
    for code in asked[:-1]:
        assert many[code] == one[code]
        assert many.get(code, "x") == one.get(code, "x")
    assert many["350102000000"] == "鼓楼区" and many["350111000000"] is None
    with pytest.raises(KeyError):
        many["999999999999"]
    assert many.get("999999999999", "?") == "?"
    assert len(many) == 4 and list(many) == list(one)
