"""RegionLookup (lib/ui/data.py): one code at a time or many at once, the same answers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lib.ui.data import RegionLookup
from lib.warehouse.scope import Scope


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


def test_a_village_is_read_with_its_township_once():
    """The frame holds the levels above the villages; a village is found through its township's
    villages, read once for every village of that township."""
    asked = []

    def villages(township: str):
        asked.append(township)
        codes = {"350111001000": ["350111001001", "350111001002"], "350111002000": []}[township]
        return pd.Series(codes, dtype=object), pd.Series([f"村{c[-1]}" for c in codes], dtype=object)

    lookup = RegionLookup(pd.Series(["350111000000", "350111001000", "350111002000"]),
                          pd.Series(["晋安区", "甲镇", "乙镇"]), villages)
    assert lookup["350111001001"] == "村1" and lookup["350111001002"] == "村2"
    assert asked == ["350111001000"]
    with pytest.raises(KeyError):
        lookup["350111001009"]  # not a village of that township: no second read
    assert lookup.get("350111002001", "?") == "?" and asked == ["350111001000", "350111002000"]
    lookup.prefetch(["350111001001", "350111000000", "350111003001"])
    assert asked == ["350111001000", "350111002000"]  # 350111003000 is no township of the frame
    assert "350111003001" not in lookup and len(lookup) == 3


def test_pages_find_village_names_and_children_as_in_the_whole_region_table(engine, monkeypatch):
    """lib/ui/data reads the regions above the villages, then villages per township: the same
    names, parents and children as the whole table (every backend)."""
    from lib.ui import data
    from lib.warehouse.queries import regions_table
    from tests.test_cli_settings import cli_target

    cli_target(engine, monkeypatch)
    data.clear_cache()
    whole = regions_table(engine)
    towns = whole.loc[whole["level"] == "township", "code"].tolist()[:3]
    with data.scope_bound(Scope.everything()):
        assert len(data.query("regions_above_villages")) == int((whole["level"] != "village").sum())
        names, parents = data.region_lookup("name"), data.region_lookup("parent_code")
        for town in towns:
            kids = whole.loc[whole["parent_code"] == town, "code"].tolist()
            assert kids and data.children_of(town) == kids == data.children_of(town, "village")
            assert data.children_of(town, "district") == []
            for code in kids:
                row = whole.loc[whole["code"] == code].iloc[0]
                assert names[code] == row["name"] and parents[code] == town
        district = whole.loc[whole["level"] == "district", "code"].iloc[0]
        assert data.children_of(district, "township") == whole.loc[
            whole["parent_code"] == district, "code"].tolist()
        with pytest.raises(ValueError):
            data.codes_at("village")
    data.clear_cache()


def test_sessions_asking_for_one_township_at_once_all_find_its_villages():
    """Lookups are shared by the sessions of a process: while one reads a township's villages,
    another asking for one of them waits and finds it, never a miss remembered for good."""
    import threading
    import time

    reads = []

    def villages(township: str):
        reads.append(township)
        time.sleep(0.05)  # a slow read: the other threads ask meanwhile
        return pd.Series(["350111001001", "350111001002"]), pd.Series(["甲村", "乙村"])

    lookup = RegionLookup(pd.Series(["350111001000"]), pd.Series(["甲镇"]), villages)
    found: list = []
    threads = [threading.Thread(target=lambda c=c: found.append(lookup.get(c)))
               for c in ["350111001001", "350111001002"] * 4]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(found) == ["乙村"] * 4 + ["甲村"] * 4 and reads == ["350111001000"]
