"""Region codes as SQL prefixes, and the caller's scope that every query is narrowed by."""
from __future__ import annotations

COUNTRY_CODE = "000000000000"  # the whole country: the root region of a multi-province warehouse
LEVEL_LENGTH = {"country": 0, "province": 2, "city": 4, "district": 6, "township": 9, "village": 12}
CHILD_LEVEL = {"country": "province", "province": "city", "city": "district", "district": "township", "township": "village"}


class ScopeError(PermissionError):
    """A request for a region outside the caller's scope."""


def level_of(code: str) -> str:
    """The level a 12-digit statistical code stands for, from its trailing zeros."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"not a 12-digit region code: {code!r}")
    if code == COUNTRY_CODE:
        return "country"
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "district"
    if code[2:4] != "00":
        return "city"
    return "province"


def prefix_of(code: str) -> str:
    """350111000000 → '350111': the prefix every region inside it shares."""
    return code[:LEVEL_LENGTH[level_of(code)]]


def narrow(scope_prefix: str, region_code: str) -> str:
    """The prefix for a region seen by a caller with ``scope_prefix``; refused outside the scope."""
    want = prefix_of(region_code)
    if want.startswith(scope_prefix):
        return want
    if scope_prefix.startswith(want):
        return scope_prefix  # asking for a parent of one's scope shows only the scope
    raise ScopeError(f"region {region_code} is outside scope {scope_prefix or 'all'}")


def pad(prefix: str) -> str:
    return prefix.ljust(12, "0")
