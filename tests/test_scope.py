import pytest

from lib.warehouse.scope import ScopeError, level_of, narrow, prefix_of


@pytest.mark.parametrize("code,level,prefix", [
    ("350000000000", "province", "35"),
    ("350100000000", "city", "3501"),
    ("350111000000", "district", "350111"),
    ("350111001000", "township", "350111001"),
    ("350111001002", "village", "350111001002"),
])
def test_levels_and_prefixes(code, level, prefix):
    assert level_of(code) == level
    assert prefix_of(code) == prefix


@pytest.mark.parametrize("bad", ["35011100000", "3501110000001", "35011100000x", ""])
def test_bad_codes(bad):
    with pytest.raises(ValueError):
        level_of(bad)


@pytest.mark.parametrize("scope,code,expected", [
    ("", "350111000000", "350111"),
    ("350111", "350111001000", "350111001"),
    ("350111", "350100000000", "350111"),  # a parent of one's scope shows the scope only
])
def test_narrow(scope, code, expected):
    assert narrow(scope, code) == expected


def test_narrow_refuses_other_district():
    with pytest.raises(ScopeError):
        narrow("350111", "350102000000")
