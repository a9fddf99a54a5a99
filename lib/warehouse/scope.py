"""Region codes as SQL prefixes, and the caller's scope that every query is narrowed by."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import false, not_, true

COUNTRY_CODE = "000000000000"  # the whole country: the root region of a multi-province warehouse
LEVEL_LENGTH = {"country": 0, "province": 2, "city": 4, "district": 6, "township": 9, "village": 12}
CHILD_LEVEL = {"country": "province", "province": "city", "city": "district", "district": "township",
               "township": "village"}


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


def top_region(provinces: list[str], cities: list[str], scope: str, known: set[str] | frozenset
               = frozenset()) -> str | None:
    """The view a user of ``scope`` (a prefix; "" = whole warehouse) opens on, above the city level:
    the country when two or more provinces are inside the scope, the province when one province
    holds two or more of the scope's cities, else None (the city, as a single-city warehouse always
    opened: ``lib.ui.filters.default_region`` picks it). ``known`` are the region codes the warehouse has;
    a root it lacks (a warehouse written before provinces existed) is never returned."""
    if len(scope) > LEVEL_LENGTH["province"]:
        return None
    provs = [p for p in provinces if prefix_of(p).startswith(scope)]
    own = [c for c in cities if c.startswith(scope)]
    if not scope and len(provs) > 1 and COUNTRY_CODE in known:
        return COUNTRY_CODE
    heads = {c[:2] for c in own}
    if len(own) > 1 and len(heads) == 1:
        code = heads.pop().ljust(12, "0")
        return code if code in known else None
    return None


_PREFIX_LENGTHS = frozenset(n for n in LEVEL_LENGTH.values() if n)


@dataclass(frozen=True)
class Scope:
    """The regions a caller may read or write, as a region-code prefix.

    A value rather than a bare string so that it cannot be forgotten: every warehouse function that
    reads or writes regional rows requires one, and ``""`` (which as a prefix matches every code) is
    not a Scope. The whole warehouse is the explicit ``Scope.everything()``, held by the console
    (the CLIs), the system's own jobs and an account granted the whole country.
    """

    prefix: str

    def __post_init__(self) -> None:
        p = self.prefix
        if not isinstance(p, str) or not p.isascii() or not p.isdigit() \
                or len(p) not in _PREFIX_LENGTHS:
            raise ValueError(f"not a region-code prefix: {p!r} "
                             "(the whole warehouse is Scope.everything())")

    @classmethod
    def everything(cls) -> Scope:
        """The whole warehouse: for the console, the system and a whole-country account only."""
        whole = object.__new__(cls)
        object.__setattr__(whole, "prefix", "")
        return whole

    @classmethod
    def of_region(cls, code: str) -> Scope:
        """The scope of a 12-digit region code (an account's region); the country is everything."""
        prefix = prefix_of(code)
        return cls.everything() if prefix == "" else cls(prefix)

    @property
    def is_everything(self) -> bool:
        return self.prefix == ""

    @property
    def region_code(self) -> str:
        """The 12-digit code of the region this scope is (the country for everything)."""
        return COUNTRY_CODE if self.is_everything else pad(self.prefix)

    def contains(self, code: str | None) -> bool:
        """Whether a region code (12 digits) or prefix lies inside this scope; None (no region)
        lies only inside the whole warehouse."""
        if code is None:
            return self.is_everything
        code = str(code)
        if len(code) == 12 and code.isdigit():
            code = prefix_of(code)
        return code.startswith(self.prefix)

    def covers(self, other: Scope) -> bool:
        """Whether ``other`` lies wholly inside this scope."""
        return other.prefix.startswith(self.prefix)

    def narrow(self, region_code: str) -> Scope:
        """The scope of ``region_code`` seen from this one; a parent of it shows this scope only,
        a region outside it is refused (ScopeError)."""
        want = narrow(self.prefix, region_code)
        return Scope.everything() if want == "" else Scope(want)

    def where(self, column: Any) -> Any:
        """The SQL condition keeping rows whose ``column`` (a region code) lies inside the scope;
        a bound, escaped prefix (never text pasted into SQL)."""
        if self.is_everything:
            return true()
        return column.startswith(self.prefix, autoescape=True)

    def where_outside(self, column: Any) -> Any:
        """The SQL condition keeping rows whose ``column`` lies outside the scope."""
        if self.is_everything:
            return false()
        return not_(column.startswith(self.prefix, autoescape=True))
