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


# --- Scope: the value every scoped warehouse function requires --------------------------------

from sqlalchemy import select  # noqa: E402

from lib.warehouse import schema as s  # noqa: E402
from lib.warehouse.scope import COUNTRY_CODE, Scope  # noqa: E402


@pytest.mark.parametrize("bad", ["", "3", "350", "3501110", "35011a", "３５", None, 350111])
def test_scope_refuses_anything_but_a_prefix(bad):
    """"" would mean the whole warehouse: that is only ever the explicit Scope.everything()."""
    with pytest.raises(ValueError):
        Scope(bad)


def test_everything_is_explicit_and_equal_to_the_country():
    whole = Scope.everything()
    assert whole.is_everything and whole.prefix == ""
    assert Scope.of_region(COUNTRY_CODE) == whole
    assert whole.region_code == COUNTRY_CODE
    assert not Scope("35").is_everything


@pytest.mark.parametrize("scope,code,inside", [
    ("350111", "350111001002", True),
    ("350111", "350111000000", True),
    ("350111", "350111001", True),       # a prefix inside
    ("350111", "350100000000", False),   # the parent city
    ("350111", "350102000000", False),   # a neighbour
    ("35", "350111000000", True),
    ("350111", None, False),             # no region: only the whole warehouse
])
def test_contains(scope, code, inside):
    assert Scope(scope).contains(code) is inside
    assert Scope.everything().contains(code)


@pytest.mark.parametrize("scope,code,expected", [
    ("350111", "350111001000", "350111001"),
    ("350111", "350100000000", "350111"),  # a parent of one's scope shows the scope only
])
def test_scope_narrow(scope, code, expected):
    assert Scope(scope).narrow(code) == Scope(expected)
    assert Scope.everything().narrow(code) == Scope(prefix_of(code))
    assert Scope.everything().narrow(COUNTRY_CODE).is_everything


def test_scope_narrow_refuses_outside():
    with pytest.raises(ScopeError):
        Scope("350111").narrow("350102000000")


def test_covers():
    assert Scope("3501").covers(Scope("350111"))
    assert not Scope("350111").covers(Scope("3501"))
    assert Scope.everything().covers(Scope("35"))
    assert not Scope("35").covers(Scope.everything())


def test_where_narrows_in_sql(engine):
    """The filter is SQL on both backends: the district sees its rows only, everything sees all,
    and the outside condition is its complement."""
    r = s.region.c.code
    with engine.connect() as conn:
        every = set(conn.execute(select(r)).scalars())
        jinan = set(conn.execute(select(r).where(Scope("350111").where(r))).scalars())
        outside = set(conn.execute(select(r).where(Scope("350111").where_outside(r))).scalars())
        whole = set(conn.execute(select(r).where(Scope.everything().where(r))).scalars())
        none = set(conn.execute(select(r).where(Scope.everything().where_outside(r))).scalars())
    assert jinan and all(c.startswith("350111") for c in jinan)
    assert jinan | outside == every and not jinan & outside
    assert whole == every and none == set()


@pytest.mark.parametrize("code,expected", [
    ("350111000000", Scope("350111")), (COUNTRY_CODE, Scope.everything()), ("", Scope.everything())])
def test_account_scope(code, expected):
    from lib.auth.accounts import User

    assert User("u", "viewer", code).scope == expected
